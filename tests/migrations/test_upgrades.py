"""Databases that hold rows, at every revision, upgrade to the newest schema with every row intact;
downgrades keep what their schema keeps; an upgrade that fails changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from store.db import BrokenForeignKeys, upgrade_schema
from tests.conftest import POSTGRES_URL
from tests.migrations import story
from tests.migrations.harness import (
    HEAD,
    REVISIONS,
    Rows,
    downgrade,
    expected,
    fill,
    foreign_key_problems,
    foreign_keys_enforced,
    read,
    revision_of,
    shape,
    tables,
)


def assert_same_rows(found: Rows, wanted: Rows) -> None:
    assert found.keys() == wanted.keys()
    for table, rows in wanted.items():
        assert found[table] == rows, f"the rows of {table}"


def test_the_newest_migration_has_its_rows_in_the_story():
    assert story.REVISION == HEAD, (
        f"migration {HEAD} has no fixture: give its tables rows and its columns values in "
        "tests/migrations/story.py, then set story.REVISION"
    )


def test_the_story_fills_every_column_of_every_table_and_knows_every_server_default(blank):
    upgrade_schema(blank)
    now = tables(blank)
    rows = story.story()
    assert rows.keys() == now.keys()
    for name, table in now.items():
        assert rows[name], f"no rows for {name}"
        assert all(row.keys() == set(table.columns.keys()) for row in rows[name]), f"the columns of {name}"
    defaults = {
        (t.name, c.name)
        for t in now.values()
        for c in t.columns
        if c.server_default is not None and not c.primary_key
    }  # (PostgreSQL reflects the ids' sequences as server defaults)
    assert defaults == set(story.DEFAULTS)


@pytest.mark.parametrize("revision", REVISIONS)
def test_a_database_filled_at_each_revision_upgrades_with_every_row(blank, revision):
    written = fill(blank, revision)

    upgrade_schema(blank)

    now = tables(blank)
    assert revision_of(blank) == HEAD
    assert_same_rows(read(blank, now), expected(written, now))
    assert foreign_key_problems(blank) == []
    assert foreign_keys_enforced(blank)


@pytest.mark.parametrize("revision", REVISIONS)
def test_downgrading_one_revision_and_upgrading_again_keeps_the_rows(blank, revision):
    written = fill(blank, revision)
    upgrade_schema(blank)
    downgrade(blank, "-1")
    below = shape(blank)
    kept = {name: columns & below[name] for name, columns in written.items() if name in below}

    upgrade_schema(blank)

    now = tables(blank)
    assert_same_rows(read(blank, now), expected(kept, now))
    assert foreign_key_problems(blank) == []


def test_each_downgrade_step_keeps_the_rows_of_the_schema_it_goes_back_to(blank):
    written = fill(blank, HEAD)
    for revision in reversed(REVISIONS[:-1]):
        downgrade(blank, revision)

        now = tables(blank)
        assert revision_of(blank) == revision
        assert_same_rows(read(blank, now), expected(written, now))
        assert foreign_key_problems(blank) == []
    assert foreign_keys_enforced(blank)


def test_an_upgrade_that_fails_halfway_leaves_the_database_as_it_was(blank):
    written = fill(blank, "0003")
    with blank.begin() as connection:  # 0007 creates this index: its step fails, after 0004-0006 ran
        connection.exec_driver_sql("CREATE INDEX ix_person_email ON person (workspace_id, name)")
    before = tables(blank)

    with pytest.raises(sa.exc.DatabaseError, match="ix_person_email"):
        upgrade_schema(blank)

    assert revision_of(blank) == "0003"
    assert tables(blank).keys() == before.keys(), "the tables of 0004 and 0006 are gone again"
    assert shape(blank) == written
    assert_same_rows(read(blank, before), expected(written, before))
    assert foreign_keys_enforced(blank)


@pytest.mark.skipif(bool(POSTGRES_URL), reason="PostgreSQL never lets such a row in")
def test_an_upgrade_that_would_leave_broken_foreign_keys_names_them_and_changes_nothing(blank):
    written = fill(blank, "0003")
    with blank.connect() as connection:  # a row that got in while foreign keys were off
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.exec_driver_sql(
            "INSERT INTO visit (id, workspace_id, customer_id, author_id, kind, visited_on, note, created_at)"
            " VALUES (99, 'T0TIDE', 404, 'U0MEI', 'call', '2026-11-20', 'orphan', '2026-11-20 09:00:00.000000')"
        )
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    before = tables(blank)
    rows = read(blank, before)

    with pytest.raises(BrokenForeignKeys, match=r"visit -> customer \(1\)"):
        upgrade_schema(blank)

    assert revision_of(blank) == "0003"
    assert shape(blank) == written
    assert read(blank, before) == rows
    assert foreign_keys_enforced(blank)
