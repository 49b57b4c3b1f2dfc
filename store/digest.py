"""The manager digest's figures, each one grouped statement over an index: for a team (the Home), or
for every team of a morning at once (the digest job), each team's then picked from them in Python."""

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


# -- every team at once: the morning's digests read these, then pick each team's rows in Python -------


@dataclass(frozen=True)
class PoolMoves:
    """The window's ownership moves counted per kind and owners, for every team at once."""

    counts: Sequence[tuple[str, str | None, str | None, int]]  # (kind, from owner, to owner, moves)

    def of_team(self, reps: Sequence[str]) -> tuple[int, int]:
        """What `pool_moves` counts for these reps: (let go to the pool, taken from it)."""
        team = set(reps)
        went_in = sum(n for kind, before, _, n in self.counts if kind in _INTO_POOL and before in team)
        came_out = sum(
            n
            for kind, before, after, n in self.counts
            if kind in _OUT_OF_POOL and before is None and after in team
        )
        return went_in, came_out


_INTO_POOL = (MOVE_RELEASE, MOVE_RECYCLE)
_OUT_OF_POOL = (MOVE_CLAIM, MOVE_ASSIGN)


def pool_moves_of_all(*, session: Session, workspace_id: str, start: datetime, end: datetime) -> PoolMoves:
    """Every move to or from the pool in the window, counted per kind and owners (a day's moves: a few
    thousand groups at most)."""
    kind, before, after = (
        col(OwnershipEvent.kind),
        col(OwnershipEvent.from_owner_id),
        col(OwnershipEvent.to_owner_id),
    )
    rows = session.execute(
        sa.select(kind, before, after, sa.func.count())
        .where(
            col(OwnershipEvent.workspace_id) == workspace_id,
            col(OwnershipEvent.at) >= start,
            col(OwnershipEvent.at) < end,
            kind.in_((*_INTO_POOL, *_OUT_OF_POOL)),
        )
        .group_by(kind, before, after)
    )
    return PoolMoves([(str(r[0]), r[1], r[2], int(r[3])) for r in rows])


def latest_churn_changes(
    *, session: Session, workspace_id: str, owners: Sequence[str], start: datetime, end: datetime, limit: int
) -> list[BandChange]:
    """The latest `limit` band changes of each owner's customers in the window, latest first over all:
    a team's latest `limit` are the first `limit` of its owners' here (`team_churn_changes`)."""
    if not owners:
        return []
    place = sa.func.row_number().over(
        partition_by=col(Customer.owner_id), order_by=(col(ChurnChange.at).desc(), col(ChurnChange.id).desc())
    )
    ranked = (
        sa.select(
            col(ChurnChange.id), col(ChurnChange.at), col(ChurnChange.customer_id), col(Customer.name),
            col(Customer.owner_id), col(ChurnChange.from_band), col(ChurnChange.to_band), place.label("place"),
        )
        .join(Customer, col(Customer.id) == col(ChurnChange.customer_id))
        .where(
            col(ChurnChange.workspace_id) == workspace_id,
            col(ChurnChange.at) >= start,
            col(ChurnChange.at) < end,
            col(Customer.owner_id).in_(list(owners)),
        )
        .subquery()
    )  # fmt: skip
    rows = session.execute(
        sa.select(ranked).where(ranked.c.place <= limit).order_by(ranked.c.at.desc(), ranked.c.id.desc())
    )
    return [
        BandChange(int(r.customer_id), str(r.name), str(r.owner_id), str(r.from_band), str(r.to_band))
        for r in rows
    ]


def team_churn_changes(changes: Sequence[BandChange], reps: Sequence[str], limit: int) -> list[BandChange]:
    team = set(reps)
    return [change for change in changes if change.owner_id in team][:limit]
