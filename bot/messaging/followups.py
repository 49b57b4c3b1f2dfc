"""The morning reminder: each working morning, at the workspace's reminder time in each rep's own zone,
one DM listing the rep's follow-ups due today and overdue (not one DM per customer)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.env import Env
from bot.messaging.mornings import queue_lists
from bot.services import followups
from bot.views import followups as views

KIND = "reminders"  # the outbox kind, kept: queued rows and their dedupe keys carry it


def remind(env: Env, workspace_id: str) -> tuple[int, int]:
    """Queue this morning's reminder for each rep due one; returns (reps, follow-ups in them)."""

    def find(owners: list[str], today: date) -> dict[str, list[Any]]:
        return dict(followups.due_by_owner(env, workspace_id, owners, today, per_owner=views.ROWS_SHOWN))

    return queue_lists(env, workspace_id, KIND, find, views.reminder)
