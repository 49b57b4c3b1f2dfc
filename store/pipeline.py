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


def _summed(condition: sa.ColumnElement[bool], value: Any) -> Any:
    return sa.func.sum(sa.case((condition, value), else_=0))


def _sums(is_open: sa.ColumnElement[bool], period: Period | None, won_stages: Sequence[int]) -> list[Any]:
    """The open ones' count, amount and weighted amount; or a period's won, committed and weighted sums."""
    amount, probability = col(Opportunity.amount_base_minor), col(Opportunity.probability)
    weighted = (amount * probability + 50) // 100  # rounded half up, as rules.opportunities.weighted_minor
    if period is None:
        return [_summed(is_open, 1), _summed(is_open, amount), _summed(is_open, weighted)]
    closing = sa.and_(is_open, col(Opportunity.expected_close_on) >= period.first_day,
                      col(Opportunity.expected_close_on) < period.after_last_day)  # fmt: skip
    won = sa.and_(col(Opportunity.stage_id).in_(list(won_stages)), col(Opportunity.closed_at) >= period.won_since,
                  col(Opportunity.closed_at) < period.won_until)  # fmt: skip
    return [_summed(won, amount), _summed(sa.and_(closing, probability >= COMMITTED_FROM), amount),
            _summed(closing, weighted)]  # fmt: skip


def figures(
    session: Session,
    *,
    workspace_id: str,
    owners: Sequence[str] | None,
    periods: Sequence[Period],
    won_stages: Sequence[int],
) -> Figures:
    """Open opportunities of these owners (None: everyone's) by stage, and each period's forecast: what
    was won in it (closed in it at a won stage) and what is open and expected to close in it. One pass
    over the open ones and those closed since the earliest period began, grouped by stage."""
    is_open = col(Opportunity.closed_at).is_(None)
    columns = _sums(is_open, None, won_stages)
    for period in periods:
        columns += _sums(is_open, period, won_stages)
    earliest = min((period.won_since for period in periods), default=None)
    recent = is_open if earliest is None else sa.or_(is_open, col(Opportunity.closed_at) >= earliest)
    rows = session.execute(
        sa.select(col(Opportunity.stage_id), *columns)
        .where(*_of(workspace_id, owners), recent)
        .group_by(col(Opportunity.stage_id))
    ).all()
    totals = [StageTotal(int(r[0]), int(r[1] or 0), int(r[2] or 0), int(r[3] or 0)) for r in rows if r[1]]
    forecasts = []
    for place in range(len(periods)):
        won_total, committed, weighted_total = (
            sum(int(r[4 + 3 * place + k] or 0) for r in rows) for k in range(3)
        )
        forecasts.append(Forecast(won_total, won_total + committed, won_total + weighted_total))
    return Figures(totals, forecasts)


def reached(
    session: Session, *, workspace_id: str, owners: Sequence[str] | None, opened_since: datetime
) -> list[Reached]:
    """For each stage in use, how many of the opportunities opened since `opened_since` reached it: an
    open stage is reached by those whose history went there or past it, or that were won; the won
    stage by those won; the lost stage by those lost. Read from the owners' histories since that day
    alone (an opportunity opened since then changed only since then), counted by how far each went
    (a few rows); the stages' totals are summed from those."""
    stage = OpportunityStage.__table__  # type: ignore[attr-defined]
    change = OpportunityChange.__table__  # type: ignore[attr-defined]
    mine = [change.c.workspace_id == workspace_id, change.c.at >= opened_since]
    if owners is not None:
        mine.append(change.c.owner_id.in_(list(owners)))
    each = (
        sa.select(
            sa.func.max(sa.case((stage.c.outcome == "open", stage.c.position), else_=0)).label("position"),
            sa.func.max(sa.case((change.c.change == "won", 1), else_=0)).label("won"),
            sa.func.max(sa.case((change.c.change == "lost", 1), else_=0)).label("lost"),
        )
        .select_from(change.join(stage, sa.and_(stage.c.workspace_id == change.c.workspace_id,
                                                stage.c.id == change.c.to_stage_id)))
        .where(*mine)
        .group_by(change.c.opportunity_id)
        .having(sa.func.max(sa.case((change.c.change == "created", 1), else_=0)) == 1)
        .subquery("each")
    )  # fmt: skip
    rows = session.execute(
        sa.select(each.c.position, each.c.won, each.c.lost, sa.func.count()).group_by(
            each.c.position, each.c.won, each.c.lost
        )
    ).all()
    stages = session.execute(
        sa.select(stage.c.id, stage.c.position, stage.c.outcome)
        .where(stage.c.workspace_id == workspace_id, stage.c.retired_at.is_(None))
        .order_by(stage.c.position)
    ).all()
    return [
        Reached(int(stage_id), _reaching(rows, position, outcome)) for stage_id, position, outcome in stages
    ]


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
