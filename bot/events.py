"""What happened, told by a service inside the transaction that made it happen.

A service owns its transaction and speaks to no one: when a change is worth telling someone (a customer
back in the pool, a complaint filed, a rep given a customer), it publishes a typed event in that
transaction, `publish(env, bind, event)`. The listeners `bot.messaging` registers with `on` turn the
event into messages queued in the outbox on the same `bind`, so a message exists if and only if its
change was committed. Each listener returns the dedupe keys it queued; the service hands them back in
its result, for a lazy listener to send at once (`notify.deliver_now`) while the person waits.

An event nobody listens to is an error, not silence: every entry point (the app, the worker, the jobs,
the command line, the tests) imports `bot.messaging`, which registers them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from bot.env import Env
from store.sql import Bind


class Event:
    """The base of every event: a frozen dataclass of plain values (ids, names, moments)."""


E = TypeVar("E", bound=Event)
Listener = Callable[[Env, Bind, Any], Sequence[str]]

_LISTENERS: dict[type[Event], list[Listener]] = {}


class NobodyListens(RuntimeError):
    """An event was published before `bot.messaging` registered its listeners."""


def on(
    event_type: type[E],
) -> Callable[[Callable[[Env, Bind, E], Sequence[str]]], Callable[[Env, Bind, E], Sequence[str]]]:
    """Register a listener of `event_type` (a decorator); it runs in the publisher's transaction."""

    def register(
        listener: Callable[[Env, Bind, E], Sequence[str]],
    ) -> Callable[[Env, Bind, E], Sequence[str]]:
        _LISTENERS.setdefault(event_type, []).append(listener)
        return listener

    return register


def publish(env: Env, bind: Bind, event: Event) -> tuple[str, ...]:
    """Tell the listeners of `event` in `bind`'s transaction; the outbox keys they queued."""
    listeners = _LISTENERS.get(type(event))
    if not listeners:
        raise NobodyListens(f"{type(event).__name__} has no listener: import bot.messaging first")
    return tuple(key for listener in listeners for key in listener(env, bind, event))


def heard() -> frozenset[type[Event]]:
    """The event types that have a listener (a test holds every event to one)."""
    return frozenset(_LISTENERS)
