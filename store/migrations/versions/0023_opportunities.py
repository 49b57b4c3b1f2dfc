"""opportunities: the workspace's stages, its opportunities and their history, the per-workspace
counters that number them, and customers named by (workspace_id, id) for their foreign keys

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("uq_customer_workspace_id", "customer", ["workspace_id", "id"], unique=True)
    op.create_table(
        "workspace_counter",
        sa.Column("workspace_id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.Integer(), nullable=False),
    )
    op.create_table(
        "opportunity_stage",
        sa.Column("workspace_id", sa.String(32), primary_key=True),
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("idle_days", sa.Integer(), nullable=False),
        sa.Column("retired_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name="ck_opportunity_stage_probability"),
        sa.CheckConstraint("outcome IN ('open', 'won', 'lost')", name="ck_opportunity_stage_outcome"),
    )
    _opportunity()
    op.create_table(
        "opportunity_change",
        sa.Column("workspace_id", sa.String(32), primary_key=True),
        sa.Column("opportunity_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.String(32), nullable=True),
        sa.Column("at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("from_stage_id", sa.Integer(), nullable=True),
        sa.Column("to_stage_id", sa.Integer(), nullable=False),
        sa.Column("amount_base_minor", sa.BigInteger(), nullable=False),
        sa.Column("expected_close_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "opportunity_id"],
            ["opportunity.workspace_id", "opportunity.id"],
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_opportunity_change_at", "opportunity_change", ["workspace_id", "at"])
    op.create_index(
        "ix_opportunity_change_owner",
        "opportunity_change",
        ["workspace_id", "owner_id", "at", "opportunity_id", "to_stage_id", "change"],
    )


def _opportunity() -> None:
    op.create_table(
        "opportunity",
        sa.Column("workspace_id", sa.String(32), primary_key=True),
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("rate", sa.String(32), nullable=False),
        sa.Column("amount_base_minor", sa.BigInteger(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("expected_close_on", sa.Date(), nullable=False),
        sa.Column("products", sa.String(500), nullable=False),
        sa.Column("next_step", sa.String(500), nullable=False),
        sa.Column("lost_reason_key", sa.String(32), nullable=False),
        sa.Column("lost_reason", sa.String(500), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stage_since", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "customer_id"], ["customer.workspace_id", "customer.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "stage_id"], ["opportunity_stage.workspace_id", "opportunity_stage.id"]
        ),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name="ck_opportunity_probability"),
        sa.CheckConstraint("amount_minor > 0", name="ck_opportunity_amount"),
    )
    op.create_index("ix_opportunity_customer", "opportunity", ["workspace_id", "customer_id"])
    op.create_index(
        "ix_opportunity_owner_open",
        "opportunity",
        ["workspace_id", "owner_id", "expected_close_on"],
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_index("ix_opportunity_closed", "opportunity", ["workspace_id", "closed_at"])


def downgrade() -> None:
    op.drop_table("opportunity_change")
    op.drop_table("opportunity")
    op.drop_table("opportunity_stage")
    op.drop_table("workspace_counter")
    op.drop_index("uq_customer_workspace_id", table_name="customer")
