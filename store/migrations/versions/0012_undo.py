"""undo: a release or a mark lost keeps what it changed, so it can be undone within minutes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 08:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ownership_event") as batch:
        batch.add_column(sa.Column("undo", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ownership_event") as batch:
        batch.drop_column("undo")
