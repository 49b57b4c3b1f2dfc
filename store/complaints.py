"""Complaints and their handling steps: conditional status changes, lists, and the SLA job's range."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.churn import Scoring
from store.models import COMPLAINT_UNRESOLVED, Complaint, ComplaintEvent, Customer
from store.sql import Bind


def churn_signal(scoring: Scoring) -> sa.Select[Any]:
    """The churn signal: `complaints_in_window` or more complaints in the window, or an urgent one open."""
    recent = col(Complaint.filed_at) >= scoring.complaints_since()
    urgent_open = sa.and_(
        col(Complaint.severity) == "urgent", col(Complaint.status).in_(list(COMPLAINT_UNRESOLVED))
    )
    return (
        sa.select(col(Complaint.customer_id))
        .join(Customer, col(Customer.id) == col(Complaint.customer_id))
        .where(
            col(Complaint.workspace_id) == scoring.workspace_id,
            col(Customer.dealt_at).is_not(None),
            sa.or_(recent, urgent_open),
        )
        .group_by(col(Complaint.customer_id))
        .having(
            sa.or_(
                sa.func.sum(sa.case((recent, 1), else_=0)) >= scoring.complaints_in_window,
                sa.func.sum(sa.case((urgent_open, 1), else_=0)) >= 1,
            )
        )
    )


@dataclass(frozen=True)
class ComplaintFacts:
    recent: int  # filed in the window
    urgent_open: bool


def churn_facts(
    *, session: Session, scoring: Scoring, customer_ids: Sequence[int]
) -> dict[int, ComplaintFacts]:
    """For the few customers being warned: their complaints in the window and whether an urgent one is open."""
    if not customer_ids:
        return {}
    recent = col(Complaint.filed_at) >= scoring.complaints_since()
    urgent_open = sa.and_(
        col(Complaint.severity) == "urgent", col(Complaint.status).in_(list(COMPLAINT_UNRESOLVED))
    )
    rows = session.execute(
        sa.select(
            col(Complaint.customer_id),
            sa.func.sum(sa.case((recent, 1), else_=0)),
            sa.func.sum(sa.case((urgent_open, 1), else_=0)),
        )
        .where(
            col(Complaint.workspace_id) == scoring.workspace_id,
            col(Complaint.customer_id).in_(list(customer_ids)),
        )
        .group_by(col(Complaint.customer_id))
    )
    return {int(r[0]): ComplaintFacts(int(r[1] or 0), bool(r[2])) for r in rows}


def add(*, session: Session, complaint: Complaint, event: ComplaintEvent) -> Complaint:
    session.add(complaint)
    session.flush()
    event.complaint_id = complaint.id or 0
    session.add(event)
    session.flush()
    return complaint


def get(*, session: Session, workspace_id: str, complaint_id: int) -> Complaint | None:
    complaint = session.get(Complaint, complaint_id)
    return complaint if complaint is not None and complaint.workspace_id == workspace_id else None


def change(
    *,
    session: Session,
    complaint: Complaint,
    from_statuses: Sequence[str],
    values: dict[str, Any],
    event: ComplaintEvent,
) -> bool:
    """Apply `values` if the complaint is still in one of `from_statuses` and still has the assignee
    it was read with (a conditional UPDATE), and write the step; False when someone was quicker."""
    result = session.execute(
        sa.update(Complaint)
        .where(
            col(Complaint.id) == complaint.id,
            col(Complaint.status).in_(list(from_statuses)),
            _same_assignee(complaint.assignee_id),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.add(event)
    return True


def _same_assignee(assignee_id: str | None) -> sa.ColumnElement[bool]:
    column = col(Complaint.assignee_id)
    return column.is_(None) if assignee_id is None else column == assignee_id


def add_event(*, session: Session, event: ComplaintEvent) -> None:
    session.add(event)


def events(*, session: Session, complaint_id: int) -> Sequence[ComplaintEvent]:
    return session.exec(
        select(ComplaintEvent)
        .where(col(ComplaintEvent.complaint_id) == complaint_id)
        .order_by(col(ComplaintEvent.at), col(ComplaintEvent.id))
    ).all()


def set_posted(*, session: Bind, complaint_id: int, channel: str, ts: str) -> None:
    session.execute(
        sa.update(Complaint)
        .where(col(Complaint.id) == complaint_id)
        .values(channel_id=channel, message_ts=ts)
    )


@dataclass(frozen=True)
class Listed:
    complaint: Complaint
    customer_name: str


def listing(
    *,
    session: Session,
    workspace_id: str,
    assignees: Sequence[str | None] | None,
    unresolved_only: bool,
    limit: int,
) -> tuple[list[Listed], int]:
    """Complaints assigned to `assignees` (None: all; a None inside: the admins' unassigned ones),
    newest first, at most `limit`, with the count of all that match."""
    conditions: list[sa.ColumnElement[bool]] = [col(Complaint.workspace_id) == workspace_id]
    if assignees is not None:
        named = [a for a in assignees if a is not None]
        who = [col(Complaint.assignee_id).in_(named)]
        if None in assignees:
            who.append(col(Complaint.assignee_id).is_(None))
        conditions.append(sa.or_(*who))
    if unresolved_only:
        conditions.append(col(Complaint.status).in_(list(COMPLAINT_UNRESOLVED)))
    total = session.execute(sa.select(sa.func.count()).select_from(Complaint).where(*conditions)).scalar_one()
    rows = session.execute(
        sa.select(Complaint, col(Customer.name))
        .join(Customer, col(Customer.id) == col(Complaint.customer_id))
        .where(*conditions)
        .order_by(col(Complaint.filed_at).desc(), col(Complaint.id).desc())
        .limit(limit)
    ).all()
    return [Listed(row[0], str(row[1])) for row in rows], int(total)


_OF_CUSTOMER = (  # built once: the customer card reads it at every request
    select(Complaint)
    .where(
        col(Complaint.workspace_id) == sa.bindparam("ws"),
        col(Complaint.customer_id) == sa.bindparam("customer"),
    )
    .order_by(col(Complaint.filed_at).desc(), col(Complaint.id).desc())
    .limit(sa.bindparam("limit"))
)


def of_customer(*, session: Session, workspace_id: str, customer_id: int, limit: int) -> Sequence[Complaint]:
    return session.exec(
        _OF_CUSTOMER, params={"ws": workspace_id, "customer": customer_id, "limit": limit}
    ).all()


def sla_due(*, session: Session, workspace_id: str, now: datetime, limit: int) -> Sequence[Complaint]:
    """A workspace's complaints whose next nudge or breach has come: one range of the partial index."""
    return session.exec(
        select(Complaint)
        .where(
            col(Complaint.sla_check_at).is_not(None),
            col(Complaint.sla_check_at) <= now,
            col(Complaint.workspace_id) == workspace_id,
        )
        .order_by(col(Complaint.sla_check_at), col(Complaint.id))
        .limit(limit)
    ).all()


def record_sla(
    *, session: Session, complaint: Complaint, values: dict[str, Any], events: Sequence[ComplaintEvent]
) -> bool:
    """The SLA steps taken for a complaint, if it has not changed since it was read."""
    result = session.execute(
        sa.update(Complaint)
        .where(
            col(Complaint.id) == complaint.id,
            col(Complaint.sla_done) == complaint.sla_done,
            col(Complaint.status) == complaint.status,
            _same_assignee(complaint.assignee_id),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    for event in events:
        session.add(event)
    return True


@dataclass(frozen=True)
class TeamComplaints:
    open_count: int
    breached: list[Listed]


def of_team(*, session: Session, workspace_id: str, assignees: Sequence[str], limit: int) -> TeamComplaints:
    """The team's unresolved complaints: how many, and those past an SLA deadline (the digest)."""
    mine = [
        col(Complaint.workspace_id) == workspace_id,
        col(Complaint.assignee_id).in_(list(assignees)),
        col(Complaint.status).in_(list(COMPLAINT_UNRESOLVED)),
    ]
    count = session.execute(sa.select(sa.func.count()).select_from(Complaint).where(*mine)).scalar_one()
    breached = session.execute(
        sa.select(Complaint, col(Customer.name))
        .join(Customer, col(Customer.id) == col(Complaint.customer_id))
        .where(
            *mine,
            sa.or_(
                col(Complaint.respond_breached_at).is_not(None),
                col(Complaint.resolve_breached_at).is_not(None),
            ),
        )
        .order_by(col(Complaint.filed_at))
        .limit(limit)
    ).all()
    return TeamComplaints(int(count), [Listed(row[0], str(row[1])) for row in breached])


@dataclass(frozen=True)
class AssigneesComplaints:
    """Unresolved complaints of many assignees at once (every team of a morning's digests)."""

    open_counts: dict[str, int]
    breached: list[Listed]  # each assignee's first `limit` past a deadline, oldest first over all

    def of_team(self, assignees: Sequence[str], limit: int) -> TeamComplaints:
        """What `of_team` reads for these assignees: a team's oldest `limit` are the first of theirs here."""
        team = set(assignees)
        count = sum(self.open_counts.get(assignee, 0) for assignee in team)
        return TeamComplaints(
            count, [row for row in self.breached if row.complaint.assignee_id in team][:limit]
        )


def of_assignees(
    *, session: Session, workspace_id: str, assignees: Sequence[str], limit: int
) -> AssigneesComplaints:
    """Every team's unresolved complaints in two statements: how many per assignee, and each assignee's
    oldest `limit` past an SLA deadline."""
    mine = [
        col(Complaint.workspace_id) == workspace_id,
        col(Complaint.assignee_id).in_(list(assignees)),
        col(Complaint.status).in_(list(COMPLAINT_UNRESOLVED)),
    ]
    counts = session.execute(
        sa.select(col(Complaint.assignee_id), sa.func.count())
        .where(*mine)
        .group_by(col(Complaint.assignee_id))
    )
    oldest = (col(Complaint.filed_at), col(Complaint.id))
    place = sa.func.row_number().over(partition_by=col(Complaint.assignee_id), order_by=oldest)
    ranked = (
        sa.select(col(Complaint.id), place.label("place"))
        .where(
            *mine,
            sa.or_(
                col(Complaint.respond_breached_at).is_not(None),
                col(Complaint.resolve_breached_at).is_not(None),
            ),
        )
        .subquery()
    )
    breached = session.execute(
        sa.select(Complaint, col(Customer.name))
        .join(Customer, col(Customer.id) == col(Complaint.customer_id))
        .join(ranked, ranked.c.id == col(Complaint.id))
        .where(ranked.c.place <= limit)
        .order_by(*oldest)
    ).all()
    return AssigneesComplaints(
        {str(row[0]): int(row[1]) for row in counts}, [Listed(row[0], str(row[1])) for row in breached]
    )
