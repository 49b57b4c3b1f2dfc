"""Every table of the CRM. Each row carries the Slack workspace id; no query crosses workspaces."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.types import SearchTerm, UTCDateTime

ROLE_REP = "rep"
ROLE_MANAGER = "manager"
ROLE_ADMIN = "admin"
ROLES = (ROLE_REP, ROLE_MANAGER, ROLE_ADMIN)

LEVELS = ("A", "B", "C")
STAGES = ("prospect", "new", "active", "at_risk", "dormant", "won_back", "lost")
VISIT_KINDS = ("call", "on_site", "email", "message", "meeting")


def _utc_column(*, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(UTCDateTime(), nullable=nullable)


class Workspace(SQLModel, table=True):
    """A Slack workspace (team) and its own choices."""

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=200)
    locale: str | None = Field(default=None, max_length=16)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    country: str = Field(default="CN", max_length=2)
    currency: str = Field(default="CNY", max_length=3)
    created_at: datetime = Field(sa_column=_utc_column())


class Person(SQLModel, table=True):
    """Someone the bot has met in a workspace: a rep, a manager (with a team) or an admin."""

    __table_args__ = (sa.Index("ix_person_manager", "workspace_id", "manager_id"),)

    workspace_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=200)
    role: str = Field(default=ROLE_REP, max_length=16)
    manager_id: str | None = Field(default=None, max_length=32)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    slack_locale: str | None = Field(default=None, max_length=16)
    chosen_locale: str | None = Field(default=None, max_length=16)
    is_slack_admin: bool = False
    is_guest: bool = False
    is_deleted: bool = False
    # When Slack's profile was last asked for, and whether it answered (else workspace defaults apply).
    profile_checked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    profile_synced: bool = False
    created_at: datetime = Field(sa_column=_utc_column())


class Customer(SQLModel, table=True):
    """A company or person we sell to. No owner means the customer is in the pool."""

    __table_args__ = (
        sa.Index("ix_customer_name_key", "workspace_id", "name_key"),
        sa.Index("ix_customer_phone_key", "workspace_id", "phone_key"),
        sa.Index("ix_customer_owner_follow_up", "workspace_id", "owner_id", "next_follow_up"),
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
    stage: str = Field(default="prospect", max_length=16)
    owner_id: str | None = Field(default=None, max_length=32)
    owned_since: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    last_visit_on: date | None = None
    next_follow_up: date | None = None
    dealt_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    last_order_on: date | None = None
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc_column())
    updated_at: datetime = Field(sa_column=_utc_column())


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


class Visit(SQLModel, table=True):
    """Any logged contact with a customer: call, on-site visit, email, message, meeting."""

    __table_args__ = (sa.Index("ix_visit_customer", "workspace_id", "customer_id", "visited_on"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(foreign_key="customer.id")
    author_id: str = Field(max_length=32)
    kind: str = Field(max_length=16)
    visited_on: date
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    satisfaction: int | None = None
    next_follow_up: date | None = None
    created_at: datetime = Field(sa_column=_utc_column())


class Order(SQLModel, table=True):
    """A purchase. Amounts are integers in the currency's minor unit (cents), exact on every engine."""

    __tablename__ = "customer_order"
    __table_args__ = (sa.Index("ix_order_customer", "workspace_id", "customer_id", "ordered_on"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(foreign_key="customer.id")
    author_id: str = Field(max_length=32)
    amount_minor: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    currency: str = Field(max_length=3)
    # Units of the workspace currency per unit of `currency`, as typed (a decimal string).
    rate: str = Field(default="1", max_length=32)
    amount_base_minor: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    ordered_on: date
    product: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_column=_utc_column())
