"""`followups`: each working morning, at the workspace's reminder time in each rep's own zone, one DM
listing the rep's follow-ups due today and overdue (`messaging.followups`)."""

from __future__ import annotations

from bot.env import Env
from bot.messaging import followups as messaging
from bot.services.job_runs import Tally
from bot.services.people import workspace_ids


def run(env: Env) -> Tally:
    tally = Tally()
    for workspace_id in workspace_ids(env):
        reps, followups = messaging.remind(env, workspace_id)
        tally.add(workspace_id, reps=reps, followups=followups)
    return tally.said("{reps} reps reminded of {followups} follow-ups")
