"""Customers' orders."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column


class Order(SQLModel, table=True):
    """A purchase. Amounts are integers in the currency's minor unit (cents), exact on every engine."""

    __tablename__ = "customer_order"
    __table_args__ = (
        sa.Index("ix_order_customer", "workspace_id", "customer_id", "ordered_on"),
        # Spend of the last 180 days per customer (the churn signal) without touching older orders.
        sa.Index("ix_order_day", "workspace_id", "ordered_on", "customer_id", "amount_base_minor"),
    )

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
    created_at: datetime = Field(sa_column=utc_column())
