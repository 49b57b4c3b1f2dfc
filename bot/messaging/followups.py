"""The morning reminder: each working morning, at the workspace's reminder time in each rep's own zone,
one DM listing the rep's follow-ups due today and overdue (not one DM per customer)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from bot.env import Env
from bot.messaging.mornings import Due, due_at_reminder_time, queue_all
from bot.services import followups
from bot.services import settings as settings_service
from bot.views import followups as views

KIND = "reminders"  # the outbox kind, kept: queued rows and their dedupe keys carry it


def remind(env: Env, workspace_id: str) -> tuple[int, int]:
    """Queue this morning's reminder for each rep due one; returns (reps, follow-ups in them)."""
    settings = settings_service.load(env, workspace_id)
    by_day: dict[date, list[Due]] = defaultdict(list)
    for one in due_at_reminder_time(env, workspace_id, settings, KIND):
        by_day[one.day].append(one)
    sent = rows = 0
    messages = []
    for today, people in by_day.items():  # a day or two at most: the zones' dates
        owners = [one.person.user_id for one in people]
        found = followups.due_by_owner(env, workspace_id, owners, today, per_owner=views.ROWS_SHOWN)
        for one in people:
            mine = found.get(one.person.user_id)
            if mine:
                messages.append(one.outgoing(views.reminder(one.person.lang, mine, one.day)))
                sent, rows = sent + 1, rows + mine[0].total
    queue_all(env, messages)
    return sent, rows
