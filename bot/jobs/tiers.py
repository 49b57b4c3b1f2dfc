"""`tiers`: once per workspace day, the customers' levels from revenue tiers (hand-set levels kept,
changes in the history), their lifecycle stages, and the workspace's retention (the lifetime value's
horizon). Set-based: a few statements whatever the number of customers (`store.tiers`)."""

from __future__ import annotations

from bot.env import Env
from bot.rules import churn as churn_rules
from bot.rules import tiers as rules
from bot.rules.calendar import zone
from bot.services import settings as settings_service
from bot.services.people import workspace_ids
from store import jobmarks
from store import people as people_store
from store import tiers as tiers_store

JOB = "tiers"
STAGE_RULES = tiers_store.StageRules(
    new_days=rules.NEW_DAYS,
    won_back_days=rules.WON_BACK_DAYS,
    dormant_days=rules.DORMANT_DAYS,
    gap_multiplier=churn_rules.GAP_MULTIPLIER,
    min_usual_gap_days=churn_rules.MIN_USUAL_GAP_DAYS,
    serious_bands=churn_rules.REPEATED_BANDS,
)


def run(env: Env) -> str:
    levels = stages = done = 0
    for workspace_id in workspace_ids(env):
        changed = tier_workspace(env, workspace_id)
        if changed is not None:
            done += 1
            levels, stages = levels + changed[0], stages + changed[1]
    return f"{done} workspaces: {levels} levels and {stages} stages changed"


def tier_workspace(env: Env, workspace_id: str) -> tuple[int, int] | None:
    """Today's levels and stages (the workspace's day), once: None when already done today."""
    now = env.clock.now()
    settings = settings_service.load(env, workspace_id)
    tiers = tiers_store.TierRules(settings.tier_a_percent, settings.tier_b_percent, rules.REVENUE_DAYS)
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
        today = now.astimezone(zone(workspace.timezone if workspace else "UTC")).date()
        if not jobmarks.mark_once(
            session=session, workspace_id=workspace_id, job=JOB, period=today.isoformat(), now=now
        ):
            return None
        levels = tiers_store.update_levels(
            session=session, workspace_id=workspace_id, rules=tiers, today=today, now=now
        )
        stages = tiers_store.update_stages(
            session=session, workspace_id=workspace_id, rules=STAGE_RULES, today=today, now=now
        )
        tiers_store.update_retention(session=session, workspace_id=workspace_id, today=today)
    return levels, stages
