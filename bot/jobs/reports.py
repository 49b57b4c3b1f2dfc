"""`reports`: the first working morning of each week, at the digest time in each reader's zone, each
manager's report of the week before (admins: the company's), with its charts (`messaging.reports`)."""

from __future__ import annotations

from bot.env import Env
from bot.messaging import reports as messaging
from bot.services.job_runs import Tally
from bot.services.people import workspace_ids


def run(env: Env) -> Tally:
    tally = Tally()
    for workspace_id in workspace_ids(env):
        tally.add(
            workspace_id,
            reports=messaging.send_weekly_reports(env, workspace_id),
            champions=messaging.post_champions(env, workspace_id),
        )
    return tally.said("{reports} reports, {champions} champions posts")
