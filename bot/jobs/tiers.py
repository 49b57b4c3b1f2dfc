"""`tiers`: once per workspace day, the customers' levels, lifecycle stages and the workspace's
retention (`services.tiers`)."""

from __future__ import annotations

from bot.env import Env
from bot.services import tiers
from bot.services.people import workspace_ids


def run(env: Env) -> str:
    levels = stages = done = 0
    for workspace_id in workspace_ids(env):
        changed = tiers.tier_today(env, workspace_id)
        if changed is not None:
            done += 1
            levels, stages = levels + changed[0], stages + changed[1]
    return f"{done} workspaces: {levels} levels and {stages} stages changed"
