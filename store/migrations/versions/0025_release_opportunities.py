"""release and opportunities: a release waiting for approval keeps what becomes of the customer's open
opportunities ("lose" or "keep"); the requests already there lose them, as a release did before

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("approval_request") as table:
        table.add_column(
            sa.Column("opportunities", sa.String(8), nullable=False, server_default=sa.text("'lose'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("approval_request") as table:
        table.drop_column("opportunities")
