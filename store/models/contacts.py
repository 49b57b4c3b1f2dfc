"""The people of a customer's buying chain: its contacts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column


class Contact(SQLModel, table=True):
    """One person at a customer: name, title or role, phone, e-mail, a note; one of them primary.

    The primary contact's name, phone and e-mail are also kept on the customer's row (contact_person,
    phone, phone_key, email), in step with this table in every write: the lists, the search, the
    import's matching and the exports read the row alone.
    """

    __table_args__ = (
        sa.Index("ix_contact_customer", "workspace_id", "customer_id"),
        sa.Index("ix_contact_phone_key", "workspace_id", "phone_key"),  # the duplicate check
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(default="", max_length=100)
    title: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=40)
    phone_key: str | None = Field(default=None, max_length=32)
    email: str = Field(default="", max_length=254)
    is_primary: bool = False
    note: str = Field(default="", max_length=300)
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
