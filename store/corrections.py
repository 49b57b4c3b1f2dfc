"""Visits and orders corrected or deleted, and the customer facts they decide, read again from the
records that remain (set-based: a few aggregates per customer, whatever its history)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from store.models import Customer, Order, Person, Visit

Record = Visit | Order
# A visit's day starts at different instants in different zones (up to 26 hours apart): the recycle
# clock's latest start is among the visits of the last days.
ZONE_SPREAD = timedelta(days=2)


def get_record(
    *, session: Session, model: type[Record], workspace_id: str, record_id: int, for_update: bool = False
) -> Record | None:
    record = session.get(model, record_id, with_for_update=for_update)
    if isinstance(record, Visit | Order) and record.workspace_id == workspace_id:
        return record
    return None


def update_if_unchanged(
    *, session: Session, model: type[Record], record_id: int, shown: dict[str, Any], values: dict[str, Any]
) -> bool:
    """Write `values` only if the record still holds what the form showed (False: someone was faster)."""
    table: sa.Table = model.__table__  # type: ignore[union-attr]
    still = [table.c[name].is_not_distinct_from(value) for name, value in shown.items()]
    result = session.execute(sa.update(table).where(table.c.id == record_id, *still).values(**values))
    session.expire_all()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def delete_record(*, session: Session, record: Record) -> None:
    session.delete(record)
    session.flush()


@dataclass(frozen=True)
class VisitFacts:
    """What the remaining visits say about their customer."""

    last_visit_on: date | None
    last_satisfaction: int | None
    last_satisfaction_on: date | None
    latest: Sequence[tuple[date, str]]  # (day, the author's time zone) of the last days' visits


def visit_facts(*, session: Session, workspace_id: str, customer_id: int) -> VisitFacts:
    of_customer = (col(Visit.workspace_id) == workspace_id, col(Visit.customer_id) == customer_id)
    last_day = session.execute(sa.select(sa.func.max(col(Visit.visited_on))).where(*of_customer)).scalar()
    rated = session.execute(
        sa.select(col(Visit.satisfaction), col(Visit.visited_on))
        .where(*of_customer, col(Visit.satisfaction).is_not(None))
        .order_by(col(Visit.visited_on).desc(), col(Visit.id).desc())
        .limit(1)
    ).first()
    latest: Sequence[tuple[date, str]] = []
    if last_day is not None:
        zone = sa.func.coalesce(col(Person.timezone), "UTC")
        latest = [
            (row[0], row[1])
            for row in session.execute(
                sa.select(col(Visit.visited_on), zone)
                .outerjoin(
                    Person,
                    sa.and_(
                        col(Person.workspace_id) == workspace_id, col(Person.user_id) == col(Visit.author_id)
                    ),
                )
                .where(*of_customer, col(Visit.visited_on) >= last_day - ZONE_SPREAD)
            )
        ]
    return VisitFacts(last_day, rated[0] if rated else None, rated[1] if rated else None, latest)


@dataclass(frozen=True)
class OrderFacts:
    count: int
    first_order_on: date | None
    last_order_on: date | None
    first_logged_at: datetime | None  # the deal: when the first order that remains was logged


def order_facts(*, session: Session, workspace_id: str, customer_id: int) -> OrderFacts:
    row = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.min(col(Order.ordered_on)),
            sa.func.max(col(Order.ordered_on)),
            sa.func.min(col(Order.created_at)),
        ).where(col(Order.workspace_id) == workspace_id, col(Order.customer_id) == customer_id)
    ).one()
    return OrderFacts(int(row[0]), row[1], row[2], row[3])


def save_facts(*, session: Session, customer_id: int, values: dict[str, Any]) -> Customer:
    session.execute(sa.update(Customer).where(col(Customer.id) == customer_id).values(**values))
    fresh = session.get(Customer, customer_id, populate_existing=True)
    assert fresh is not None
    return fresh
