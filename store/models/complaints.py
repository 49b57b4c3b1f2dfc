"""Customers' complaints and their handling steps."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column

COMPLAINT_CATEGORIES = ("quality", "delivery", "service", "billing", "other")
COMPLAINT_SEVERITIES = ("urgent", "high", "medium", "low")
COMPLAINT_CHANNELS = ("phone", "email", "message", "in_person", "other")  # how the customer complained
COMPLAINT_OPEN = "open"
COMPLAINT_ACKNOWLEDGED = "acknowledged"
COMPLAINT_RESOLVED = "resolved"
COMPLAINT_CLOSED = "closed"
COMPLAINT_REOPENED = "reopened"
COMPLAINT_UNRESOLVED = (COMPLAINT_OPEN, COMPLAINT_ACKNOWLEDGED, COMPLAINT_REOPENED)
_SLA_PENDING = sa.text("sla_check_at IS NOT NULL")


class Complaint(SQLModel, table=True):
    """A customer's complaint (投诉): its handling status, assignee, SLA deadlines and where its card is."""

    __table_args__ = (
        sa.Index("ix_complaint_customer", "workspace_id", "customer_id", "filed_at"),
        sa.Index("ix_complaint_assignee", "workspace_id", "assignee_id", "status"),
        sa.Index("ix_complaint_filed", "workspace_id", "filed_at"),
        # The `sla` job: the complaints whose next nudge or breach has come, one index range.
        sa.Index(
            "ix_complaint_sla_check",
            "sla_check_at",
            sqlite_where=_SLA_PENDING,
            postgresql_where=_SLA_PENDING,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    category: str = Field(max_length=16)
    severity: str = Field(max_length=16)
    description: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    contact_channel: str = Field(default="", max_length=16)
    status: str = Field(default=COMPLAINT_OPEN, max_length=16)
    assignee_id: str | None = Field(default=None, max_length=32)  # None: the admins, until assigned
    filed_by: str = Field(max_length=32)
    filed_at: datetime = Field(sa_column=utc_column())
    acknowledged_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    resolved_by: str | None = Field(default=None, max_length=32)
    resolution: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    closed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    satisfaction: int | None = None
    # SLA: deadlines from the filing (the resolve ones again from a reopening), the 50 % nudges, and
    # when each was breached; `sla_check_at` is the next of these still to come (None: nothing left).
    respond_nudge_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    respond_due_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    resolve_nudge_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    resolve_due_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    respond_breached_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    resolve_breached_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    sla_done: int = 0  # bits: 1 respond nudged, 2 respond breached, 4 resolve nudged, 8 resolve breached
    sla_check_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # The card: in the complaints channel (its thread holds the handling), or a DM. `card_to` is where
    # it was queued (its outbox key); channel and ts are Slack's once it is posted.
    card_to: str | None = Field(default=None, max_length=32)
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    updated_at: datetime = Field(sa_column=utc_column())


class ComplaintEvent(SQLModel, table=True):
    """A step in a complaint's handling: filed, acknowledged, a note, resolved, reopened, closed,
    reassigned, nudged, escalated, taken over. The card's thread shows the same steps."""

    __tablename__ = "complaint_event"
    __table_args__ = (sa.Index("ix_complaint_event_complaint", "complaint_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    complaint_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(max_length=16)
    actor_id: str | None = Field(default=None, max_length=32)  # None: the SLA clock
    text: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    to_user_id: str | None = Field(default=None, max_length=32)  # reassigned or taken over: to whom
    at: datetime = Field(sa_column=utc_column())
