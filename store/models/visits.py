"""Visits to customers."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column

VISIT_KINDS = ("call", "on_site", "email", "message", "meeting")


class Visit(SQLModel, table=True):
    """Any logged contact with a customer: call, on-site visit, email, message, meeting."""

    __table_args__ = (
        sa.Index("ix_visit_customer", "workspace_id", "customer_id", "visited_on"),
        sa.Index("ix_visit_author", "workspace_id", "author_id", "visited_on"),  # the digest's visits per rep
        sa.Index("ix_visit_opportunity", "workspace_id", "opportunity_id", "visited_on",
                 sqlite_where=sa.text("opportunity_id IS NOT NULL"),
                 postgresql_where=sa.text("opportunity_id IS NOT NULL")),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(foreign_key="customer.id")
    author_id: str = Field(max_length=32)
    kind: str = Field(max_length=16)
    visited_on: date
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    satisfaction: int | None = None
    next_follow_up: date | None = None
    created_at: datetime = Field(sa_column=utc_column())
    opportunity_id: int | None = None  # the opportunity it was about, one of its customer's
