"""`tiers`: once per workspace day, the customers' levels, lifecycle stages and the workspace's
retention (`services.tiers`)."""

from __future__ import annotations

from bot.env import Env
from bot.services import tiers
from bot.services.job_runs import Tally
from bot.services.people import workspace_ids


def run(env: Env) -> Tally:
    tally = Tally()
    for workspace_id in workspace_ids(env):
        changed = tiers.tier_today(env, workspace_id)  # None: the day's tiers are done already
        levels, stages = (0, 0) if changed is None else changed
        tally.add(workspace_id, tiered=int(changed is not None), levels=levels, stages=stages)
    return tally.said("{tiered} workspaces: {levels} levels and {stages} stages changed")
