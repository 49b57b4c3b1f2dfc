"""the pipeline read from indexes alone: a rep's open opportunities by close day carry their stage,
probability and amount (the figures, the forecast and the morning reminders never visit the table),
and the workspace's by stage and close day (the company's figures summed in the index's order);
the closed ones, the workspace's and a rep's, by the instant they closed with their stage and amount
(what was won in a period), and only the closed ones (an index holding every open one under one NULL
key misled SQLite's planner into reading the open ones through it); a rep's history in the order of
their opportunities (the funnel groups each opportunity's changes as it reads them, without
sorting). The index of a rep's opportunities by the day they were opened goes: the funnel reads the
history instead.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

OPEN = sa.text("closed_at IS NULL")
CLOSED = sa.text("closed_at IS NOT NULL")


def _open_index(columns: list[str]) -> None:
    op.create_index(
        "ix_opportunity_owner_open", "opportunity", columns, sqlite_where=OPEN, postgresql_where=OPEN
    )


def _closed_indexes() -> None:
    for name, columns in (
        ("ix_opportunity_closed", ["workspace_id", "closed_at", "stage_id", "amount_base_minor"]),
        (
            "ix_opportunity_owner_closed",
            ["workspace_id", "owner_id", "closed_at", "stage_id", "amount_base_minor"],
        ),
    ):
        op.create_index(name, "opportunity", columns, sqlite_where=CLOSED, postgresql_where=CLOSED)


def upgrade() -> None:
    op.create_index(
        "ix_opportunity_open_stage", "opportunity",
        ["workspace_id", "stage_id", "expected_close_on", "probability", "amount_base_minor"],
        sqlite_where=OPEN, postgresql_where=OPEN,
    )  # fmt: skip
    op.drop_index("ix_opportunity_owner_created", table_name="opportunity")
    op.drop_index("ix_opportunity_closed", table_name="opportunity")
    _closed_indexes()
    op.drop_index("ix_opportunity_owner_open", table_name="opportunity")
    _open_index(
        ["workspace_id", "owner_id", "expected_close_on", "stage_id", "probability", "amount_base_minor"]
    )
    op.drop_index("ix_opportunity_change_owner", table_name="opportunity_change")
    op.create_index(
        "ix_opportunity_change_owner",
        "opportunity_change",
        ["workspace_id", "owner_id", "opportunity_id", "at", "to_stage_id", "change"],
    )


def downgrade() -> None:
    op.drop_index("ix_opportunity_open_stage", table_name="opportunity")
    op.drop_index("ix_opportunity_change_owner", table_name="opportunity_change")
    op.create_index(
        "ix_opportunity_change_owner",
        "opportunity_change",
        ["workspace_id", "owner_id", "at", "opportunity_id", "to_stage_id", "change"],
    )
    op.drop_index("ix_opportunity_owner_open", table_name="opportunity")
    _open_index(["workspace_id", "owner_id", "expected_close_on"])
    op.drop_index("ix_opportunity_owner_closed", table_name="opportunity")
    op.drop_index("ix_opportunity_closed", table_name="opportunity")
    op.create_index("ix_opportunity_closed", "opportunity", ["workspace_id", "closed_at"])
    op.create_index("ix_opportunity_owner_created", "opportunity", ["workspace_id", "owner_id", "created_at"])
