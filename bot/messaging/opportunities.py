"""The morning's opportunity reminders: each working morning, at the workspace's reminder time in each
owner's own zone, one DM listing their open opportunities past the expected close date or idle longer
in their stage than it allows (not snoozed), each with *Open*, *Log visit* and *Snooze*."""

from __future__ import annotations

from datetime import date

from bot.env import Env
from bot.messaging.mornings import Due, due_at_reminder_time, grouped, queue_all
from bot.services import opportunities
from bot.services import settings as settings_service
from bot.views import opportunities as views

KIND = "opportunity_reminders"  # the outbox kind, kept: queued rows and their dedupe keys carry it


def remind(env: Env, workspace_id: str) -> tuple[int, int]:
    """Queue this morning's reminder for each owner due one; returns (owners, opportunities in them)."""
    due = due_at_reminder_time(env, workspace_id, settings_service.load(env, workspace_id), KIND)
    messages, rows = [], 0
    for today, people in grouped(due, _day).items():
        owners = [one.person.user_id for one in people]
        found = opportunities.needing_attention(
            env, workspace_id, owners, today, per_owner=views.REMINDER_ROWS
        )
        for one in people:
            mine = found.get(one.person.user_id)
            if mine:
                messages.append(one.outgoing(views.reminder(one.person.lang, mine, one.day)))
                rows += mine[0].total
    queue_all(env, messages)
    return len(messages), rows


def _day(one: Due) -> date:
    return one.day
