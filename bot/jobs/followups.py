"""`followups`: each working morning, at the workspace's reminder time in each rep's own zone, one DM
listing the rep's follow-ups due today and overdue (`messaging.followups`), and one listing their
opportunities past their close date or idle in their stage (`messaging.opportunities`)."""

from __future__ import annotations

from bot.env import Env
from bot.jobs.passes import over_workspaces
from bot.messaging import followups as messaging
from bot.messaging import opportunities as opportunity_messaging
from bot.services.job_runs import Tally


def run(env: Env) -> Tally:
    return over_workspaces(env, lambda workspace_id: _remind(env, workspace_id)).said(
        "{reps} reps reminded of {followups} follow-ups; {owners} of {opportunities} opportunities"
    )


def _remind(env: Env, workspace_id: str) -> dict[str, int]:
    reps, followups = messaging.remind(env, workspace_id)
    owners, deals = opportunity_messaging.remind(env, workspace_id)
    return {"reps": reps, "followups": followups, "owners": owners, "opportunities": deals}
