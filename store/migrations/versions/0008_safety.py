"""safety: workspaces that uninstalled the app, the outbox's leases and posts in doubt, replayed requests

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 11:34:56.816951
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_mark",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seen_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "key"),
    )
    with op.batch_alter_table("request_mark", schema=None) as batch_op:
        batch_op.create_index("ix_request_mark_seen", ["seen_at"], unique=False)

    # A pending message of an earlier release kept its lease in next_attempt_at: it comes due when
    # that lease ends, as before.
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("leased_until", store.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("posting_since", store.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("possible_duplicate", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(
            sa.Column("inactive_since", store.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("inactive_since")
        batch_op.drop_column("active")

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("possible_duplicate")
        batch_op.drop_column("posting_since")
        batch_op.drop_column("leased_until")
        batch_op.drop_column("lease_owner")

    with op.batch_alter_table("request_mark", schema=None) as batch_op:
        batch_op.drop_index("ix_request_mark_seen")

    op.drop_table("request_mark")
