"""`reports`: the first working morning of each week, at the digest time in each reader's zone, each
manager's report of the week before (admins: the company's), with its charts (`messaging.reports`)."""

from __future__ import annotations

from bot.env import Env
from bot.jobs.passes import over_workspaces
from bot.messaging import reports as messaging
from bot.services.job_runs import Tally


def run(env: Env) -> Tally:
    return over_workspaces(env, lambda workspace_id: _report(env, workspace_id)).said(
        "{reports} reports, {champions} champions posts"
    )


def _report(env: Env, workspace_id: str) -> dict[str, int]:
    return {
        "reports": messaging.send_weekly_reports(env, workspace_id),
        "champions": messaging.post_champions(env, workspace_id),
    }
