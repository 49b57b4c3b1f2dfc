"""Fill a database at a revision with the story's rows, move it between revisions, read every row back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from store.db import MIGRATIONS, alembic_config, upgrade_schema
from tests.migrations.story import TABLE_BACKFILLS, Row, Story, later_value, story

SCRIPTS = ScriptDirectory(str(MIGRATIONS))
REVISIONS = [script.revision for script in reversed(list(SCRIPTS.walk_revisions()))]  # oldest first
HEAD = REVISIONS[-1]

Shape = dict[str, frozenset[str]]  # table -> its columns, at one revision
Rows = dict[str, list[Row]]  # table -> its rows, in primary key order


def tables(engine: sa.Engine) -> dict[str, sa.Table]:
    """The tables as they are in the database now (reflected: the shape of its revision)."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    return {table.name: table for table in metadata.sorted_tables if table.name != "alembic_version"}


def shape(engine: sa.Engine) -> Shape:
    return {name: frozenset(table.columns.keys()) for name, table in tables(engine).items()}


def fill(engine: sa.Engine, revision: str) -> Shape:
    """Bring an empty database to `revision` and write the story's rows, cut to that revision's shape,
    in every one of its tables (plain Core inserts against the reflected tables)."""
    upgrade_schema(engine, revision)
    rows = story()
    existing = tables(engine)
    assert set(existing) <= set(rows), f"no rows for {sorted(set(existing) - set(rows))} at {revision}"
    with engine.begin() as connection:
        for name, table in existing.items():  # parents first: sorted by foreign keys
            columns = table.columns.keys()
            connection.execute(table.insert(), [{c: row[c] for c in columns} for row in rows[name]])
    return shape(engine)


def expected(written_at: Shape, now: dict[str, sa.Table]) -> Rows:
    """The rows a database filled at one shape holds at another: the story's values in the columns
    that were there, backfills or defaults in the columns added since; in newer tables, nothing, or
    what their migration fills them with from the rows already there."""
    rows = story()
    found: Rows = {}
    for name, table in now.items():
        if name in written_at:
            written = [_as_now(name, row, written_at[name], table, rows) for row in rows[name]]
        else:
            written = TABLE_BACKFILLS[name](rows) if name in TABLE_BACKFILLS else []
        keys = [column.name for column in table.primary_key.columns]
        written = [{k: _in_utc(v) for k, v in row.items()} for row in written]  # naive UTC too (slack_sdk's)
        found[name] = sorted(written, key=lambda row: tuple(row[key] for key in keys))
    return found


def _as_now(name: str, row: Row, written: frozenset[str], table: sa.Table, rows: Story) -> Row:
    names = table.columns.keys()  # the names: iterating the collection itself gives Column objects
    return {c: row[c] if c in written else later_value(name, c, row, rows) for c in names}


def read(engine: sa.Engine, now: dict[str, sa.Table]) -> Rows:
    """Every row of every table, each value as Python reads it from either engine (instants in UTC)."""
    found: Rows = {}
    with engine.connect() as connection:
        for name, table in now.items():
            result = connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            found[name] = [{k: _in_utc(v) for k, v in row.items()} for row in result.mappings()]
    return found


def _in_utc(value: Any) -> Any:
    if isinstance(value, datetime):  # SQLite hands back the stored UTC instant without its zone
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def revision_of(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def downgrade(engine: sa.Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def foreign_key_problems(engine: sa.Engine) -> list[tuple[Any, ...]]:
    """SQLite's own check of every foreign key (PostgreSQL enforces them on every statement)."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")]


def foreign_keys_enforced(engine: sa.Engine) -> bool:
    """Whether a connection the engine hands out enforces foreign keys (always true on PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        return bool(connection.exec_driver_sql("PRAGMA foreign_keys").scalar())
