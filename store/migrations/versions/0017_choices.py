"""choices: the forms offer the regions and industries in use, read from an index

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 12:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_customer_region", "customer", ["workspace_id", "region"])
    op.create_index("ix_customer_industry", "customer", ["workspace_id", "industry"])


def downgrade() -> None:
    op.drop_index("ix_customer_industry", table_name="customer")
    op.drop_index("ix_customer_region", table_name="customer")
