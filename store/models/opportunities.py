"""Opportunities (商机): possible sales to a customer moving through the workspace's stages, each move
kept in their history; and the per-workspace counters that number them.

Every table here keeps its keys within a workspace (the distribution rule of the README's scale
section): the primary keys and foreign keys all start with `workspace_id`, so the numbers are per
workspace (`WorkspaceCounter`), and an opportunity is "#12" in its own workspace.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column

OUTCOME_OPEN = "open"
OUTCOME_WON = "won"
OUTCOME_LOST = "lost"
OUTCOMES = (OUTCOME_OPEN, OUTCOME_WON, OUTCOME_LOST)

# What a change in an opportunity's history was.
CHANGE_CREATED = "created"
CHANGE_MOVED = "moved"  # to another open stage
CHANGE_EDITED = "edited"  # amount, close date, probability, products, next step, title
CHANGE_WON = "won"
CHANGE_LOST = "lost"
CHANGE_REOPENED = "reopened"  # a closed opportunity back in an open stage
CHANGES = (CHANGE_CREATED, CHANGE_MOVED, CHANGE_EDITED, CHANGE_WON, CHANGE_LOST, CHANGE_REOPENED)


class WorkspaceCounter(SQLModel, table=True):
    """The last number given out, per workspace and kind (an opportunity's, a stage's): taken with an
    UPDATE ... RETURNING in the transaction that writes the numbered row, so two at once get two."""

    __tablename__ = "workspace_counter"

    workspace_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(primary_key=True, max_length=32)
    value: int


class OpportunityStage(SQLModel, table=True):
    """One of the workspace's stages, in its order. A default stage has a `key` and, until renamed, no
    `name` (shown in each reader's language); a stage taken off the list is retired, not deleted, so
    every history that passed through it still reads."""

    __tablename__ = "opportunity_stage"
    __table_args__ = (
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name="ck_opportunity_stage_probability"),
        sa.CheckConstraint("outcome IN ('open', 'won', 'lost')", name="ck_opportunity_stage_outcome"),
    )

    workspace_id: str = Field(primary_key=True, max_length=32)
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    key: str = Field(default="", max_length=32)  # "qualify", ...; "" for a stage the workspace added
    name: str = Field(default="", max_length=80)  # "" : the default stage's name in the reader's language
    position: int
    probability: int  # the percent a new or moved opportunity takes by default
    outcome: str = Field(max_length=8)
    idle_days: int = 0  # an open opportunity idle longer in this stage is in the morning reminders; 0: never
    retired_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class Opportunity(SQLModel, table=True):
    """A possible sale to a customer: its amount (and in the workspace currency), stage, probability,
    expected close date. `version` counts its changes: a button carries the version it was drawn at,
    and a change made from an older one is refused (someone else moved it first)."""

    __tablename__ = "opportunity"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["workspace_id", "customer_id"], ["customer.workspace_id", "customer.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "stage_id"], ["opportunity_stage.workspace_id", "opportunity_stage.id"]
        ),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name="ck_opportunity_probability"),
        sa.CheckConstraint("amount_minor > 0", name="ck_opportunity_amount"),
        sa.Index("ix_opportunity_customer", "workspace_id", "customer_id"),
        # A rep's open ones by close day, with what the figures, the forecast and the reminders read.
        sa.Index("ix_opportunity_owner_open", "workspace_id", "owner_id", "expected_close_on", "stage_id",
                 "probability", "amount_base_minor",
                 sqlite_where=sa.text("closed_at IS NULL"), postgresql_where=sa.text("closed_at IS NULL")),
        # The workspace's open ones by stage and close day: the company's figures in the index's order.
        sa.Index("ix_opportunity_open_stage", "workspace_id", "stage_id", "expected_close_on", "probability",
                 "amount_base_minor",
                 sqlite_where=sa.text("closed_at IS NULL"), postgresql_where=sa.text("closed_at IS NULL")),
        # The closed ones by the instant they closed, the workspace's and a rep's: what was won in a period.
        # Only the closed ones: under one NULL key, the open ones misled SQLite's planner into this index.
        sa.Index("ix_opportunity_closed", "workspace_id", "closed_at", "stage_id", "amount_base_minor",
                 sqlite_where=sa.text("closed_at IS NOT NULL"), postgresql_where=sa.text("closed_at IS NOT NULL")),
        sa.Index("ix_opportunity_owner_closed", "workspace_id", "owner_id", "closed_at", "stage_id",
                 "amount_base_minor", sqlite_where=sa.text("closed_at IS NOT NULL"),
                 postgresql_where=sa.text("closed_at IS NOT NULL")),
    )  # fmt: skip

    workspace_id: str = Field(primary_key=True, max_length=32)
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    customer_id: int
    owner_id: str = Field(max_length=32)  # who works it: the customer's owner when it was opened
    title: str = Field(max_length=200)
    amount_minor: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    currency: str = Field(max_length=3)
    rate: str = Field(default="1", max_length=32)  # workspace currency per unit of `currency`
    amount_base_minor: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    stage_id: int
    probability: int
    expected_close_on: date
    products: str = Field(default="", max_length=500)
    next_step: str = Field(default="", max_length=500)
    lost_reason_key: str = Field(default="", max_length=32)  # from the list; "" while not lost
    lost_reason: str = Field(default="", max_length=500)  # the words that came with it
    order_id: int | None = None  # the order *Won* wrote
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    stage_since: datetime = Field(sa_column=utc_column())
    closed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    version: int = 1
    reminder_snoozed_until: date | None = None  # left out of the morning reminders until then


class OpportunityChange(SQLModel, table=True):
    """One change in an opportunity's history, numbered by the version it made: who, when, from which
    stage to which, and the amount and close date it left (the funnel and the forecast read these)."""

    __tablename__ = "opportunity_change"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["workspace_id", "opportunity_id"], ["opportunity.workspace_id", "opportunity.id"],
            ondelete="CASCADE",
        ),
        sa.Index("ix_opportunity_change_at", "workspace_id", "at"),
        # The funnel: a team's histories, each opportunity's changes together, read from the index alone.
        sa.Index("ix_opportunity_change_owner", "workspace_id", "owner_id", "opportunity_id", "at",
                 "to_stage_id", "change"),
    )  # fmt: skip

    workspace_id: str = Field(primary_key=True, max_length=32)
    opportunity_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    change: str = Field(max_length=16)
    owner_id: str = Field(max_length=32)  # the opportunity's owner (an opportunity keeps its owner)
    actor_id: str | None = Field(default=None, max_length=32)  # None: the bot itself
    at: datetime = Field(sa_column=utc_column())
    from_stage_id: int | None = None
    to_stage_id: int
    amount_base_minor: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    expected_close_on: date
    note: str = Field(default="", max_length=500)
