"""The App Home's own queries: pages of an owner's follow-ups and of customers at risk (the Home shows
the first rows, a "See all" modal the next pages), the claims made today, undeliverable messages
counted, and which people the nightly publish has already done today."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.churn import RiskRow as RiskRow
from store.churn import risk_columns
from store.models import ChurnState, Customer, JobMark, OutboxMessage, Person
from store.outbox import FAILED


def _follow_ups(workspace_id: str, owner_id: str, start: date | None, through: date) -> list[Any]:
    conditions = [
        col(Customer.workspace_id) == workspace_id,
        col(Customer.owner_id) == owner_id,
        col(Customer.next_follow_up) <= through,
    ]
    if start is not None:
        conditions.append(col(Customer.next_follow_up) >= start)
    return conditions


def follow_ups_page(
    *,
    session: Session,
    workspace_id: str,
    owner_id: str,
    start: date | None,
    through: date,
    offset: int,
    limit: int,
) -> tuple[list[Customer], int]:
    """The owner's customers with a follow-up between `start` (or ever) and `through`, oldest first:
    one page, and how many there are in all (both ranges of ix_customer_owner_follow_up)."""
    where = _follow_ups(workspace_id, owner_id, start, through)
    total = int(session.scalar(sa.select(sa.func.count()).select_from(Customer).where(*where)) or 0)
    if not total:
        return [], 0
    rows = session.exec(
        select(Customer)
        .where(*where)
        .order_by(col(Customer.next_follow_up), col(Customer.name), col(Customer.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


def at_risk_page(
    *,
    session: Session,
    workspace_id: str,
    owners: Sequence[str],
    bands: Sequence[str],
    rank: Mapping[str, int],
    offset: int,
    limit: int,
) -> tuple[list[RiskRow], int]:
    """These owners' customers in `bands`, most serious first (band, then score): one page and the
    count, in one pass. Only customers who ordered are scored, so the owners' entries of
    ix_customer_owner_dealt past NULL drive the join (churn_state has no index on the band)."""
    if not owners:
        return [], 0
    state = ChurnState.__table__  # type: ignore[attr-defined]
    where = (
        col(Customer.workspace_id) == workspace_id,
        col(Customer.owner_id).in_(list(owners)),
        col(Customer.dealt_at).is_not(None),
        state.c.band.in_(list(bands)),
    )
    joined = sa.join(Customer, state, state.c.customer_id == col(Customer.id))
    rows = session.execute(
        sa.select(*risk_columns(state), sa.func.count().over().label("total"))
        .select_from(joined)
        .where(*where)
        .order_by(sa.case(rank, value=state.c.band, else_=0).desc(), state.c.score.desc(),
                  col(Customer.name), col(Customer.id))
        .offset(offset)
        .limit(limit)
    ).all()  # fmt: skip
    if not rows:  # past the last page (or none at all): the count alone
        return [], int(session.scalar(sa.select(sa.func.count()).select_from(joined).where(*where)) or 0)
    return [RiskRow(*row) for row in rows], int(rows[0].total)


def claims_on(*, session: Session, workspace_id: str, user_id: str, day: date) -> int:
    """Claims the person made on `day` (their own day): the claim's counter, read without counting."""
    query = sa.select(col(Person.claims_on_day)).where(
        col(Person.workspace_id) == workspace_id,
        col(Person.user_id) == user_id,
        col(Person.claims_day) == day,
    )
    return int(session.scalar(query) or 0)


def count_undeliverable(*, session: Session, workspace_id: str) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(col(OutboxMessage.workspace_id) == workspace_id, col(OutboxMessage.status) == FAILED)
    )
    return int(session.scalar(query) or 0)


def marked(
    *, session: Session, workspace_id: str, jobs: Sequence[str], periods: Sequence[str]
) -> set[tuple[str, str]]:
    """Which (job, period) pairs are already done: a catch-up run skips them."""
    if not jobs or not periods:
        return set()
    rows = session.execute(
        sa.select(col(JobMark.job), col(JobMark.period)).where(
            col(JobMark.workspace_id) == workspace_id,
            col(JobMark.job).in_(list(jobs)),
            col(JobMark.period).in_(list(periods)),
        )
    )
    return {(str(job), str(period)) for job, period in rows}


@dataclass(frozen=True)
class Member:
    user_id: str
    role: str  # as stored; Slack admins and ADMIN_USER_IDS are admins whatever it says
    manager_id: str | None
    is_slack_admin: bool
    is_deleted: bool


def members(*, session: Session, workspace_id: str) -> list[Member]:
    """Everyone but guests, by name: only the columns an admin's Home needs (no ORM objects: it reads
    the whole workspace each time it is opened)."""
    rows = session.execute(
        sa.select(
            col(Person.user_id),
            col(Person.role),
            col(Person.manager_id),
            col(Person.is_slack_admin),
            col(Person.is_deleted),
        )
        .where(col(Person.workspace_id) == workspace_id, col(Person.is_guest).is_(False))
        .order_by(col(Person.name), col(Person.user_id))
    )
    return [Member(*row) for row in rows]
