"""The morning reminder: each working morning, at the workspace's reminder time in each rep's own zone,
one DM listing the rep's follow-ups due today and overdue (not one DM per customer)."""

from __future__ import annotations

from datetime import date

from bot.env import Env
from bot.messaging.mornings import Due, due_at_reminder_time, grouped, queue_all
from bot.services import followups
from bot.services import settings as settings_service
from bot.views import followups as views

KIND = "reminders"  # the outbox kind, kept: queued rows and their dedupe keys carry it


def remind(env: Env, workspace_id: str) -> tuple[int, int]:
    """Queue this morning's reminder for each rep due one; returns (reps, follow-ups in them)."""
    due = due_at_reminder_time(env, workspace_id, settings_service.load(env, workspace_id), KIND)
    messages, rows = [], 0
    for today, people in grouped(due, _day).items():  # a day or two at most: the zones' dates
        owners = [one.person.user_id for one in people]
        found = followups.due_by_owner(env, workspace_id, owners, today, per_owner=views.ROWS_SHOWN)
        for one in people:
            mine = found.get(one.person.user_id)
            if mine:
                messages.append(one.outgoing(views.reminder(one.person.lang, mine, one.day)))
                rows += mine[0].total
    queue_all(env, messages)
    return len(messages), rows


def _day(one: Due) -> date:
    return one.day
