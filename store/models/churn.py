"""Customers' churn risk and its changes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column


class ChurnState(SQLModel, table=True):
    """A dealt customer's churn score now: its band, the signals behind it, and the last warning."""

    __tablename__ = "churn_state"
    __table_args__ = (
        sa.Index("ix_churn_state_warning", "workspace_id", "warn_pending"),
        sa.Index("ix_churn_state_band", "workspace_id", "band", "customer_id"),  # Home's at-risk lists
    )

    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    )
    workspace_id: str = Field(max_length=32)
    score: int
    band: str = Field(max_length=16)
    signals: int  # one bit per signal (bot.rules.churn)
    since: datetime = Field(sa_column=utc_column())  # in this band since
    warn_pending: bool = False  # the band rose: the owner is told on their next morning
    warned_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    updated_at: datetime = Field(sa_column=utc_column())


class ChurnChange(SQLModel, table=True):
    """The history of churn bands: every change, with the score and signals at the time."""

    __tablename__ = "churn_change"
    __table_args__ = (
        sa.Index("ix_churn_change_at", "workspace_id", "at"),
        sa.Index("ix_churn_change_customer", "customer_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    from_band: str = Field(max_length=16)
    to_band: str = Field(max_length=16)
    score: int
    signals: int
    at: datetime = Field(sa_column=utc_column())
