"""The pipeline's figures, set-based: open opportunities by stage, the forecast of a period, and the
funnel (how far the opportunities opened in a window got, stage by stage)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from store.models import Customer, Opportunity, OpportunityChange, OpportunityStage


@dataclass(frozen=True)
class StageTotal:
    stage_id: int
    count: int
    amount: int  # in the workspace currency's minor units
    weighted: int  # each amount times its probability


@dataclass(frozen=True)
class Forecast:
    won: int  # won in the period
    committed: int  # won, plus open ones closing in it at COMMITTED_FROM % or more
    weighted: int  # won, plus each open one closing in it times its probability


@dataclass(frozen=True)
class Reached:
    """How many opportunities opened in the window reached a stage (won ones reached every open stage)."""

    stage_id: int
    count: int


COMMITTED_FROM = 70  # percent: the default negotiation stage's probability


def _of(workspace_id: str, owners: Sequence[str] | None) -> list[sa.ColumnElement[bool]]:
    where = [col(Opportunity.workspace_id) == workspace_id]
    if owners is not None:
        where.append(col(Opportunity.owner_id).in_(list(owners)))
    return where


@dataclass(frozen=True)
class Period:
    """A forecast's period: its days, and the instants its wins are counted between (its zone's)."""

    first_day: date
    after_last_day: date
    won_since: datetime
    won_until: datetime


@dataclass(frozen=True)
class Figures:
    totals: list[StageTotal]
    forecasts: list[Forecast]  # one for each period asked


def _weighted() -> sa.ColumnElement[int]:
    """An opportunity's amount times its probability, rounded half up (rules.opportunities.weighted_minor)."""
    return (col(Opportunity.amount_base_minor) * col(Opportunity.probability) + 50) // 100


def _summed(condition: sa.ColumnElement[bool], value: Any) -> Any:
    return sa.func.sum(sa.case((condition, value), else_=0))


def figures(
    session: Session,
    *,
    workspace_id: str,
    owners: Sequence[str] | None,
    periods: Sequence[Period],
    won_stages: Sequence[int],
) -> Figures:
    """Open opportunities of these owners (None: everyone's) by stage, and each period's forecast: what
    was won in it (closed in it at a won stage) and what is open and expected to close in it. Two
    reads from indexes alone: the open ones summed by stage, close day and probability (a few
    thousand sums, folded here into the stages and periods), then the few won since the earliest
    period began."""
    amount, close_on = col(Opportunity.amount_base_minor), col(Opportunity.expected_close_on)
    stage_id = Opportunity.__table__.c.stage_id  # type: ignore[attr-defined]
    # A team's grouped in no index's order: else SQLite's planner reads the whole workspace in order.
    stage = stage_id if owners is None else stage_id + sa.literal_column("0")
    keys = (stage, close_on, col(Opportunity.probability))
    query = (
        sa.select(*keys, sa.func.count(), sa.func.sum(amount), sa.func.sum(_weighted()))
        .where(*_of(workspace_id, owners), col(Opportunity.closed_at).is_(None))
        .group_by(*keys)  # the company's: in the order of the workspace's open index, no sort
    )
    sums = session.execute(query).all()
    by_stage: dict[int, list[int]] = {}
    closing = [[0, 0] for _ in periods]  # committed, weighted
    for stage_id, day, probability, count, summed, weighted in sums:
        total = by_stage.setdefault(int(stage_id), [0, 0, 0])
        total[0], total[1], total[2] = total[0] + count, total[1] + int(summed), total[2] + int(weighted)
        for place, period in enumerate(periods):
            if period.first_day <= day < period.after_last_day:
                closing[place][0] += int(summed) if probability >= COMMITTED_FROM else 0
                closing[place][1] += int(weighted)
    won = _won(session, _of(workspace_id, owners), periods, won_stages) if periods else []
    forecasts = [
        Forecast(won[place], won[place] + committed, won[place] + weighted)
        for place, (committed, weighted) in enumerate(closing)
    ]
    totals = [StageTotal(stage_id, *total) for stage_id, total in sorted(by_stage.items())]
    return Figures(totals, forecasts)


def _won(
    session: Session,
    where: list[sa.ColumnElement[bool]],
    periods: Sequence[Period],
    won_stages: Sequence[int],
) -> list[int]:
    """What was won in each period (closed in it at a won stage)."""
    closed_at = col(Opportunity.closed_at)
    columns = [
        _summed(
            sa.and_(closed_at >= period.won_since, closed_at < period.won_until),
            col(Opportunity.amount_base_minor),
        )
        for period in periods
    ]
    row = session.execute(
        sa.select(*columns).where(
            *where,
            col(Opportunity.stage_id).in_(list(won_stages)),
            closed_at >= min(period.won_since for period in periods),
            closed_at < max(period.won_until for period in periods),
        )
    ).one()
    return [int(value or 0) for value in row]


def reached(
    session: Session, *, workspace_id: str, owners: Sequence[str] | None, opened_since: datetime
) -> list[Reached]:
    """For each stage in use, how many of the opportunities opened since `opened_since` reached it: an
    open stage is reached by those whose history went there or past it, or that were won; the won
    stage by those won; the lost stage by those lost. Read from the owners' histories since that day
    alone (an opportunity opened since then changed only since then), each opportunity's changes
    together as the index keeps them, counted by how far each went (a few rows); the stages' totals
    are summed from those. A stage's place comes from the stages' list (retired ones too: a history
    may pass through them), not from a join per change."""
    stage = OpportunityStage.__table__  # type: ignore[attr-defined]
    stages = session.execute(
        sa.select(stage.c.id, stage.c.position, stage.c.outcome, stage.c.retired_at)
        .where(stage.c.workspace_id == workspace_id)
        .order_by(stage.c.position)
    ).all()
    rows = _furthest(session, workspace_id, owners, opened_since, stages)
    return [
        Reached(int(stage_id), _reaching(rows, position, outcome))
        for stage_id, position, outcome, retired_at in stages
        if retired_at is None
    ]


def _furthest(
    session: Session,
    workspace_id: str,
    owners: Sequence[str] | None,
    opened_since: datetime,
    stages: Sequence[Any],
) -> Sequence[Any]:
    """(furthest open position, won, lost, how many) of the opportunities opened since the day."""
    change = OpportunityChange.__table__  # type: ignore[attr-defined]
    places = {int(stage_id): int(position) for stage_id, position, outcome, _ in stages if outcome == "open"}
    place = sa.case(places, value=change.c.to_stage_id, else_=0) if places else sa.literal(0)
    mine = [change.c.workspace_id == workspace_id, change.c.at >= opened_since]
    if owners is not None:
        mine.append(change.c.owner_id.in_(list(owners)))
    each = (
        sa.select(
            sa.func.max(place).label("position"),
            sa.func.max(sa.case((change.c.change == "won", 1), else_=0)).label("won"),
            sa.func.max(sa.case((change.c.change == "lost", 1), else_=0)).label("lost"),
        )
        .where(*mine)
        .group_by(change.c.owner_id, change.c.opportunity_id)  # the index's order: no sort
        .having(sa.func.max(sa.case((change.c.change == "created", 1), else_=0)) == 1)
        .subquery("each")
    )
    return session.execute(
        sa.select(each.c.position, each.c.won, each.c.lost, sa.func.count()).group_by(
            each.c.position, each.c.won, each.c.lost
        )
    ).all()


def _reaching(rows: Sequence[Any], position: int, outcome: str) -> int:
    """How many of the counted opportunities reached the stage at `position` with `outcome`."""
    if outcome == "won":
        return sum(int(n) for _, won, _lost, n in rows if won)
    if outcome == "lost":
        return sum(int(n) for _, _won, lost, n in rows if lost)
    return sum(int(n) for furthest, won, _lost, n in rows if won or (furthest or 0) >= position)


@dataclass(frozen=True)
class DealLine:
    """An opportunity as the digest names it: what happened to it (a change, or its date slipping)."""

    number: int
    title: str
    customer_name: str
    owner_id: str
    change: str  # the history's change, or "slipped"
    from_stage_id: int | None
    to_stage_id: int
    amount: int  # in the workspace currency's minor units


def _lines(rows: Any) -> list[DealLine]:
    return [
        DealLine(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), r[5], int(r[6]), int(r[7]))
        for r in rows
    ]


def changes_between(
    session: Session, *, workspace_id: str, owners: Sequence[str], start: datetime, end: datetime, limit: int
) -> list[DealLine]:
    """The stage moves, wins and losses of these owners' opportunities in [start, end), latest first."""
    customer = Customer.__table__  # type: ignore[attr-defined]
    change = OpportunityChange.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        sa.select(
            col(Opportunity.id), col(Opportunity.title), customer.c.name, col(Opportunity.owner_id),
            change.c.change, change.c.from_stage_id, change.c.to_stage_id, change.c.amount_base_minor,
        )
        .join(Opportunity, sa.and_(col(Opportunity.workspace_id) == change.c.workspace_id,
                                   col(Opportunity.id) == change.c.opportunity_id))
        .join(customer, sa.and_(customer.c.workspace_id == col(Opportunity.workspace_id),
                                customer.c.id == col(Opportunity.customer_id)))
        .where(
            change.c.workspace_id == workspace_id, change.c.at >= start, change.c.at < end,
            change.c.change.in_(("moved", "won", "lost", "reopened")), col(Opportunity.owner_id).in_(list(owners)),
        )
        .order_by(change.c.at.desc())
        .limit(limit)
    )  # fmt: skip
    return _lines(rows)


def slipped_between(
    session: Session,
    *,
    workspace_id: str,
    owners: Sequence[str],
    first_day: date,
    after_last_day: date,
    limit: int,
) -> list[DealLine]:
    """These owners' open opportunities whose expected close date fell in [first_day, after_last_day):
    they slipped since the last digest."""
    customer = Customer.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        sa.select(
            col(Opportunity.id), col(Opportunity.title), customer.c.name, col(Opportunity.owner_id),
            sa.literal("slipped"), sa.null(), col(Opportunity.stage_id), col(Opportunity.amount_base_minor),
        )
        .join(customer, sa.and_(customer.c.workspace_id == col(Opportunity.workspace_id),
                                customer.c.id == col(Opportunity.customer_id)))
        .where(
            col(Opportunity.workspace_id) == workspace_id, col(Opportunity.owner_id).in_(list(owners)),
            col(Opportunity.closed_at).is_(None), col(Opportunity.expected_close_on) >= first_day,
            col(Opportunity.expected_close_on) < after_last_day,
        )
        .order_by(col(Opportunity.amount_base_minor).desc())
        .limit(limit)
    )  # fmt: skip
    return _lines(rows)
