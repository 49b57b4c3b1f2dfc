"""`followups`: each working morning, at the workspace's reminder time in each rep's own zone, one DM
listing the rep's follow-ups due today and overdue (`messaging.followups`)."""

from __future__ import annotations

from bot.env import Env
from bot.messaging import followups as messaging
from bot.services.people import workspace_ids


def run(env: Env) -> str:
    sent = rows = 0
    for workspace_id in workspace_ids(env):
        people, count = messaging.remind(env, workspace_id)
        sent, rows = sent + people, rows + count
    return f"{sent} reps reminded of {rows} follow-ups"
