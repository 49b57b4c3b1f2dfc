"""visits on opportunities: a visit may name the opportunity it was about (one of its customer's); the
visits already there name none. Indexed for an opportunity's card (its visits and the last one). No
foreign key: an opportunity goes only with its customer, whose visits go with it, and adding one would
copy the whole visit table on SQLite

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("visit", sa.Column("opportunity_id", sa.Integer(), nullable=True))
    op.create_index(
        "ix_visit_opportunity",
        "visit",
        ["workspace_id", "opportunity_id", "visited_on"],
        sqlite_where=sa.text("opportunity_id IS NOT NULL"),
        postgresql_where=sa.text("opportunity_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_visit_opportunity", table_name="visit")
    with op.batch_alter_table("visit") as table:
        table.drop_column("opportunity_id")
