"""The figures of the reports, set-based: each chart's numbers in one statement over the existing
tables, bucketed by week (or any run of equal periods) in SQL, for a team (a list of people) or the
whole workspace (None)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import (
    COMPLAINT_UNRESOLVED,
    MOVE_ASSIGN,
    MOVE_CLAIM,
    MOVE_RECYCLE,
    MOVE_RELEASE,
    ChurnChange,
    ChurnState,
    Complaint,
    Customer,
    HomeChart,
    Order,
    OwnershipEvent,
    Visit,
    WeeklyStanding,
)

FLOW_KINDS = (MOVE_CLAIM, MOVE_RELEASE, MOVE_RECYCLE, MOVE_ASSIGN)


def _bucket(column: Any, starts: Sequence[Any], step: timedelta) -> sa.Case[Any]:
    """Which of the periods starting at `starts` (each `step` long) a value falls in: 0, 1, … (NULL:
    none). A CASE of ranges: the same on both engines, and it keeps the column's index usable."""
    return sa.case(*((sa.and_(column >= start, column < start + step), n) for n, start in enumerate(starts)))


def visits_per_rep(
    *, session: Session, workspace_id: str, reps: Sequence[str], first_day: date, last_day: date
) -> dict[str, int]:
    """Visits each rep logged with a visit day in [first_day, last_day] (the rep index)."""
    if not reps:
        return {}
    rows = session.execute(
        sa.select(col(Visit.author_id), sa.func.count())
        .where(
            col(Visit.workspace_id) == workspace_id,
            col(Visit.author_id).in_(list(reps)),
            col(Visit.visited_on) >= first_day,
            col(Visit.visited_on) <= last_day,
        )
        .group_by(col(Visit.author_id))
    ).all()
    return {str(rep): int(count) for rep, count in rows}


def pool_flow(
    *, session: Session, workspace_id: str, people: Sequence[str] | None, starts: Sequence[datetime]
) -> list[dict[str, int]]:
    """Per week: customers claimed, released, recycled and assigned (to or from these people)."""
    event = OwnershipEvent
    week = _bucket(col(event.at), starts, timedelta(days=7))
    where = [
        col(event.workspace_id) == workspace_id,
        col(event.kind).in_(FLOW_KINDS),
        col(event.at) >= starts[0],
        col(event.at) < starts[-1] + timedelta(days=7),
    ]
    if people is not None:
        taken = sa.and_(
            col(event.kind).in_((MOVE_CLAIM, MOVE_ASSIGN)), col(event.to_owner_id).in_(list(people))
        )
        lost = sa.and_(
            col(event.kind).in_((MOVE_RELEASE, MOVE_RECYCLE)), col(event.from_owner_id).in_(list(people))
        )
        where.append(sa.or_(taken, lost))
    rows = session.execute(
        sa.select(week.label("week"), col(event.kind), sa.func.count())
        .where(*where)
        .group_by(week, col(event.kind))
    ).all()
    flow = [dict.fromkeys(FLOW_KINDS, 0) for _ in starts]
    for n, kind, count in rows:
        if n is not None:
            flow[int(n)][str(kind)] = int(count)
    return flow


def revenue_per_week(
    *, session: Session, workspace_id: str, owners: Sequence[str] | None, starts: Sequence[date]
) -> list[dict[str, int]]:
    """Per week (by order day): revenue in the workspace currency's minor units, per customer level
    (the level now), of the customers these people own (None: every customer)."""
    week = _bucket(col(Order.ordered_on), starts, timedelta(days=7))
    where = [
        col(Order.workspace_id) == workspace_id,
        col(Order.ordered_on) >= starts[0],
        col(Order.ordered_on) < starts[-1] + timedelta(days=7),
    ]
    if owners is not None:
        where.append(col(Customer.owner_id).in_(list(owners)))
    rows = session.execute(
        sa.select(week.label("week"), col(Customer.level), sa.func.sum(col(Order.amount_base_minor)))
        .join(Customer, col(Customer.id) == col(Order.customer_id))
        .where(*where)
        .group_by(week, col(Customer.level))
    ).all()
    revenue = [{"A": 0, "B": 0, "C": 0} for _ in starts]
    for n, level, total in rows:
        if n is not None:
            revenue[int(n)][str(level)] = int(total or 0)
    return revenue


def stages_now(*, session: Session, workspace_id: str, owners: Sequence[str] | None) -> dict[str, int]:
    where = [col(Customer.workspace_id) == workspace_id]
    if owners is not None:
        where.append(col(Customer.owner_id).in_(list(owners)))
    rows = session.execute(
        sa.select(col(Customer.stage), sa.func.count()).where(*where).group_by(col(Customer.stage))
    ).all()
    return {str(stage): int(count) for stage, count in rows}


def bands_now(*, session: Session, workspace_id: str, owners: Sequence[str] | None) -> dict[str, int]:
    state = ChurnState
    query = sa.select(col(state.band), sa.func.count()).where(col(state.workspace_id) == workspace_id)
    if owners is not None:
        query = query.join(Customer, col(Customer.id) == col(state.customer_id)).where(
            col(Customer.owner_id).in_(list(owners))
        )
    rows = session.execute(query.group_by(col(state.band))).all()
    return {str(band): int(count) for band, count in rows}


def bands_at(
    *, session: Session, workspace_id: str, owners: Sequence[str] | None, at: datetime
) -> dict[str, int]:
    """Each customer's band as of `at`: the band its last change before then moved it to."""
    change = ChurnChange
    latest = (
        sa.select(sa.func.max(col(change.id)).label("id"))
        .where(col(change.workspace_id) == workspace_id, col(change.at) <= at)
        .group_by(col(change.customer_id))
        .subquery()
    )
    query = sa.select(col(change.to_band), sa.func.count()).join(latest, latest.c.id == col(change.id))
    if owners is not None:
        query = query.join(Customer, col(Customer.id) == col(change.customer_id)).where(
            col(Customer.owner_id).in_(list(owners))
        )
    rows = session.execute(query.group_by(col(change.to_band))).all()
    return {str(band): int(count) for band, count in rows if band != "none"}


@dataclass(frozen=True)
class ComplaintFigures:
    filed: dict[str, int]  # per category
    resolve_hours: list[float]  # of those resolved in the period: hours from filing to resolving
    breached: int  # complaints whose time to respond or to resolve ran out in the period


def complaints_between(
    *, session: Session, workspace_id: str, assignees: Sequence[str] | None, start: datetime, end: datetime
) -> ComplaintFigures:
    c = Complaint
    scope = [col(c.workspace_id) == workspace_id]
    if assignees is not None:
        scope.append(col(c.assignee_id).in_(list(assignees)))
    filed = session.execute(
        sa.select(col(c.category), sa.func.count())
        .where(*scope, col(c.filed_at) >= start, col(c.filed_at) < end)
        .group_by(col(c.category))
    ).all()
    resolved = session.execute(
        sa.select(col(c.filed_at), col(c.resolved_at)).where(
            *scope, col(c.resolved_at) >= start, col(c.resolved_at) < end
        )
    ).all()
    in_period = sa.or_(
        sa.and_(col(c.respond_breached_at) >= start, col(c.respond_breached_at) < end),
        sa.and_(col(c.resolve_breached_at) >= start, col(c.resolve_breached_at) < end),
    )
    breached = session.execute(sa.select(sa.func.count()).where(*scope, in_period)).scalar_one()
    hours = [(done - filed_at).total_seconds() / 3600 for filed_at, done in resolved if done and filed_at]
    return ComplaintFigures({str(k): int(n) for k, n in filed}, sorted(hours), int(breached))


MIN_RATINGS = 2  # a satisfaction champion has at least this many rated visits in the week


def champion_figures(
    *, session: Session, workspace_id: str, start: datetime, end: datetime, first_day: date, last_day: date
) -> dict[str, dict[str, float]]:
    """Per measure, per rep, the week's figure: visits, new customers won (first orders of customers
    they own), revenue they logged, average satisfaction of their rated visits (at least MIN_RATINGS),
    complaints they resolved within the time to resolve."""
    ws = workspace_id
    in_days = (
        col(Visit.workspace_id) == ws,
        col(Visit.visited_on) >= first_day,
        col(Visit.visited_on) <= last_day,
    )
    rated = session.execute(
        sa.select(col(Visit.author_id), sa.func.avg(col(Visit.satisfaction)))
        .where(*in_days, col(Visit.satisfaction).is_not(None))
        .group_by(col(Visit.author_id))
        .having(sa.func.count() >= MIN_RATINGS)
    ).all()
    return {
        "visits": _per_rep(session, col(Visit.author_id), sa.func.count(), *in_days),
        "new_customers": _per_rep(
            session, col(Customer.owner_id), sa.func.count(), col(Customer.workspace_id) == ws,
            col(Customer.dealt_at) >= start, col(Customer.dealt_at) < end,
        ),
        "revenue": _per_rep(
            session, col(Order.author_id), sa.func.sum(col(Order.amount_base_minor)), col(Order.workspace_id) == ws,
            col(Order.ordered_on) >= first_day, col(Order.ordered_on) <= last_day,
        ),
        "satisfaction": {str(rep): round(float(avg), 2) for rep, avg in rated if rep},
        "complaints": _per_rep(
            session, col(Complaint.resolved_by), sa.func.count(), col(Complaint.workspace_id) == ws,
            col(Complaint.resolved_at) >= start, col(Complaint.resolved_at) < end,
            col(Complaint.resolve_breached_at).is_(None),
        ),
    }  # fmt: skip


def _per_rep(session: Session, rep: Any, figure: Any, *where: Any) -> dict[str, float]:
    rows = session.execute(sa.select(rep, figure).where(*where).group_by(rep)).all()
    return {str(who): float(value or 0) for who, value in rows if who}


def open_complaints(*, session: Session, workspace_id: str) -> dict[str | None, tuple[int, int]]:
    """Per assignee (None: not assigned), the complaints not yet resolved and how many of them missed a
    time (to respond or to resolve)."""
    c = Complaint
    breached = sa.or_(col(c.respond_breached_at).is_not(None), col(c.resolve_breached_at).is_not(None))
    rows = session.execute(
        sa.select(col(c.assignee_id), sa.func.count(), sa.func.sum(sa.case((breached, 1), else_=0)))
        .where(col(c.workspace_id) == workspace_id, col(c.status).in_(COMPLAINT_UNRESOLVED))
        .group_by(col(c.assignee_id))
    ).all()
    return {assignee: (int(count), int(late or 0)) for assignee, count, late in rows}


# -- what the Home keeps of them --------------------------------------------------------------------
HOME_CHARTS: sa.Table = HomeChart.__table__  # type: ignore[attr-defined]
STANDINGS: sa.Table = WeeklyStanding.__table__  # type: ignore[attr-defined]
STANDING_WEEKS_KEPT = 8


def replace_home_charts(
    *, session: Session, workspace_id: str, user_id: str, charts: Sequence[dict[str, Any]]
) -> None:
    """The person's Home charts, all at once (each: position, day, file_id, title, alt, created_at)."""
    mine = (HOME_CHARTS.c.workspace_id == workspace_id, HOME_CHARTS.c.user_id == user_id)
    session.execute(HOME_CHARTS.delete().where(*mine))
    if charts:
        session.execute(
            HOME_CHARTS.insert(), [{"workspace_id": workspace_id, "user_id": user_id, **c} for c in charts]
        )


def home_charts(*, session: Session, workspace_id: str, user_id: str) -> list[HomeChart]:
    return list(
        session.exec(
            select(HomeChart)
            .where(col(HomeChart.workspace_id) == workspace_id, col(HomeChart.user_id) == user_id)
            .order_by(col(HomeChart.position))
        ).all()
    )


def has_standings(*, session: Session, workspace_id: str, week: date) -> bool:
    found = session.execute(
        sa.select(STANDINGS.c.week)
        .where(STANDINGS.c.workspace_id == workspace_id, STANDINGS.c.week == week)
        .limit(1)
    ).first()
    return found is not None


def replace_standings(
    *, session: Session, workspace_id: str, week: date, rows: Sequence[dict[str, Any]]
) -> None:
    """One week's standings of everyone (each: user_id, measure, rank, value, ranked); weeks older than
    STANDING_WEEKS_KEPT before it forgotten."""
    oldest = week - timedelta(weeks=STANDING_WEEKS_KEPT)
    session.execute(
        STANDINGS.delete().where(
            STANDINGS.c.workspace_id == workspace_id,
            sa.or_(STANDINGS.c.week == week, STANDINGS.c.week < oldest),
        )
    )
    if rows:
        session.execute(
            STANDINGS.insert(), [{"workspace_id": workspace_id, "week": week, **row} for row in rows]
        )


def standings_of(
    *, session: Session, workspace_id: str, user_id: str, weeks: Sequence[date]
) -> list[WeeklyStanding]:
    return list(
        session.exec(
            select(WeeklyStanding).where(
                col(WeeklyStanding.workspace_id) == workspace_id,
                col(WeeklyStanding.user_id) == user_id,
                col(WeeklyStanding.week).in_(list(weeks)),
            )
        ).all()
    )


def standings_of_week(*, session: Session, workspace_id: str, week: date) -> list[WeeklyStanding]:
    """Everyone's standings of one week (an admin's team totals are their sums)."""
    return list(
        session.exec(
            select(WeeklyStanding).where(
                col(WeeklyStanding.workspace_id) == workspace_id, col(WeeklyStanding.week) == week
            )
        ).all()
    )
