"""The ownership history: each move of a customer (claim, release, recycle, assign, lock, level, lost,
undo…) written once, and read back for the card, the announcements and an undo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import LOSING_MOVES, Customer, OwnershipEvent
from store.sql import Bind

_WS: sa.BindParameter[str] = sa.bindparam("ws")
_CUSTOMER: sa.BindParameter[int] = sa.bindparam("customer")

Executor = Session | sa.Connection  # the claim writes its move on a Core connection


_ADD_MOVE = sa.insert(OwnershipEvent)


def add_move(
    *,
    session: Executor,
    workspace_id: str,
    customer_id: int,
    kind: str,
    actor_id: str | None,
    from_owner_id: str | None,
    to_owner_id: str | None,
    at: datetime,
    reason: str = "",
    note: str = "",
    undo: str | None = None,
) -> None:
    """Write one move of the ownership history (a prebuilt INSERT: no ORM object to build)."""
    values = {
        "undo": undo,
        "workspace_id": workspace_id,
        "customer_id": customer_id,
        "kind": kind,
        "actor_id": actor_id,
        "from_owner_id": from_owner_id,
        "to_owner_id": to_owner_id,
        "reason": reason,
        "note": note,
        "at": at,
    }
    session.execute(_ADD_MOVE, values)


def latest_move(*, session: Session, workspace_id: str, customer_id: int) -> OwnershipEvent | None:
    """The customer's latest move of any kind (the history's last line)."""
    moves = recent_moves(session=session, workspace_id=workspace_id, customer_id=customer_id, limit=1)
    return moves[0] if moves else None


_RECENT_MOVES = (
    select(OwnershipEvent)
    .where(col(OwnershipEvent.workspace_id) == _WS, col(OwnershipEvent.customer_id) == _CUSTOMER)
    .order_by(col(OwnershipEvent.at).desc(), col(OwnershipEvent.id).desc())
    .limit(sa.bindparam("limit"))
)


def recent_moves(
    *, session: Session, workspace_id: str, customer_id: int, limit: int
) -> Sequence[OwnershipEvent]:
    params = {"ws": workspace_id, "customer": customer_id, "limit": limit}
    return session.exec(_RECENT_MOVES, params=params).all()


def last_moves(
    *, session: Session, workspace_id: str, customer_ids: Sequence[int], kinds: Sequence[str]
) -> dict[int, OwnershipEvent]:
    """The latest move of one of `kinds` for each customer (for announcements: why each one left)."""
    if not customer_ids:
        return {}
    latest = (
        sa.select(sa.func.max(col(OwnershipEvent.id)))
        .where(
            col(OwnershipEvent.workspace_id) == workspace_id,
            col(OwnershipEvent.customer_id).in_(customer_ids),
            col(OwnershipEvent.kind).in_(kinds),
        )
        .group_by(col(OwnershipEvent.customer_id))
    )
    rows = session.exec(select(OwnershipEvent).where(col(OwnershipEvent.id).in_(latest))).all()
    return {row.customer_id: row for row in rows}


def loss_before_claim(
    *, bind: Bind, workspace_id: str, customer_id: int
) -> tuple[str, str | None, str] | None:
    """How the customer last left an owner, and whom (kind, previous owner, the customer's name): read
    in the claim's transaction, to tell the one it was recycled from who has it now."""
    event, customer = OwnershipEvent.__table__, Customer.__table__  # type: ignore[attr-defined]
    row = bind.execute(
        sa.select(event.c.kind, event.c.from_owner_id, customer.c.name)
        .join(customer, customer.c.id == event.c.customer_id)
        .where(
            event.c.workspace_id == workspace_id,
            event.c.customer_id == customer_id,
            event.c.kind.in_(LOSING_MOVES),
        )
        .order_by(event.c.at.desc(), event.c.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1], row[2]) if row is not None else None
