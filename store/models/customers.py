"""Customers, their search terms and their ownership history (the moves)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column
from store.types import SearchTerm

LEVELS = ("A", "B", "C")
STAGES = ("prospect", "interested", "new", "active", "at_risk", "dormant", "won_back", "lost")

# Moves written to the ownership history. Claim, release, recycle and assign change the owner;
# lock and unlock only protect the customer from the nightly recycle.
MOVE_CLAIM = "claim"
MOVE_RELEASE = "release"
MOVE_RECYCLE = "recycle"
MOVE_ASSIGN = "assign"
MOVE_LOCK = "lock"
MOVE_UNLOCK = "unlock"
# Not moves of the owner but kept in the same history, shown on the card: an extension of the recycle
# clock (granted by a manager or admin) and a snoozed follow-up.
MOVE_EXTEND = "extend"
MOVE_SNOOZE = "snooze"
# Value and lifecycle, in the same history: a level set by hand, cleared, or computed by the `tiers`
# job (reason: from → to, e.g. "B>A"), and a customer marked lost (or back from lost by an order).
MOVE_LEVEL = "level"
MOVE_LOST = "lost"
MOVE_UNLOST = "unlost"
# A release or a mark lost taken back by the person who made it, within minutes (reason: which).
MOVE_UNDO = "undo"
MOVES = (
    MOVE_CLAIM,
    MOVE_RELEASE,
    MOVE_RECYCLE,
    MOVE_ASSIGN,
    MOVE_LOCK,
    MOVE_UNLOCK,
    MOVE_EXTEND,
    MOVE_SNOOZE,
    MOVE_LEVEL,
    MOVE_LOST,
    MOVE_UNLOST,
    MOVE_UNDO,
)
# Moves that take a customer away from its owner: the previous-owner cooldown runs from these.
LOSING_MOVES = (MOVE_RELEASE, MOVE_RECYCLE, MOVE_ASSIGN)


_IN_POOL = sa.text("owner_id IS NULL")
_OWNED = sa.text("owner_id IS NOT NULL")
_OWNED_UNDEALT = sa.text("owner_id IS NOT NULL AND dealt_at IS NULL")
_EXTENDED = sa.text("recycle_extended_until IS NOT NULL")


class Customer(SQLModel, table=True):
    """A company or person we sell to. No owner means the customer is in the pool."""

    __table_args__ = (
        # What a newer table's foreign key names a customer by (its keys stay within a workspace).
        sa.Index("uq_customer_workspace_id", "workspace_id", "id", unique=True),
        sa.Index("ix_customer_name_key", "workspace_id", "name_key"),
        sa.Index("ix_customer_phone_key", "workspace_id", "phone_key"),
        # The forms' region and industry choices: the values in use, read from the index alone.
        sa.Index("ix_customer_region", "workspace_id", "region"),
        sa.Index("ix_customer_industry", "workspace_id", "industry"),
        # Owned customers only (WHERE owner_id IS NOT NULL): otherwise SQLite would take "owner_id IS
        # NULL" for one more owner and pick these to read the pool, then sort half the table.
        sa.Index(
            "ix_customer_owner_follow_up",
            "workspace_id",
            "owner_id",
            "next_follow_up",
            sqlite_where=_OWNED,
            postgresql_where=_OWNED,
        ),
        # The pool, newest arrivals first, and its level filter. Partial indexes (WHERE owner_id IS NULL):
        # PostgreSQL does not treat `owner_id IS NULL` as an equality, so an index led by owner_id
        # would not give it the pool_since order and it would sort the whole pool instead.
        sa.Index(
            "ix_customer_pool",
            "workspace_id",
            "pool_since",
            "id",
            sqlite_where=_IN_POOL,
            postgresql_where=_IN_POOL,
        ),
        sa.Index(
            "ix_customer_pool_level",
            "workspace_id",
            "level",
            "pool_since",
            "id",
            sqlite_where=_IN_POOL,
            postgresql_where=_IN_POOL,
        ),
        # A rep's holding (customers who ordered may not count) without reading the rows.
        sa.Index(
            "ix_customer_owner_dealt",
            "workspace_id",
            "owner_id",
            "dealt_at",
            sqlite_where=_OWNED,
            postgresql_where=_OWNED,
        ),
        # The nightly recycle, one level at a time (SQLite ignores an index when the levels' conditions
        # are OR-ed in one statement): customers who never ordered, the default; and every owned
        # customer, for workspaces where customers who ordered are recycled too.
        sa.Index(
            "ix_customer_recycle_undealt",
            "workspace_id",
            "level",
            "recycle_clock_from",
            sqlite_where=_OWNED_UNDEALT,
            postgresql_where=_OWNED_UNDEALT,
        ),
        sa.Index(
            "ix_customer_recycle_owned",
            "workspace_id",
            "level",
            "recycle_clock_from",
            sqlite_where=_OWNED,
            postgresql_where=_OWNED,
        ),
        # No first order within N days of the claim.
        sa.Index(
            "ix_customer_first_order_due",
            "workspace_id",
            "owned_since",
            sqlite_where=_OWNED_UNDEALT,
            postgresql_where=_OWNED_UNDEALT,
        ),
        # Extensions ending in the warning window (few rows: only customers a manager extended).
        sa.Index(
            "ix_customer_extended",
            "workspace_id",
            "recycle_extended_until",
            sqlite_where=_EXTENDED,
            postgresql_where=_EXTENDED,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    name: str = Field(max_length=150)
    name_key: str = Field(sa_column=sa.Column(SearchTerm, nullable=False))
    contact_person: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=40)
    phone_key: str | None = Field(default=None, max_length=32)
    email: str = Field(default="", max_length=254)
    region: str = Field(default="", max_length=60)
    industry: str = Field(default="", max_length=60)
    products: str = Field(default="", max_length=300)
    tags: str = Field(default="", max_length=300)
    source: str = Field(default="", max_length=60)
    level: str = Field(default="C", max_length=1)
    level_by_hand: bool = False  # kept until cleared; the `tiers` job computes the others
    stage: str = Field(default="prospect", max_length=16)
    stage_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Marked lost by the owner or a manager (with a reason); a new order undoes it.
    lost_reason: str = Field(default="", max_length=300)
    lost_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    owner_id: str | None = Field(default=None, max_length=32)
    owned_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # When the customer last entered the pool (None while owned).
    pool_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # A lock (set by a manager or admin) keeps the customer from the nightly recycle.
    locked_by: str | None = Field(default=None, max_length=32)
    locked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # The no-visit recycle clock runs from here: the later of owned-since and the start of the last
    # visit's day in the visitor's zone. Kept on the row so the nightly recycle is one index range.
    recycle_clock_from: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # An extension granted by a manager: no recycle before this instant.
    recycle_extended_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Who owned the customer before it last went back to the pool (set in the same UPDATE).
    previous_owner_id: str | None = Field(default=None, max_length=32)
    last_visit_on: date | None = None
    next_follow_up: date | None = None
    dealt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Order facts kept on the row for the churn signals (usual gap = span / (orders - 1)).
    first_order_on: date | None = None
    last_order_on: date | None = None
    order_count: int = 0
    # The satisfaction of the latest visit that recorded one (a churn signal when low).
    last_satisfaction: int | None = None
    last_satisfaction_on: date | None = None
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    # A duplicate merged into another customer: the row is kept whole (its id is never given to another
    # customer, so old buttons and links keep their meaning) under its workspace's merged namespace
    # (store.customers.merged_namespace), which no query of the workspace reads; this names the survivor.
    merged_into: int | None = Field(default=None, index=True)


class CustomerTerm(SQLModel, table=True):
    """Search terms of a customer's name: each Latin word, and every suffix of each Chinese run.

    A type-ahead query is then a prefix range over one index, never a scan of the customer table.
    """

    __tablename__ = "customer_term"
    __table_args__ = (sa.Index("ix_customer_term_lookup", "workspace_id", "term", "customer_id"),)

    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    )
    term: str = Field(sa_column=sa.Column(SearchTerm, primary_key=True))
    workspace_id: str = Field(max_length=32)


class OwnershipEvent(SQLModel, table=True):
    """One move in a customer's ownership history: who did what, when, from whom to whom, and why."""

    __tablename__ = "ownership_event"
    __table_args__ = (
        sa.Index("ix_ownership_event_customer", "workspace_id", "customer_id", "at"),
        sa.Index("ix_ownership_event_at", "workspace_id", "at"),  # the digest's pool in and out
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(max_length=16)
    actor_id: str | None = Field(default=None, max_length=32)  # None: the nightly recycle
    from_owner_id: str | None = Field(default=None, max_length=32)
    to_owner_id: str | None = Field(default=None, max_length=32)
    reason: str = Field(default="", max_length=32)
    note: str = Field(default="", max_length=500)
    # Snooze: the new follow-up day; extend: the last day before the recycle, and the days added.
    to_day: date | None = None
    days: int | None = None
    at: datetime = Field(sa_column=utc_column())
    # A release or a mark lost: the customer's fields it changed, as they were (JSON), so the person who
    # made it can undo it within minutes (bot/services/undo.py).
    undo: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))


class CustomerChange(SQLModel, table=True):
    """One field of a customer changed by hand (the Edit form), or of one of its visits or orders
    corrected, or one of them deleted: which, from what to what, by whom, when (and why, for a delete).
    Shown in the card's history; kept for good, as the ownership history is."""

    __tablename__ = "customer_change"
    __table_args__ = (sa.Index("ix_customer_change_customer", "workspace_id", "customer_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    # "" for the customer's own details; "visit:12" or "order:5" for a visit or an order corrected or
    # deleted (field "deleted": old_value keeps the whole record as JSON, reason says why).
    record: str = Field(default="", max_length=24)
    field: str = Field(max_length=32)
    old_value: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    new_value: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    reason: str = Field(default="", max_length=300)
    actor_id: str = Field(max_length=32)
    at: datetime = Field(sa_column=utc_column())
