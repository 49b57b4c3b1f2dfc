"""`followups`: each working morning, at the workspace's reminder time in each rep's own zone, one DM
listing the rep's follow-ups due today and overdue (`messaging.followups`)."""

from __future__ import annotations

from bot.env import Env
from bot.jobs.passes import over_workspaces
from bot.messaging import followups as messaging
from bot.services.job_runs import Tally


def run(env: Env) -> Tally:
    return over_workspaces(env, lambda workspace_id: _remind(env, workspace_id)).said(
        "{reps} reps reminded of {followups} follow-ups"
    )


def _remind(env: Env, workspace_id: str) -> dict[str, int]:
    reps, followups = messaging.remind(env, workspace_id)
    return {"reps": reps, "followups": followups}
