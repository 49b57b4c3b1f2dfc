"""Follow-ups due: each owner's customers whose next follow-up has come, a few per owner, in one query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from store.models import Customer


@dataclass(frozen=True)
class DueRow:
    owner_id: str
    customer_id: int
    name: str
    level: str
    next_follow_up: date
    last_visit_on: date | None
    total: int  # how many the owner has due in all


def due_follow_ups(
    *, session: Session, workspace_id: str, owner_ids: Sequence[str], through: date, per_owner: int
) -> list[DueRow]:
    """The `per_owner` most overdue follow-ups of each owner (due on or before `through`), with the count
    of all of them: one statement, each owner an index range of ix_customer_owner_follow_up."""
    if not owner_ids:
        return []
    ranked = (
        sa.select(
            col(Customer.owner_id),
            col(Customer.id),
            col(Customer.name),
            col(Customer.level),
            col(Customer.next_follow_up),
            col(Customer.last_visit_on),
            sa.func.row_number()
            .over(
                partition_by=col(Customer.owner_id), order_by=(col(Customer.next_follow_up), col(Customer.id))
            )
            .label("place"),
            sa.func.count().over(partition_by=col(Customer.owner_id)).label("total"),
        )
        .where(
            col(Customer.workspace_id) == workspace_id,
            col(Customer.owner_id).in_(list(owner_ids)),
            col(Customer.next_follow_up) <= through,
        )
        .subquery()
    )
    rows = session.execute(
        sa.select(ranked).where(ranked.c.place <= per_owner).order_by(ranked.c.owner_id, ranked.c.place)
    )
    return [
        DueRow(row.owner_id, row.id, row.name, row.level, row.next_follow_up, row.last_visit_on, row.total)
        for row in rows
    ]
