"""The manager digest's figures for a team, each one grouped statement over an index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import (
    MOVE_ASSIGN,
    MOVE_CLAIM,
    MOVE_RECYCLE,
    MOVE_RELEASE,
    ChurnChange,
    Customer,
    OwnershipEvent,
    Visit,
)


@dataclass(frozen=True)
class RepVisits:
    last_day: int
    this_week: int


def visits_by_rep(
    *, session: Session, workspace_id: str, reps: Sequence[str], last_day: date, week_start: date, today: date
) -> dict[str, RepVisits]:
    """Visits each rep logged on `last_day` and from `week_start` up to today."""
    on_last_day = sa.func.sum(sa.case((col(Visit.visited_on) == last_day, 1), else_=0))
    in_week = sa.func.sum(sa.case((col(Visit.visited_on) >= week_start, 1), else_=0))
    rows = session.execute(
        sa.select(col(Visit.author_id), on_last_day, in_week)
        .where(
            col(Visit.workspace_id) == workspace_id,
            col(Visit.author_id).in_(list(reps)),
            col(Visit.visited_on) >= min(last_day, week_start),
            col(Visit.visited_on) <= today,
        )
        .group_by(col(Visit.author_id))
    )
    return {row[0]: RepVisits(int(row[1] or 0), int(row[2] or 0)) for row in rows}


def overdue_by_rep(
    *, session: Session, workspace_id: str, reps: Sequence[str], today: date
) -> dict[str, int]:
    rows = session.execute(
        sa.select(col(Customer.owner_id), sa.func.count())
        .where(
            col(Customer.workspace_id) == workspace_id,
            col(Customer.owner_id).in_(list(reps)),
            col(Customer.next_follow_up) < today,
        )
        .group_by(col(Customer.owner_id))
    )
    return {str(row[0]): int(row[1]) for row in rows}


def pool_moves(
    *, session: Session, workspace_id: str, reps: Sequence[str], start: datetime, end: datetime
) -> tuple[int, int]:
    """Customers the team let go to the pool (released, recycled) and took from it (claimed, assigned)."""
    team = list(reps)
    went_in = sa.and_(
        col(OwnershipEvent.kind).in_((MOVE_RELEASE, MOVE_RECYCLE)),
        col(OwnershipEvent.from_owner_id).in_(team),
    )
    came_out = sa.and_(
        col(OwnershipEvent.kind).in_((MOVE_CLAIM, MOVE_ASSIGN)),
        col(OwnershipEvent.to_owner_id).in_(team),
        col(OwnershipEvent.from_owner_id).is_(None),
    )
    row = session.execute(
        sa.select(
            sa.func.sum(sa.case((went_in, 1), else_=0)), sa.func.sum(sa.case((came_out, 1), else_=0))
        ).where(
            col(OwnershipEvent.workspace_id) == workspace_id,
            col(OwnershipEvent.at) >= start,
            col(OwnershipEvent.at) < end,
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


@dataclass(frozen=True)
class BandChange:
    customer_id: int
    name: str
    owner_id: str
    from_band: str
    to_band: str


def churn_changes(
    *, session: Session, workspace_id: str, reps: Sequence[str], start: datetime, end: datetime, limit: int
) -> list[BandChange]:
    rows = session.execute(
        sa.select(
            col(ChurnChange.customer_id),
            col(Customer.name),
            col(Customer.owner_id),
            col(ChurnChange.from_band),
            col(ChurnChange.to_band),
        )
        .join(Customer, col(Customer.id) == col(ChurnChange.customer_id))
        .where(
            col(ChurnChange.workspace_id) == workspace_id,
            col(ChurnChange.at) >= start,
            col(ChurnChange.at) < end,
            col(Customer.owner_id).in_(list(reps)),
        )
        .order_by(col(ChurnChange.at).desc())
        .limit(limit)
    )
    return [BandChange(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows]


def owned_by(
    *, session: Session, workspace_id: str, owners: Sequence[str], limit: int
) -> tuple[list[Customer], int]:
    """Some customers of these owners (deactivated members: to reassign), and how many in all."""
    if not owners:
        return [], 0
    where = (col(Customer.workspace_id) == workspace_id, col(Customer.owner_id).in_(list(owners)))
    total = int(session.scalar(sa.select(sa.func.count()).select_from(Customer).where(*where)) or 0)
    found = session.exec(select(Customer).where(*where).order_by(col(Customer.name)).limit(limit)).all()
    return list(found), total
