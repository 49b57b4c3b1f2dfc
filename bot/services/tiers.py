"""Tiers: once per workspace day, the customers' levels from revenue tiers (hand-set levels kept,
changes in the history), their lifecycle stages, and the workspace's retention (the lifetime value's
horizon), set-based: a few statements whatever the number of customers (`store.tiers`). Levels set by
hand, and "Mark lost"."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.env import Env
from bot.errors import InvalidInput, required_text
from bot.i18n import N_
from bot.rules import churn as churn_rules
from bot.rules import tiers as rules
from bot.services import periods, snapshots
from bot.services import settings as settings_service
from bot.services.customers import get_customer, require_work_access
from bot.services.people import Actor
from store import tiers as tiers_store
from store.models import LEVELS, MOVE_LEVEL, MOVE_LOST, Customer, OwnershipEvent

LOST_REASON_LIMIT = 300
JOB = "tiers"
STAGE_RULES = tiers_store.StageRules(
    new_days=rules.NEW_DAYS,
    won_back_days=rules.WON_BACK_DAYS,
    dormant_days=rules.DORMANT_DAYS,
    gap_multiplier=churn_rules.GAP_MULTIPLIER,
    min_usual_gap_days=churn_rules.MIN_USUAL_GAP_DAYS,
    serious_bands=churn_rules.REPEATED_BANDS,
)


def tier_today(env: Env, workspace_id: str) -> tuple[int, int] | None:
    """Today's levels and stages (the workspace's day), once: how many of each changed, or None when
    already done today."""
    settings = settings_service.load(env, workspace_id)
    tiers = tiers_store.TierRules(settings.tier_a_percent, settings.tier_b_percent, rules.REVENUE_DAYS)

    def tier(session: Session, today: date) -> tuple[int, int]:
        now, ws = env.clock.now(), workspace_id
        levels = tiers_store.update_levels(
            session=session, workspace_id=ws, rules=tiers, today=today, now=now
        )
        stages = tiers_store.update_stages(
            session=session, workspace_id=ws, rules=STAGE_RULES, today=today, now=now
        )
        tiers_store.update_retention(session=session, workspace_id=ws, today=today)
        return levels, stages

    return periods.once_per_day(env, workspace_id, JOB, tier)


def _record(
    session: Session,
    customer: Customer,
    actor: Actor,
    kind: str,
    reason: str,
    note: str = "",
    undo: str | None = None,
) -> None:
    session.add(
        OwnershipEvent(
            workspace_id=customer.workspace_id, customer_id=customer.id or 0, kind=kind, actor_id=actor.user_id,
            from_owner_id=customer.owner_id, to_owner_id=customer.owner_id, reason=reason[:32], note=note[:500],
            at=customer.updated_at, undo=undo,
        )
    )  # fmt: skip


def check_level(level: str | None) -> None:
    if level is not None and level not in LEVELS:
        raise InvalidInput(N_("Choose level A, B or C."))


def set_level(env: Env, actor: Actor, customer_id: int, level: str | None) -> Customer:
    """Set the level by hand (kept by the nightly tiers), or clear it (None: the tiers decide again)."""
    check_level(level)
    customer = get_customer(env, actor, customer_id)
    require_work_access(env, actor, customer)
    with env.db.session() as session:
        return set_level_in(session, env, actor, customer.id or 0, level)


def set_level_in(session: Session, env: Env, actor: Actor, customer_id: int, level: str | None) -> Customer:
    """The level set in the caller's transaction (an approval carries it out with its decision)."""
    fresh = session.get(Customer, customer_id, with_for_update=True)
    assert fresh is not None
    before = fresh.level
    fresh.level, fresh.level_by_hand, fresh.updated_at = (
        level or fresh.level,
        level is not None,
        env.clock.now(),
    )
    _record(session, fresh, actor, MOVE_LEVEL, f"{before}>{fresh.level}", "by_hand" if level else "cleared")
    session.flush()
    return fresh


def lost_reason(reason: str) -> str:
    """Why the customer is lost, tidied, once checked."""
    missing = N_("Say why the customer is lost.")
    return required_text(reason, field="reason", missing=missing, limit=LOST_REASON_LIMIT, one_line=True)


def mark_lost(env: Env, actor: Actor, customer_id: int, reason: str) -> Customer:
    """The owner, their manager or an admin marks the customer lost, with a reason; an order undoes it."""
    text = lost_reason(reason)
    customer = get_customer(env, actor, customer_id)
    require_work_access(env, actor, customer)
    with env.db.session() as session:
        return mark_lost_in(session, env, actor, customer, text)


def mark_lost_in(session: Session, env: Env, actor: Actor, customer: Customer, text: str) -> Customer:
    """Marked lost in the caller's transaction (an approval carries it out with its decision)."""
    customer_id, now = customer.id or 0, env.clock.now()
    before = session.get(Customer, customer_id, with_for_update=True)  # what an undo puts back
    kept = snapshots.snapshot(before, snapshots.LOST_FIELDS) if before is not None else None
    result = session.execute(
        sa.update(Customer)
        .where(col(Customer.id) == customer_id, col(Customer.lost_at).is_(None))
        .values(stage=rules.LOST, stage_since=now, lost_at=now, lost_reason=text, updated_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise InvalidInput(N_("%(name)s is already marked lost."), name=customer.name)
    fresh = session.get(Customer, customer_id, populate_existing=True)
    assert fresh is not None
    _record(session, fresh, actor, MOVE_LOST, "", text, undo=kept)
    return fresh
