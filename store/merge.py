"""Merging a duplicate into its survivor: what it had moves over in a few set-based statements, its
search terms lead to the survivor, and its row is kept aside under the merged namespace."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import (
    ApprovalRequest,
    ChurnChange,
    ChurnState,
    Complaint,
    Contact,
    Customer,
    CustomerChange,
    CustomerTerm,
    ExtensionRequest,
    Order,
    OwnershipEvent,
    Visit,
)

# Everything a customer has that is part of its story: it follows the customer into the survivor.
MOVED_WITH_IT = (
    Visit, Order, Complaint, OwnershipEvent, CustomerChange, ExtensionRequest, ApprovalRequest, ChurnChange,
    Contact,
)  # fmt: skip


def merged_namespace(workspace_id: str) -> str:
    """Where merged customers' rows are kept: no query of the workspace reads it."""
    return f"{workspace_id}~merged"


def lock_pair(*, session: Session, workspace_id: str, ids: tuple[int, int]) -> dict[int, Customer]:
    """Both customers, locked in the order of their ids (two merges at once never wait on each other
    in a circle); only those still live in the workspace."""
    rows = session.exec(
        select(Customer)
        .where(col(Customer.workspace_id) == workspace_id, col(Customer.id).in_(sorted(ids)))
        .order_by(col(Customer.id))
        .with_for_update()
    ).all()
    return {row.id: row for row in rows if row.id is not None}


def move_story(*, session: Session, workspace_id: str, from_id: int, to_id: int) -> dict[str, int]:
    """Visits, orders, complaints, contacts and the whole history move to the survivor; how many of
    each. The duplicate's contacts come as others: the survivor keeps its primary contact, if it has one."""
    has_primary = sa.exists().where(col(Contact.customer_id) == to_id, col(Contact.is_primary))
    session.execute(
        sa.update(Contact).where(col(Contact.customer_id) == from_id, has_primary).values(is_primary=False)
    )
    moved = {}
    for model in MOVED_WITH_IT:
        table: sa.Table = model.__table__  # type: ignore[union-attr]
        result = session.execute(
            sa.update(table)
            .where(table.c.workspace_id == workspace_id, table.c.customer_id == from_id)
            .values(customer_id=to_id)
        )
        moved[table.name] = int(result.rowcount)  # type: ignore[attr-defined]
    # The duplicate's churn state is not the survivor's: the nightly churn scores the survivor again.
    session.execute(sa.delete(ChurnState).where(col(ChurnState.customer_id) == from_id))
    return moved


def move_terms(
    *, session: Session, workspace_id: str, from_id: int, to_id: int, terms: Iterable[str]
) -> None:
    """The duplicate's name still finds the survivor: its terms become the survivor's (each once)."""
    have = set(session.exec(select(CustomerTerm.term).where(col(CustomerTerm.customer_id) == to_id)).all())
    session.execute(sa.delete(CustomerTerm).where(col(CustomerTerm.customer_id) == from_id))
    session.add_all(
        CustomerTerm(customer_id=to_id, term=term, workspace_id=workspace_id)
        for term in dict.fromkeys(terms)
        if term not in have
    )


def set_aside(*, session: Session, customer: Customer, survivor_id: int, values: dict[str, Any]) -> None:
    """The duplicate's row under the merged namespace, naming its survivor (and the survivor of any
    customer merged into it before)."""
    ws, cid = customer.workspace_id, customer.id
    aside = merged_namespace(ws)
    session.execute(
        sa.update(Customer)
        .where(col(Customer.workspace_id) == aside, col(Customer.merged_into) == cid)
        .values(merged_into=survivor_id)
    )
    session.execute(
        sa.update(Customer)
        .where(col(Customer.id) == cid)
        .values(workspace_id=aside, merged_into=survivor_id, **values)
    )


def survivor_of(*, session: Session, workspace_id: str, customer_id: int) -> int | None:
    """The customer a merged one now lives on as, or None when it was never merged."""
    return session.execute(
        sa.select(col(Customer.merged_into)).where(
            col(Customer.id) == customer_id, col(Customer.workspace_id) == merged_namespace(workspace_id)
        )
    ).scalar()


def survivors_named(*, session: Session, workspace_id: str, key: str) -> list[int]:
    """The survivors of merged customers whose name had this key (a search for an old name)."""
    return [
        int(survivor)
        for survivor in session.exec(
            select(Customer.merged_into)
            .where(
                col(Customer.workspace_id) == merged_namespace(workspace_id), col(Customer.name_key) == key
            )
            .limit(2)
        ).all()
        if survivor is not None
    ]
