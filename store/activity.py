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


# Built once: the card reads these on every /customer answer, and building a statement costs more
# Python than running it. Values arrive as bound parameters.
_WS: sa.BindParameter[str] = sa.bindparam("ws")
_CUSTOMER: sa.BindParameter[int] = sa.bindparam("customer")
_LIMIT: sa.BindParameter[int] = sa.bindparam("limit")
_RECENT_VISITS = (
    select(Visit)
    .where(col(Visit.workspace_id) == _WS, col(Visit.customer_id) == _CUSTOMER)
    .order_by(col(Visit.visited_on).desc(), col(Visit.id).desc())
    .limit(_LIMIT)
)
_RECENT_ORDERS = (
    select(Order)
    .where(col(Order.workspace_id) == _WS, col(Order.customer_id) == _CUSTOMER)
    .order_by(col(Order.ordered_on).desc(), col(Order.id).desc())
    .limit(_LIMIT)
)
_ORDER_TOTALS = sa.select(
    sa.func.count(), sa.func.coalesce(sa.func.sum(col(Order.amount_base_minor)), 0)
).where(col(Order.workspace_id) == _WS, col(Order.customer_id) == _CUSTOMER)


def recent_visits(*, session: Session, workspace_id: str, customer_id: int, limit: int) -> Sequence[Visit]:
    params = {"ws": workspace_id, "customer": customer_id, "limit": limit}
    return session.exec(_RECENT_VISITS, params=params).all()


def recent_orders(*, session: Session, workspace_id: str, customer_id: int, limit: int) -> Sequence[Order]:
    params = {"ws": workspace_id, "customer": customer_id, "limit": limit}
    return session.exec(_RECENT_ORDERS, params=params).all()


def order_totals(*, session: Session, workspace_id: str, customer_id: int) -> tuple[int, int]:
    """(number of orders, total in the workspace currency's minor units)."""
    row = session.execute(_ORDER_TOTALS, {"ws": workspace_id, "customer": customer_id}).one()
    return int(row[0]), int(row[1])
