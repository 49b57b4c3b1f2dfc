"""Requests for more days before a customer goes back to the pool."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column

EXTENSION_PENDING = "pending"
EXTENSION_APPROVED = "approved"
EXTENSION_DECLINED = "declined"


class ExtensionRequest(SQLModel, table=True):
    """An owner asking for more days before a recycle; the manager's (or an admin's) decision."""

    __tablename__ = "extension_request"
    __table_args__ = (sa.Index("ix_extension_request_customer", "workspace_id", "customer_id", "asked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    asked_by: str = Field(max_length=32)
    recycle_at: datetime = Field(sa_column=utc_column())  # the recycle it was about
    status: str = Field(default=EXTENSION_PENDING, max_length=16)
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    days: int | None = None
    asked_at: datetime = Field(sa_column=utc_column())
