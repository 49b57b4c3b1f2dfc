"""What every request reads of a workspace (its installation's bot, its settings, the acting person),
kept in the process and known to be right by the workspace's version: a stamp the database bumps in the
transaction of any change to those (store/models/workspaces.py). A request reads the stamp once, with
whether the workspace is active, which it reads anyway; whatever this process kept at that version is
used, anything else is read again. A change made in one process is so honoured by the next request in
any other. Outside a request (a job, a lazy listener's thread), the stamp is read at each use.

A value is kept with the version read before it was: if a change lands in between, the value is taken
for older than it is and read again next time, never the other way round.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from bot.env import Env
from store import people as people_store

T = TypeVar("T")
KEPT_PER_KIND = 10_000  # the newest are kept: a workspace's people, a thousand workspaces' settings

_stamps: ContextVar[dict[str, tuple[bool, int] | None] | None] = ContextVar("tidewater_stamps", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """One request: each workspace's state read at most once."""
    token = _stamps.set({})
    try:
        yield
    finally:
        _stamps.reset(token)


def state(env: Env, workspace_id: str) -> tuple[bool, int] | None:
    """(active, version) of the workspace; None when it is not recorded yet."""
    seen = _stamps.get()
    if seen is not None and workspace_id in seen:
        return seen[workspace_id]
    with env.db.connection() as connection:
        found = people_store.workspace_state(session=connection, workspace_id=workspace_id)
    if seen is not None:
        seen[workspace_id] = found
    return found


def forget_state(workspace_id: str) -> None:
    """This request changed the workspace's state itself (woke it up): read it again if asked."""
    seen = _stamps.get()
    if seen is not None:
        seen.pop(workspace_id, None)


class Kept:
    """Values of one kind, each with the version of its workspace it was read at (the newest kept), per
    database: what was read from one database is never taken for another's."""

    def __init__(self, kind: str, size: int = KEPT_PER_KIND) -> None:
        self._kind = kind
        self._size = size
        self._lock = threading.Lock()

    def _values(self, env: Env) -> OrderedDict[Hashable, tuple[int, Any]]:
        with self._lock:
            found: OrderedDict[Hashable, tuple[int, Any]] = env.db.kept.setdefault(self._kind, OrderedDict())
            return found

    def get_or_read(
        self, env: Env, workspace_id: str, key: Hashable, read: Callable[[], T | None]
    ) -> T | None:
        """The value kept for `key` if its workspace's version is still the one it was read at; else
        `read()` (kept when not None and the workspace is recorded)."""
        current = state(env, workspace_id)
        values = self._values(env)
        if current is not None:
            with self._lock:
                kept = values.get(key)
            if kept is not None and kept[0] == current[1]:
                found: T = kept[1]
                return found
        value = read()
        if value is not None and current is not None:
            with self._lock:
                values[key] = (current[1], value)
                values.move_to_end(key)
                while len(values) > self._size:
                    values.popitem(last=False)
        return value
