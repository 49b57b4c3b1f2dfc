"""churn: the latest recorded satisfaction on the customer

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:50:15.199749
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_satisfaction", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_satisfaction_on", sa.Date(), nullable=True))
    _backfill()


def _backfill() -> None:
    """The satisfaction of each customer's latest visit that recorded one (the later logged on a tie)."""
    latest = (
        "SELECT {column} FROM visit v WHERE v.customer_id = customer.id AND v.satisfaction IS NOT NULL"
        " ORDER BY v.visited_on DESC, v.id DESC LIMIT 1"
    )
    op.execute(
        f"UPDATE customer SET last_satisfaction = ({latest.format(column='v.satisfaction')}),"
        f" last_satisfaction_on = ({latest.format(column='v.visited_on')})"
        " WHERE EXISTS (SELECT 1 FROM visit v WHERE v.customer_id = customer.id AND v.satisfaction IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("last_satisfaction_on")
        batch_op.drop_column("last_satisfaction")
