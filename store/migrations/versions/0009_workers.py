"""workers: the lease of the worker that leads

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 05:13:38.182690
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_lease",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("taken_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("worker_lease")
