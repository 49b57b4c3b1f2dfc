"""The morning messages (follow-ups, churn and recycle warnings, digests, the Home): who is due one
now, in their own zone, and queueing each once (its dedupe key is kind, person and day)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any, TypeVar

from bot.env import Env
from bot.i18n import Lang
from bot.notify import Outgoing, dedupe_key, enqueue_many, json_payload
from bot.rules.calendar import due_day
from bot.services import settings as settings_service
from bot.services.people import Actor, directory
from bot.services.settings import WorkspaceSettings
from store import outbox as outbox_store


@dataclass(frozen=True)
class Due:
    """A person whose morning message (of `kind`) is due today, in their own zone, and not yet queued."""

    person: Actor
    day: date
    kind: str
    workspace_id: str

    @property
    def key(self) -> str:
        return dedupe_key(self.kind, self.person.user_id, "", self.day.isoformat())

    def outgoing(self, message: dict[str, Any]) -> Outgoing:
        """Today's message for this person (queued once: the dedupe key is kind, person, day)."""
        payload = json_payload(message)
        return Outgoing(self.workspace_id, self.kind, self.person.user_id, "", self.day.isoformat(), payload)


K = TypeVar("K", bound=Hashable)


def grouped(due: Iterable[Due], by: Callable[[Due], K]) -> dict[K, list[Due]]:
    """The people due, grouped (by their day, or day and zone: a few groups at most), in their order."""
    groups: dict[K, list[Due]] = defaultdict(list)
    for one in due:
        groups[by(one)].append(one)
    return groups


def day_and_zone(one: Due) -> tuple[date, str]:
    """Those sharing their day and zone share a query's day and its local windows."""
    return one.day, one.person.timezone


def queue_all(env: Env, messages: Sequence[Outgoing]) -> None:
    """Queue a run's messages in one transaction."""
    if messages:
        enqueue_many(env, messages)


def due_this_morning(
    env: Env, people: Iterable[Actor], *, kind: str, at: time, country: str, workspace_id: str
) -> list[Due]:
    """The people whose `at` has come today (a working day where they are) and who have not had
    today's message yet: a later run the same day catches up, the next day's run does not send
    yesterday's, and a run repeated sends nothing new."""
    now = env.clock.now()
    candidates = []
    for person in people:
        day = due_day(now, person.timezone, at, country)
        if day is not None:
            candidates.append(Due(person, day, kind, workspace_id))
    with env.db.session() as session:
        queued = outbox_store.sent_keys(
            session=session, workspace_id=workspace_id, keys=[due.key for due in candidates]
        )
    return [due for due in candidates if due.key not in queued]


def due_at_reminder_time(env: Env, workspace_id: str, settings: WorkspaceSettings, kind: str) -> list[Due]:
    """The active people whose morning message of `kind` is due now, at the workspace's reminder time."""
    people = directory(env, workspace_id).active
    return due_this_morning(
        env, people, kind=kind, at=settings.reminder_at, country=settings.country, workspace_id=workspace_id
    )


# (people, their day) -> each one's rows, the first of which says how many they have (`total`)
Find = Callable[[list[str], date], dict[str, list[Any]]]
Render = Callable[[Lang, list[Any], date], dict[str, Any]]  # (language, rows, day) -> the message


def queue_lists(env: Env, workspace_id: str, kind: str, find: Find, render: Render) -> tuple[int, int]:
    """The morning's list of `kind` for each person due one who has rows (found for everyone of a day
    at once), queued in one transaction; returns (people told, rows in all their lists)."""
    due = due_at_reminder_time(env, workspace_id, settings_service.load(env, workspace_id), kind)
    messages, rows = [], 0
    for today, people in grouped(due, _its_day).items():  # a day or two at most: the zones' dates
        found = find([one.person.user_id for one in people], today)
        for one in people:
            mine = found.get(one.person.user_id)
            if mine:
                messages.append(one.outgoing(render(one.person.lang, mine, one.day)))
                rows += mine[0].total
    queue_all(env, messages)
    return len(messages), rows


def _its_day(one: Due) -> date:
    return one.day
