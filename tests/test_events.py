"""Every event a service publishes has a listener once `bot.messaging` is imported, and an event
without one is an error rather than a message silently never queued."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

import pytest

import bot.messaging
import bot.services
from bot import events


def all_events() -> set[type[events.Event]]:
    for module in pkgutil.iter_modules(bot.services.__path__, "bot.services."):
        importlib.import_module(module.name)
    found: set[type[events.Event]] = set()
    waiting = list(events.Event.__subclasses__())
    while waiting:
        kind = waiting.pop()
        found.add(kind)
        waiting.extend(kind.__subclasses__())
    return {kind for kind in found if kind.__module__.startswith("bot.")}


def test_every_event_of_the_services_has_a_listener():
    assert bot.messaging.__name__ == "bot.messaging"
    unheard = {kind.__qualname__ for kind in all_events() - events.heard()}
    assert unheard == set()


def test_an_event_nobody_listens_to_is_an_error(env):
    @dataclass(frozen=True)
    class Unheard(events.Event):
        what: str

    with env.db.session() as session, pytest.raises(events.NobodyListens, match="Unheard has no listener"):
        events.publish(env, session, Unheard("x"))
