"""Contacts: a customer's people, and the primary contact kept in step with the customer's row in
both directions (set-based where many customers change at once: an import, a merge)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import Contact, Customer
from store.sql import keys_set

CONTACT = Contact.__table__  # type: ignore[attr-defined]
CUSTOMER = Customer.__table__  # type: ignore[attr-defined]
MIRRORED = {"contact_person": "name", "phone": "phone", "phone_key": "phone_key", "email": "email"}


_OF_CUSTOMER = (  # built once: the customer card reads it at every request
    select(Contact)
    .where(
        col(Contact.workspace_id) == sa.bindparam("ws"), col(Contact.customer_id) == sa.bindparam("customer")
    )
    .order_by(col(Contact.is_primary).desc(), col(Contact.id))
)


def of_customer(*, session: Session, workspace_id: str, customer_id: int) -> Sequence[Contact]:
    """The primary contact first, then the others in the order they were added."""
    return session.exec(_OF_CUSTOMER, params={"ws": workspace_id, "customer": customer_id}).all()


def get(*, session: Session, workspace_id: str, contact_id: int) -> Contact | None:
    contact = session.get(Contact, contact_id)
    return contact if contact is not None and contact.workspace_id == workspace_id else None


def make_primary(*, session: Session, customer_id: int, contact_id: int | None) -> None:
    """One primary contact per customer: this one (None: the first added), the others not."""
    if contact_id is None:
        contact_id = session.exec(
            select(Contact.id)
            .where(col(Contact.customer_id) == customer_id)
            .order_by(col(Contact.id))
            .limit(1)
        ).first()
    session.execute(
        sa.update(Contact)
        .where(col(Contact.customer_id) == customer_id)
        .values(is_primary=col(Contact.id) == (contact_id or 0))
    )


def mirror_primary(*, session: Session, customer_id: int, now: datetime) -> None:
    """The customer's row shows its primary contact (or no contact at all)."""
    primary = (
        select(Contact)
        .where(col(Contact.customer_id) == customer_id, col(Contact.is_primary))
        .limit(1)
        .subquery()
    )
    values = {
        row_name: sa.func.coalesce(
            sa.select(primary.c[name]).scalar_subquery(), "" if name != "phone_key" else None
        )
        for row_name, name in MIRRORED.items()
    }
    session.execute(
        sa.update(Customer).where(col(Customer.id) == customer_id).values(**values, updated_at=now)
    )


def _ids(session: Session) -> sa.Select[tuple[int]]:
    return keys_set(session, "ids", integers=True)


def sync_from_rows(
    *, session: Session, workspace_id: str, customer_ids: Collection[int], now: datetime, new: bool = False
) -> None:
    """After a write of customers' rows (created, edited, imported, merged): each one's primary contact
    holds its row's contact person, phone and e-mail; one is added where there was none; one left
    with nothing in it goes. `new`: customers just added, who have no contact yet (only the adding)."""
    if not customer_ids:
        return
    ids = {"ids": json.dumps(sorted(customer_ids))}
    if new:
        _add_primaries(session, workspace_id, ids, now, only_missing=False)
        return
    of_row = CUSTOMER.c.id == CONTACT.c.customer_id
    # Every predicate names the workspace: the contact index leads with it (each lookup a range, not
    # a scan of every contact per customer).
    mine = sa.and_(CONTACT.c.workspace_id == workspace_id, CONTACT.c.customer_id.in_(_ids(session)))
    mirrored = {
        name: sa.select(CUSTOMER.c[row]).where(of_row).scalar_subquery() for row, name in MIRRORED.items()
    }
    session.execute(
        sa.update(CONTACT).where(mine, CONTACT.c.is_primary).values(**mirrored, updated_at=now), ids
    )
    _add_primaries(session, workspace_id, ids, now, only_missing=True)
    empty = sa.and_(*(CONTACT.c[name] == "" for name in ("name", "title", "phone", "email", "note")))
    session.execute(sa.delete(CONTACT).where(mine, CONTACT.c.is_primary, empty), ids)


def _add_primaries(
    session: Session, workspace_id: str, ids: dict[str, str], now: datetime, *, only_missing: bool
) -> None:
    """A primary contact from the row's contact fields, for the customers that have any (and, with
    `only_missing`, no primary contact yet)."""
    anything = sa.or_(CUSTOMER.c.contact_person != "", CUSTOMER.c.phone != "", CUSTOMER.c.email != "")
    where = [CUSTOMER.c.workspace_id == workspace_id, CUSTOMER.c.id.in_(_ids(session)), anything]
    if only_missing:
        where.append(
            ~sa.exists().where(
                CONTACT.c.workspace_id == workspace_id,
                CONTACT.c.customer_id == CUSTOMER.c.id,
                CONTACT.c.is_primary,
            )
        )
    new_rows = sa.select(
        CUSTOMER.c.workspace_id, CUSTOMER.c.id, CUSTOMER.c.contact_person, sa.literal(""), CUSTOMER.c.phone,
        CUSTOMER.c.phone_key, CUSTOMER.c.email, sa.true(), sa.literal(""), sa.literal(now, CONTACT.c.created_at.type),
        sa.literal(now, CONTACT.c.updated_at.type),
    ).where(*where)  # fmt: skip
    columns = ["workspace_id", "customer_id", "name", "title", "phone", "phone_key", "email", "is_primary", "note",
               "created_at", "updated_at"]  # fmt: skip
    session.execute(sa.insert(CONTACT).from_select(columns, new_rows), ids)


def with_phone(*, session: Session, workspace_id: str, phone_key: str) -> set[int]:
    query = customers_with_phone(workspace_id=workspace_id, phone_key=phone_key)
    return {int(row[0]) for row in session.execute(query)}


def customers_with_phone(*, workspace_id: str, phone_key: str) -> sa.Select[tuple[int]]:
    """The customers one of whose contacts has this phone (a subquery of the duplicate check)."""
    return sa.select(CONTACT.c.customer_id).where(
        CONTACT.c.workspace_id == workspace_id, CONTACT.c.phone_key == phone_key
    )


def settle_imported(
    *, session: Session, workspace_id: str, customer_ids: Collection[int], now: datetime
) -> None:
    """After contacts were imported for these customers: one primary each (the newest one marked
    primary, else the one they had, else the first), and each row showing its primary contact."""
    if not customer_ids:
        return
    ids = {"ids": json.dumps(sorted(customer_ids))}
    mine = sa.and_(CONTACT.c.workspace_id == workspace_id, CONTACT.c.customer_id.in_(_ids(session)))
    for statement in _one_primary_each(workspace_id, mine):
        session.execute(statement, ids)
    of_row = sa.and_(
        CONTACT.c.workspace_id == workspace_id, CONTACT.c.customer_id == CUSTOMER.c.id, CONTACT.c.is_primary
    )
    mirrored = {
        row: sa.select(CONTACT.c[name]).where(of_row).scalar_subquery() for row, name in MIRRORED.items()
    }
    session.execute(
        sa.update(CUSTOMER)
        .where(
            CUSTOMER.c.workspace_id == workspace_id,
            CUSTOMER.c.id.in_(_ids(session)),
            sa.exists().where(of_row),
        )
        .values(**mirrored, updated_at=now),
        ids,
    )


def _one_primary_each(workspace_id: str, mine: sa.ColumnElement[bool]) -> tuple[sa.Update, sa.Update]:
    """Of several primaries the newest stays; a customer with none takes its first contact."""
    other = sa.alias(CONTACT)
    same = sa.and_(other.c.workspace_id == workspace_id, other.c.customer_id == CONTACT.c.customer_id)
    newest_primary = sa.select(sa.func.max(other.c.id)).where(same, other.c.is_primary).scalar_subquery()
    first = sa.select(sa.func.min(other.c.id)).where(same).scalar_subquery()
    none_primary = ~sa.exists().where(same, other.c.is_primary)
    return (
        sa.update(CONTACT)
        .where(mine, CONTACT.c.is_primary, CONTACT.c.id < newest_primary)
        .values(is_primary=False),
        sa.update(CONTACT).where(mine, CONTACT.c.id == first, none_primary).values(is_primary=True),
    )
