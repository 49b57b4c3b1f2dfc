"""Visits and orders: the customer's history."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import Order, Visit


def add_visit(*, session: Session, visit: Visit) -> Visit:
    session.add(visit)
    session.flush()
    return visit


def add_order(*, session: Session, order: Order) -> Order:
    session.add(order)
    session.flush()
    return order


def recent_visits(*, session: Session, workspace_id: str, customer_id: int, limit: int) -> Sequence[Visit]:
    return session.exec(
        select(Visit)
        .where(Visit.workspace_id == workspace_id, Visit.customer_id == customer_id)
        .order_by(col(Visit.visited_on).desc(), col(Visit.id).desc())
        .limit(limit)
    ).all()


def recent_orders(*, session: Session, workspace_id: str, customer_id: int, limit: int) -> Sequence[Order]:
    return session.exec(
        select(Order)
        .where(Order.workspace_id == workspace_id, Order.customer_id == customer_id)
        .order_by(col(Order.ordered_on).desc(), col(Order.id).desc())
        .limit(limit)
    ).all()


def order_totals(*, session: Session, workspace_id: str, customer_id: int) -> tuple[int, int]:
    """(number of orders, total in the workspace currency's minor units)."""
    row = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(col(Order.amount_base_minor)), 0)).where(
            col(Order.workspace_id) == workspace_id, col(Order.customer_id) == customer_id
        )
    ).one()
    return int(row[0]), int(row[1])
