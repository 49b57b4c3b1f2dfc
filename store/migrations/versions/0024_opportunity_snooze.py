"""opportunity reminders and the funnel: the day until which an opportunity is left out of its owner's
morning reminders (slipped or idle), when they snoozed it; an index on a team's opportunities by the
day they were opened

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("opportunity") as table:
        table.add_column(sa.Column("reminder_snoozed_until", sa.Date(), nullable=True))
    op.create_index("ix_opportunity_owner_created", "opportunity", ["workspace_id", "owner_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_opportunity_owner_created", table_name="opportunity")
    with op.batch_alter_table("opportunity") as table:
        table.drop_column("reminder_snoozed_until")
