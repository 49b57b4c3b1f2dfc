"""`tiers`: once per workspace day, the customers' levels, lifecycle stages and the workspace's
retention (`services.tiers`)."""

from __future__ import annotations

from bot.env import Env
from bot.jobs.passes import over_workspaces
from bot.services import tiers
from bot.services.job_runs import Tally


def run(env: Env) -> Tally:
    return over_workspaces(env, lambda workspace_id: _tier(env, workspace_id)).said(
        "{tiered} workspaces: {levels} levels and {stages} stages changed"
    )


def _tier(env: Env, workspace_id: str) -> dict[str, int]:
    changed = tiers.tier_today(env, workspace_id)  # None: the day's tiers are done already
    levels, stages = (0, 0) if changed is None else changed
    return {"tiered": int(changed is not None), "levels": levels, "stages": stages}
