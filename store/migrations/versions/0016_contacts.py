"""contacts: several contacts per customer; each customer's contact fields become its primary contact

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 11:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("phone_key", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contact_customer", "contact", ["workspace_id", "customer_id"])
    op.create_index("ix_contact_phone_key", "contact", ["workspace_id", "phone_key"])
    # Every customer with a contact person, a phone or an e-mail: those become its primary contact, in
    # one statement whatever the number of customers (ids in the customers' order).
    op.execute(
        "INSERT INTO contact (workspace_id, customer_id, name, title, phone, phone_key, email, is_primary,"
        " note, created_at, updated_at)"
        " SELECT workspace_id, id, contact_person, '', phone, phone_key, email, TRUE, '', created_at, updated_at"
        " FROM customer WHERE contact_person <> '' OR phone <> '' OR email <> '' ORDER BY id"
    )


def downgrade() -> None:
    op.drop_index("ix_contact_phone_key", table_name="contact")
    op.drop_index("ix_contact_customer", table_name="contact")
    op.drop_table("contact")
