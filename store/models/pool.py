"""Announcements of customers going back to the pool, posted in its channel."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column


class Announcement(SQLModel, table=True):
    """A pool-channel message announcing a batch of customers back in the pool."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    ts: str | None = Field(default=None, max_length=32)  # set once Slack accepted the post
    locale: str = Field(default="en", max_length=16)
    created_at: datetime = Field(sa_column=utc_column())


class AnnouncementRow(SQLModel, table=True):
    """One customer of an announcement, with what was true when it was released."""

    __tablename__ = "announcement_row"
    __table_args__ = (sa.Index("ix_announcement_row_customer", "customer_id", "announcement_id"),)

    announcement_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("announcement.id", ondelete="CASCADE"), primary_key=True)
    )
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    )
    position: int
    move: str = Field(max_length=16)  # release or recycle
    reason: str = Field(default="", max_length=32)
    note: str = Field(default="", max_length=500)
    previous_owner_id: str | None = Field(default=None, max_length=32)
    released_at: datetime = Field(sa_column=utc_column())
