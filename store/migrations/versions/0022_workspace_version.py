"""workspace version: a stamp bumped, in the same transaction, by every change to what each request
reads of a workspace (the workspace's own columns and its people's, by these triggers; its settings,
by the one function that writes them), so that a process may keep them in memory and know at the next
request whether they are still right

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

WORKSPACE_COLUMNS = "name, locale, timezone, country, currency, active, enterprise_id"
PERSON_COLUMNS = (
    "name, role, manager_id, timezone, chosen_locale, slack_locale, is_slack_admin, is_guest, is_deleted, "
    "profile_synced"
)


def upgrade() -> None:
    with op.batch_alter_table("workspace") as table:
        table.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("0")))
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    # The bump is an UPDATE of `version` alone: not a column these triggers watch, and SQLite does not
    # fire triggers from triggers unless recursive_triggers is on.
    op.execute(
        f"CREATE TRIGGER workspace_version_own AFTER UPDATE OF {WORKSPACE_COLUMNS} ON workspace "
        "BEGIN UPDATE workspace SET version = version + 1 WHERE id = NEW.id; END"
    )
    op.execute(
        f"CREATE TRIGGER workspace_version_person AFTER UPDATE OF {PERSON_COLUMNS} ON person "
        "BEGIN UPDATE workspace SET version = version + 1 WHERE id = NEW.workspace_id; END"
    )


def _postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION workspace_version_own() RETURNS trigger AS $$ "
        "BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        f"CREATE TRIGGER workspace_version_own BEFORE UPDATE OF {WORKSPACE_COLUMNS} ON workspace "
        "FOR EACH ROW EXECUTE FUNCTION workspace_version_own()"
    )
    op.execute(
        "CREATE FUNCTION workspace_version_of_row() RETURNS trigger AS $$ BEGIN "
        "UPDATE workspace SET version = version + 1 WHERE id = NEW.workspace_id; "
        "RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        f"CREATE TRIGGER workspace_version_person AFTER UPDATE OF {PERSON_COLUMNS} ON person "
        "FOR EACH ROW EXECUTE FUNCTION workspace_version_of_row()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER workspace_version_person ON person")
        op.execute("DROP TRIGGER workspace_version_own ON workspace")
        op.execute("DROP FUNCTION workspace_version_of_row()")
        op.execute("DROP FUNCTION workspace_version_own()")
    else:
        for name in ("own", "person"):
            op.execute(f"DROP TRIGGER workspace_version_{name}")
    with op.batch_alter_table("workspace") as table:
        table.drop_column("version")
