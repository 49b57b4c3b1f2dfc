"""`reminders`: each working morning, at the workspace's reminder time in each rep's own zone, one DM
listing the rep's follow-ups due today and overdue (not one DM per customer)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from bot.env import Env
from bot.jobs.common import Due, due_at_reminder_time, queue_all
from bot.services import settings as settings_service
from bot.services.people import workspace_ids
from bot.views import followups as views
from store import followups
from store.followups import DueRow

KIND = "reminders"  # the outbox kind, kept: queued rows and their dedupe keys carry it


def run(env: Env) -> str:
    sent = rows = 0
    for workspace_id in workspace_ids(env):
        people, count = _remind(env, workspace_id)
        sent, rows = sent + people, rows + count
    return f"{sent} reps reminded of {rows} follow-ups"


def _remind(env: Env, workspace_id: str) -> tuple[int, int]:
    settings = settings_service.load(env, workspace_id)
    due = due_at_reminder_time(env, workspace_id, settings, KIND)
    by_day: dict[date, list[Due]] = defaultdict(list)
    for one in due:
        by_day[one.day].append(one)
    sent = rows = 0
    messages = []
    for today, people in by_day.items():  # a day or two at most: the zones' dates
        found = _due_rows(env, workspace_id, [one.person.user_id for one in people], today)
        for one in people:
            mine = found.get(one.person.user_id)
            if mine:
                messages.append(one.outgoing(views.reminder(one.person.lang, mine, one.day)))
                sent, rows = sent + 1, rows + mine[0].total
    queue_all(env, messages)
    return sent, rows


def _due_rows(env: Env, workspace_id: str, owner_ids: list[str], today: date) -> dict[str, list[DueRow]]:
    with env.db.session() as session:
        rows = followups.due_follow_ups(
            session=session,
            workspace_id=workspace_id,
            owner_ids=owner_ids,
            through=today,
            per_owner=views.ROWS_SHOWN,
        )
    grouped: dict[str, list[DueRow]] = defaultdict(list)
    for row in rows:
        grouped[row.owner_id].append(row)
    return grouped
