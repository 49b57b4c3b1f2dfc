"""`sla`: in each active workspace, complaints whose time is half gone nudge their assignee; a breach
tells the assignee's manager (or the admins), marks the card "breached" and notes it in the thread
(`services.sla` takes each step once, `messaging.complaints` queues what it says in that transaction)."""

from __future__ import annotations

from bot.env import Env
from bot.services import sla
from bot.services.job_runs import Tally
from bot.services.people import workspace_ids


def run(env: Env) -> Tally:
    tally = Tally()
    for workspace_id in workspace_ids(env):
        checked = sla.check(env, workspace_id)
        tally.add(workspace_id, due=checked.due, nudged=checked.nudged, breached=checked.breached)
    return tally.said("{due} complaints due: {nudged} nudged, {breached} breached")
