"""Customers: create, fetch, edit, duplicate candidates and type-ahead search."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.contacts import customers_with_phone
from store.merge import merged_namespace
from store.models import Customer, CustomerChange, CustomerTerm

# The highest code point: `term < prefix + TOP` bounds a prefix range for byte-wise comparison.
TOP = "\U0010ffff"


def add_customer(*, session: Session, customer: Customer, terms: Iterable[str]) -> Customer:
    session.add(customer)
    session.flush()
    assert customer.id is not None
    session.add_all(
        CustomerTerm(customer_id=customer.id, term=term, workspace_id=customer.workspace_id) for term in terms
    )
    return customer


def get_customer(*, session: Session, workspace_id: str, customer_id: int) -> Customer | None:
    """The customer, or the one it was merged into (old buttons and links lead there)."""
    customer = session.get(Customer, customer_id)
    if (
        customer is not None
        and customer.merged_into
        and customer.workspace_id == merged_namespace(workspace_id)
    ):
        customer = session.get(Customer, customer.merged_into)
    if customer is None or customer.workspace_id != workspace_id:
        return None
    return customer


def get_customers(*, session: Session, workspace_id: str, ids: Sequence[int]) -> dict[int, Customer]:
    if not ids:
        return {}
    rows = session.exec(
        select(Customer).where(Customer.workspace_id == workspace_id, col(Customer.id).in_(ids))
    ).all()
    return {row.id: row for row in rows if row.id is not None}


def duplicate_candidates(
    *,
    session: Session,
    workspace_id: str,
    prefixes: Sequence[str],
    key: str,
    phone_key: str | None,
    limit: int,
) -> Sequence[Customer]:
    """Customers whose key equals, starts, or is started by `key`, or who share the phone (any of
    their contacts' phones).

    Each branch is an index lookup: keys that are prefixes of `key` by IN, keys that extend `key` by
    a range, the phone by equality.
    """
    conditions: list[sa.ColumnElement[bool]] = [col(Customer.name_key).in_(prefixes or [key])]
    if key:
        conditions.append(sa.and_(col(Customer.name_key) >= key, col(Customer.name_key) < key + TOP))
    if phone_key:
        conditions.append(col(Customer.phone_key) == phone_key)
        contacts = customers_with_phone(workspace_id=workspace_id, phone_key=phone_key)
        conditions.append(col(Customer.id).in_(contacts))
    return session.exec(
        select(Customer)
        .where(Customer.workspace_id == workspace_id, sa.or_(*conditions))
        .order_by(col(Customer.name))
        .limit(limit)
    ).all()


# The type-ahead's statements are built once (building one costs more Python than running it);
# values arrive as bound parameters: ws, key or low/high (a prefix range), limit.
_WS: sa.BindParameter[str] = sa.bindparam("ws")
_LOW: sa.BindParameter[str] = sa.bindparam("low")
_HIGH: sa.BindParameter[str] = sa.bindparam("high")
_LIMIT: sa.BindParameter[int] = sa.bindparam("limit")
_BY_KEY = (
    select(Customer)
    .where(col(Customer.workspace_id) == _WS, col(Customer.name_key) == sa.bindparam("key"))
    .limit(_LIMIT)
)
_BY_TERM_PREFIX = (
    sa.select(col(Customer.id), col(Customer.name), col(Customer.name_key), col(CustomerTerm.term))
    .join(Customer, col(Customer.id) == col(CustomerTerm.customer_id))
    .where(
        col(CustomerTerm.workspace_id) == _WS, col(CustomerTerm.term) >= _LOW, col(CustomerTerm.term) < _HIGH
    )
    .order_by(col(CustomerTerm.term))
    .limit(_LIMIT)
)
_BY_KEY_PREFIX = (
    sa.select(col(Customer.id), col(Customer.name), col(Customer.name_key), sa.literal(""))
    .where(col(Customer.workspace_id) == _WS, col(Customer.name_key) >= _LOW, col(Customer.name_key) < _HIGH)
    .order_by(col(Customer.name_key))
    .limit(_LIMIT)
)


def customers_by_key(*, session: Session, workspace_id: str, key: str, limit: int) -> Sequence[Customer]:
    """Customers whose normalized name is exactly `key`."""
    return session.exec(_BY_KEY, params={"ws": workspace_id, "key": key, "limit": limit}).all()


@dataclass(frozen=True)
class NameHit:
    """A customer found by the type-ahead: enough to rank it without loading the whole row."""

    customer_id: int
    name: str
    name_key: str
    term: str  # the search term that matched; empty for a match on the whole name


def _prefix_range(workspace_id: str, prefix: str, limit: int) -> dict[str, object]:
    return {"ws": workspace_id, "low": prefix, "high": prefix + TOP, "limit": limit}


def hits_by_term_prefix(*, session: Session, workspace_id: str, prefix: str, limit: int) -> list[NameHit]:
    """Customers with a search term starting with `prefix`, shortest terms first (whole words lead).

    One index range on customer_term, then primary-key lookups: never a scan of the customer table.
    """
    rows = session.execute(_BY_TERM_PREFIX, _prefix_range(workspace_id, prefix, limit)).all()
    return [NameHit(*row) for row in rows]


def hits_by_key_prefix(*, session: Session, workspace_id: str, prefix: str, limit: int) -> list[NameHit]:
    """Customers whose whole normalized name starts with `prefix`."""
    rows = session.execute(_BY_KEY_PREFIX, _prefix_range(workspace_id, prefix, limit)).all()
    return [NameHit(*row) for row in rows]


# -- edits by hand (the Edit form) -----------------------------------------------------------------------
def update_if_unchanged(
    *,
    session: Session,
    workspace_id: str,
    customer_id: int,
    shown: Mapping[str, str],
    values: Mapping[str, object],
) -> bool:
    """Write `values` if each field in `shown` still holds what the form showed (one conditional UPDATE):
    False when someone changed one of them meanwhile, and nothing is written."""
    unchanged = [col(getattr(Customer, name)) == value for name, value in shown.items()]
    result = session.execute(
        sa.update(Customer)
        .where(col(Customer.id) == customer_id, col(Customer.workspace_id) == workspace_id, *unchanged)
        .values(**values)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def replace_terms(*, session: Session, workspace_id: str, customer_id: int, terms: Iterable[str]) -> None:
    """The search terms of a renamed customer: the old name's go, the new name's come."""
    session.execute(sa.delete(CustomerTerm).where(col(CustomerTerm.customer_id) == customer_id))
    session.add_all(
        CustomerTerm(customer_id=customer_id, term=term, workspace_id=workspace_id) for term in terms
    )


# Built once: the card reads it at every request, and building the expression costs more than the SQL.
_RECENT_CHANGES = (
    select(CustomerChange)
    .where(
        col(CustomerChange.workspace_id) == sa.bindparam("ws"),
        col(CustomerChange.customer_id) == sa.bindparam("customer"),
    )
    .order_by(col(CustomerChange.at).desc(), col(CustomerChange.id).desc())
    .limit(sa.bindparam("limit"))
)


def recent_changes(
    *, session: Session, workspace_id: str, customer_id: int, limit: int
) -> Sequence[CustomerChange]:
    return session.exec(
        _RECENT_CHANGES, params={"ws": workspace_id, "customer": customer_id, "limit": limit}
    ).all()


def values_in_use(*, session: Session, workspace_id: str, field: str, typed: str, limit: int) -> list[str]:
    """The distinct values of `region` or `industry` in the workspace that contain what was typed
    (any case), the most used first."""
    column = {"region": col(Customer.region), "industry": col(Customer.industry)}[field]
    pattern = "%" + typed.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = session.execute(
        sa.select(column)
        .where(
            col(Customer.workspace_id) == workspace_id,
            column != "",
            sa.func.lower(column).like(pattern, escape="\\"),
        )
        .group_by(column)
        .order_by(sa.func.count().desc(), column)
        .limit(limit)
    ).all()
    return [str(row[0]) for row in rows]
