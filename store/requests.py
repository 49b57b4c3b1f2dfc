"""Request marks: what Slack sent once, so that a replay of it writes nothing twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from store.models import RequestMark
from store.sql import Bind, insert_for, is_postgresql

REQUEST_MARK = RequestMark.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Seen:
    """A request met before, with the ack answer kept for it (None while it runs, or when it had none)."""

    answer: str | None


@contextmanager
def marks_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction whose commit does not wait for the disk (PostgreSQL's synchronous_commit off,
    SQLite's synchronous=NORMAL for this one commit). Every request writes its mark, and waiting for
    the disk twice more per request made the ack several times slower under load. It loses nothing
    that matters: both engines write one log in order, so the mark reaches the disk with the next
    commit that waits for it, at the latest the commit of the work the mark guards; a power cut can
    only forget the mark of a request that wrote nothing, or the answer kept for a replay."""
    with engine.connect() as connection:
        if is_postgresql(connection):
            with connection.begin():
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                yield connection
        else:
            with _SQLITE_WRITER, _unsynced(connection), connection.begin():
                yield connection


# SQLite takes one writer at a time, and a writer that finds the file locked sleeps 1, 2, 5, 10 ms...
# before it looks again: with every request writing its mark, those sleeps doubled the ack's p99 at
# 50 concurrent requests. The process's threads wait their turn here instead, woken at once.
_SQLITE_WRITER = threading.Lock()


@contextmanager
def _unsynced(connection: sa.Connection) -> Iterator[None]:
    level = _synchronous(connection)
    # SQLite refuses to change it inside a transaction, and it outlives one: set, then put back.
    connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
    connection.commit()
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA synchronous={level}")
        connection.commit()


def _synchronous(connection: sa.Connection) -> int:
    """The connection's own level, read once (kept with the pooled connection)."""
    if "synchronous" not in connection.info:
        connection.info["synchronous"] = int(connection.exec_driver_sql("PRAGMA synchronous").scalar_one())
    return int(connection.info["synchronous"])


_THIS = sa.and_(REQUEST_MARK.c.workspace_id == sa.bindparam("ws"), REQUEST_MARK.c.key == sa.bindparam("k"))
# Built once: every request runs these, and building a statement costs more than running it.
_ANSWER = sa.select(REQUEST_MARK.c.answer).where(_THIS)
_KEEP = sa.update(REQUEST_MARK).where(_THIS).values(answer=sa.bindparam("a"))
_FORGET = sa.delete(REQUEST_MARK).where(_THIS)
_MARKS: dict[str, sa.Insert] = {}  # by dialect


def _mark_statement(bind: Bind) -> sa.Insert:
    name = bind.dialect.name if isinstance(bind, sa.Connection) else bind.get_bind().dialect.name
    if name not in _MARKS:
        # RETURNING tells whether a row went in: psycopg reports no row count for this statement.
        _MARKS[name] = insert_for(bind)(REQUEST_MARK).on_conflict_do_nothing().returning(REQUEST_MARK.c.key)
    return _MARKS[name]


def mark_request(*, bind: Bind, workspace_id: str, key: str, now: datetime) -> Seen | None:
    """Mark the request as seen: None the first time, else what the first one left. The insert decides,
    so of two copies arriving at once exactly one is the first."""
    row = {"workspace_id": workspace_id, "key": key, "seen_at": now}
    if bind.execute(_mark_statement(bind), row).first() is not None:
        return None
    return Seen(answer=bind.execute(_ANSWER, {"ws": workspace_id, "k": key}).scalar())


def keep_request_answer(*, bind: Bind, workspace_id: str, key: str, answer: str) -> None:
    bind.execute(_KEEP, {"ws": workspace_id, "k": key, "a": answer})


def forget_request(*, bind: Bind, workspace_id: str, key: str) -> None:
    bind.execute(_FORGET, {"ws": workspace_id, "k": key})


def prune_request_marks(*, session: Session, before: datetime) -> int:
    """Forget the marks seen before `before` (Slack replays within minutes); how many went."""
    result = session.execute(sa.delete(REQUEST_MARK).where(REQUEST_MARK.c.seen_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
