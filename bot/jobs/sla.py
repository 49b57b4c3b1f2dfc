"""`sla`: in each active workspace, complaints whose time is half gone nudge their assignee; a breach
tells the assignee's manager (or the admins), marks the card "breached" and notes it in the thread
(`services.sla` takes each step once, `messaging.complaints` queues what it says in that transaction)."""

from __future__ import annotations

from bot.env import Env
from bot.jobs.passes import over_workspaces
from bot.services import sla
from bot.services.job_runs import Tally


def run(env: Env) -> Tally:
    return over_workspaces(env, lambda workspace_id: _check(env, workspace_id)).said(
        "{due} complaints due: {nudged} nudged, {breached} breached"
    )


def _check(env: Env, workspace_id: str) -> dict[str, int]:
    checked = sla.check(env, workspace_id)
    return {"due": checked.due, "nudged": checked.nudged, "breached": checked.breached}
