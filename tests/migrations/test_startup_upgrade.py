"""The bot's own start upgrades an embedded SQLite file of an earlier release, rows and all, after
copying it beside itself; an upgrade that fails stops the start with a message, the file untouched."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.config import Settings
from bot.startup import upgrade_embedded as _upgrade_embedded
from store.db import create_db_engine
from tests.migrations.harness import (
    HEAD,
    Shape,
    expected,
    fill,
    foreign_key_problems,
    read,
    revision_of,
    tables,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def old_file(tmp_path: Path) -> tuple[Path, Shape]:
    """The SQLite file of a bot released at schema 0003, with its rows."""
    path = tmp_path / "tidewater.db"
    engine = create_db_engine(f"sqlite:///{path}")
    written = fill(engine, "0003")
    engine.dispose()
    return path, written


def settings_for(path: Path) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite:///{path}")


def test_the_start_upgrades_an_old_file_with_its_rows_and_leaves_a_copy_of_it(old_file, caplog):
    path, written = old_file
    caplog.set_level(logging.INFO, logger="tidewater.db")

    _upgrade_embedded(settings_for(path))

    backup = path.with_name("tidewater.db.at-0003.bak")
    assert f"copied to {backup}" in caplog.text
    assert_upgraded_with_rows(path, written)
    assert_is_the_old_file(backup, written)


def test_db_upgrade_on_the_command_line_does_the_same(old_file):
    path, written = old_file
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=path.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{path}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "from schema 0003 to" in result.stderr
    assert "tidewater.db.at-0003.bak" in result.stderr
    assert_upgraded_with_rows(path, written)
    assert_is_the_old_file(path.with_name("tidewater.db.at-0003.bak"), written)


def test_a_failed_upgrade_stops_the_start_with_a_message_and_leaves_the_file_as_it_was(old_file):
    path, written = old_file
    engine = create_db_engine(f"sqlite:///{path}")
    with engine.begin() as connection:  # 0007 creates this index: its step fails, after 0004-0006 ran
        connection.exec_driver_sql("CREATE INDEX ix_person_email ON person (workspace_id, name)")
    engine.dispose()

    with pytest.raises(SystemExit) as stopped:
        _upgrade_embedded(settings_for(path))

    message = str(stopped.value.code)
    backup = path.with_name("tidewater.db.at-0003.bak")
    assert f"upgrading the database {path} from schema 0003 to {HEAD} failed" in message
    assert "index ix_person_email already exists" in message
    assert "The database was left as it was" in message
    assert str(backup) in message
    assert "Traceback" not in message
    assert "[SQL:" not in message
    assert_is_the_old_file(path, written)
    assert_is_the_old_file(backup, written)


@pytest.mark.parametrize("command", [["db", "upgrade"], ["worker"]])
def test_a_failed_upgrade_on_the_command_line_is_a_message_not_a_traceback(old_file, command):
    path, written = old_file
    engine = create_db_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE INDEX ix_person_email ON person (workspace_id, name)")
    engine.dispose()

    result = subprocess.run(
        [sys.executable, "-m", "bot", *command],
        cwd=path.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{path}"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "index ix_person_email already exists" in result.stderr
    assert "The database was left as it was" in result.stderr
    assert "To report it" in result.stderr
    assert "Traceback" not in result.stderr
    assert_is_the_old_file(path, written)


def assert_upgraded_with_rows(path: Path, written: Shape) -> None:
    engine = create_db_engine(f"sqlite:///{path}")
    now = tables(engine)
    assert revision_of(engine) == HEAD
    assert read(engine, now) == expected(written, now)
    assert foreign_key_problems(engine) == []
    engine.dispose()


def assert_is_the_old_file(path: Path, written: Shape) -> None:
    engine = sa.create_engine(f"sqlite:///{path}")
    now = tables(engine)
    assert revision_of(engine) == "0003"
    assert {name: frozenset(table.columns.keys()) for name, table in now.items()} == written
    assert read(engine, now) == expected(written, now)
    engine.dispose()
