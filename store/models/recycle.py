"""Requests for more days before a customer goes back to the pool, and for a manager's approval of a
release, a mark lost or a level set by hand."""

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
    reason: str = Field(
        default="", sa_column=sa.Column(sa.String(300), nullable=False, server_default="")
    )  # why more days, shown to the approver


APPROVAL_RELEASE = "release"
APPROVAL_LOST = "lost"
APPROVAL_LEVEL = "level"
APPROVAL_KINDS = (APPROVAL_RELEASE, APPROVAL_LOST, APPROVAL_LEVEL)


class ApprovalRequest(SQLModel, table=True):
    """A rep asking their manager (or the admins) to approve a release or a mark lost of a customer who
    ordered or of level A, or a level set by hand; the decision, carried out by the one who approved."""

    __tablename__ = "approval_request"
    __table_args__ = (sa.Index("ix_approval_request_customer", "workspace_id", "customer_id", "asked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(max_length=16)  # APPROVAL_KINDS
    # What exactly: a release's reason code, or the level asked for ("A", "B", "C", "auto").
    detail: str = Field(default="", max_length=32)
    note: str = Field(default="", max_length=500)  # the rep's words: a release's note, why it is lost
    # A release's choice for the customer's open opportunities: "lose" them or "keep" them open.
    opportunities: str = Field(
        default="lose", sa_column=sa.Column(sa.String(8), nullable=False, server_default=sa.text("'lose'"))
    )
    asked_by: str = Field(max_length=32)
    asked_at: datetime = Field(sa_column=utc_column())
    status: str = Field(default=EXTENSION_PENDING, max_length=16)
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
