"""corrections: a visit or an order corrected or deleted is kept in the customer's change history

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer_change") as batch:
        batch.add_column(sa.Column("record", sa.String(length=24), nullable=False, server_default=""))
        batch.add_column(sa.Column("reason", sa.String(length=300), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("customer_change") as batch:
        batch.drop_column("reason")
        batch.drop_column("record")
