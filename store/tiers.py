"""The nightly value pass, set-based: levels from revenue tiers, lifecycle stages, the workspace's
retention. Each computes the new values into a temporary table with one SELECT (window functions and
CASE), writes the history of what changes, then updates only the rows that change."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from store.models import MOVE_LEVEL, ChurnState, Customer, Opportunity, OwnershipEvent, Workspace
from store.models import Order as CustomerOrder
from store.sql import day_number, is_postgresql


@dataclass(frozen=True)
class TierRules:
    a_percent: int
    b_percent: int
    revenue_days: int


@dataclass(frozen=True)
class StageRules:
    new_days: int
    won_back_days: int
    dormant_days: int
    gap_multiplier: int
    min_usual_gap_days: int
    serious_bands: tuple[str, ...]


def _scratch(name: str, column: str, length: int) -> sa.Table:
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("customer_id", sa.Integer, primary_key=True),
        sa.Column(column, sa.String(length), nullable=False),
        prefixes=["TEMPORARY"],
    )


_levels = _scratch("tier_level", "level", 1)
_stages = _scratch("tier_stage", "stage", 16)


def _fresh(connection: sa.Connection, table: sa.Table) -> None:
    table.drop(connection, checkfirst=True)
    table.create(connection)


def _filled(connection: sa.Connection, table: sa.Table) -> None:
    """Statistics for the scratch table just filled: without them PostgreSQL guesses two thousand rows
    and reads the whole customer table to join a few hundred changes (a temporary table is never
    analysed on its own)."""
    if is_postgresql(connection):
        connection.execute(sa.text(f"ANALYZE {table.name}"))


def revenue_since(workspace_id: str, since: date) -> sa.Subquery:
    amount = sa.func.sum(col(CustomerOrder.amount_base_minor)).label("revenue")
    return (
        sa.select(col(CustomerOrder.customer_id), amount)
        .where(col(CustomerOrder.workspace_id) == workspace_id, col(CustomerOrder.ordered_on) >= since)
        .group_by(col(CustomerOrder.customer_id))
        .subquery("revenue")
    )


def update_levels(
    *, session: Session, workspace_id: str, rules: TierRules, today: date, now: datetime
) -> int:
    """Rank the customers who ordered by revenue of the window; set each level not set by hand; write
    each change to the history. Returns how many changed."""
    connection = session.connection()
    _fresh(connection, _levels)
    try:
        revenue = revenue_since(workspace_id, today - timedelta(days=rules.revenue_days - 1))
        place = sa.func.cume_dist().over(order_by=sa.func.coalesce(revenue.c.revenue, 0).desc())
        ranked = (
            sa.select(col(Customer.id).label("id"), col(Customer.level).label("level"), place.label("place"),
                      col(Customer.level_by_hand).label("by_hand"))
            .select_from(sa.outerjoin(Customer, revenue, revenue.c.customer_id == col(Customer.id)))
            .where(col(Customer.workspace_id) == workspace_id, col(Customer.dealt_at).is_not(None))
            .subquery("ranked")
        )  # fmt: skip
        a_share, ab_share = rules.a_percent / 100, (rules.a_percent + rules.b_percent) / 100
        level = sa.case((ranked.c.place <= a_share, "A"), (ranked.c.place <= ab_share, "B"), else_="C")
        changed = sa.select(ranked.c.id, level).where(~ranked.c.by_hand, ranked.c.level != level)
        connection.execute(sa.insert(_levels).from_select(["customer_id", "level"], changed))
        _filled(connection, _levels)
        _record_levels(connection, workspace_id, now)
        result = connection.execute(
            sa.update(Customer)
            .where(col(Customer.id) == _levels.c.customer_id)
            .values(level=_levels.c.level, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)
    finally:
        _levels.drop(connection)


def _record_levels(connection: sa.Connection, workspace_id: str, now: datetime) -> None:
    event = OwnershipEvent.__table__  # type: ignore[attr-defined]
    rows = (
        sa.select(
            sa.literal(workspace_id), col(Customer.id), sa.literal(MOVE_LEVEL), col(Customer.owner_id),
            col(Customer.owner_id), col(Customer.level) + ">" + _levels.c.level, sa.literal(""),
            sa.literal(now, event.c.at.type),
        )
        .join(_levels, col(Customer.id) == _levels.c.customer_id)
    )  # fmt: skip
    columns = ["workspace_id", "customer_id", "kind", "from_owner_id", "to_owner_id", "reason", "note", "at"]
    connection.execute(sa.insert(event).from_select(columns, rows))


def has_open_opportunity() -> sa.ColumnElement[bool]:
    """The customer (of the statement's customer row) has an opportunity not yet won or lost."""
    return sa.exists().where(
        col(Opportunity.workspace_id) == col(Customer.workspace_id),
        col(Opportunity.customer_id) == col(Customer.id),
        col(Opportunity.closed_at).is_(None),
    )


def stage_expression(rules: StageRules, today: date, now: datetime, band: Any) -> sa.ColumnElement[str]:
    """A customer's stage as of today, from its row (and the stage it had) and its churn band."""
    c = Customer
    last, first = day_number(col(c.last_order_on)), day_number(col(c.first_order_on))
    since = day_number(sa.literal(today, sa.Date)) - last
    beyond_gap = sa.and_(
        col(c.order_count) >= 2,
        since > rules.gap_multiplier * rules.min_usual_gap_days,
        since * (col(c.order_count) - 1) > rules.gap_multiplier * (last - first),
    )
    dormant = sa.or_(col(c.last_order_on) < today - timedelta(days=rules.dormant_days), beyond_gap)
    won_back_until = now - timedelta(days=rules.won_back_days)
    return sa.case(
        (col(c.lost_at).is_not(None), "lost"),
        (sa.and_(col(c.dealt_at).is_(None), has_open_opportunity()), "interested"),
        (col(c.dealt_at).is_(None), "prospect"),
        (col(c.first_order_on) > today - timedelta(days=rules.new_days), "new"),
        (dormant, "dormant"),
        (col(c.stage) == "dormant", "won_back"),  # no longer dormant: an order came
        (sa.and_(col(c.stage) == "won_back", col(c.stage_since) > won_back_until), "won_back"),
        (band.in_(list(rules.serious_bands)), "at_risk"),
        else_="active",
    )


def update_stages(
    *, session: Session, workspace_id: str, rules: StageRules, today: date, now: datetime
) -> int:
    """Every customer's stage as of today; only the rows whose stage changes are written."""
    connection = session.connection()
    _fresh(connection, _stages)
    try:
        state = ChurnState.__table__  # type: ignore[attr-defined]
        stage = stage_expression(rules, today, now, state.c.band)
        changed = (
            sa.select(col(Customer.id), stage)
            .select_from(sa.outerjoin(Customer, state, state.c.customer_id == col(Customer.id)))
            .where(col(Customer.workspace_id) == workspace_id, col(Customer.stage) != stage)
        )
        connection.execute(sa.insert(_stages).from_select(["customer_id", "stage"], changed))
        _filled(connection, _stages)
        result = connection.execute(
            sa.update(Customer)
            .where(col(Customer.id) == _stages.c.customer_id)
            .values(stage=_stages.c.stage, stage_since=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)
    finally:
        _stages.drop(connection)


def update_retention(*, session: Session, workspace_id: str, today: date) -> tuple[int | None, int]:
    """Of the customers who ordered in the year before last, how many (in percent) ordered in the last
    year; kept on the workspace for the lifetime value."""
    year_ago, two_years_ago = today - timedelta(days=364), today - timedelta(days=729)
    day = col(CustomerOrder.ordered_on)
    per_customer = (
        sa.select(sa.func.max(sa.case((day >= year_ago, 1), else_=0)).label("again"))
        .where(col(CustomerOrder.workspace_id) == workspace_id, day >= two_years_ago, day <= today)
        .group_by(col(CustomerOrder.customer_id))
        .having(sa.func.min(day) < year_ago)
        .subquery()
    )
    base, kept = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(per_customer.c.again), 0))
    ).one()
    percent = round(int(kept) * 100 / int(base)) if base else None
    session.execute(
        sa.update(Workspace)
        .where(col(Workspace.id) == workspace_id)
        .values(retention_percent=percent, retention_base=int(base))
    )
    return percent, int(base)


_TOTALS_SINCE = sa.select(  # built once: the customer card reads it at every request
    sa.func.coalesce(sa.func.sum(col(CustomerOrder.amount_base_minor)), 0), sa.func.count()
).where(
    col(CustomerOrder.workspace_id) == sa.bindparam("ws"),
    col(CustomerOrder.customer_id) == sa.bindparam("customer"),
    col(CustomerOrder.ordered_on) >= sa.bindparam("since", type_=sa.Date),
)


def totals_since(*, session: Session, workspace_id: str, customer_id: int, since: date) -> tuple[int, int]:
    """(revenue, orders) of one customer since a day."""
    revenue, count = session.execute(
        _TOTALS_SINCE, {"ws": workspace_id, "customer": customer_id, "since": since}
    ).one()
    return int(revenue), int(count)


def refresh_stages(
    *, session: Session, customer_ids: Collection[int], rules: StageRules, today: date, now: datetime
) -> None:
    """These customers' stages as of today, as the nightly `update_stages` would set them (after one of
    their orders was corrected or deleted, an opportunity opened or closed, an import)."""
    if not customer_ids:
        return
    state = ChurnState.__table__  # type: ignore[attr-defined]
    band = sa.select(state.c.band).where(state.c.customer_id == col(Customer.id)).scalar_subquery()
    stage = stage_expression(rules, today, now, band)
    session.execute(
        sa.update(Customer)
        .where(col(Customer.id).in_(sorted(customer_ids)), col(Customer.stage) != stage)
        .values(stage=stage, stage_since=now, updated_at=now)
    )
