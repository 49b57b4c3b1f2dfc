"""Backup and restore proven: a backup of a running SQLite bot, restored with `python -m bot restore` into
a fresh start, holds the same rows; the database it replaces is kept aside; a restore refuses what is not
a backup and a database a worker is running on; PostgreSQL is pointed at pg_restore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.__main__ import main
from bot.env import Env
from store import leases
from store.db import Database
from tests import builders
from tests.conftest import POSTGRES_URL, REP

SQLITE_ONLY = pytest.mark.skipif(bool(POSTGRES_URL), reason="restore replaces the embedded SQLite file")


def rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    with db.engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        found = {}
        for name in tables:
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            found[name] = sorted(tuple(map(str, row)) for row in connection.execute(sa.select(table)))
    return found


def run(monkeypatch: pytest.MonkeyPatch, database: Path, *words: str) -> int:
    """`python -m bot <words>` on `database`: its exit status."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    try:
        main(list(words))
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def filled(env: Env) -> None:
    builders.person(env, REP)
    builders.customer(env, "华东机械", owner=REP, phone="13800138000")
    builders.customer(env, "Acme Trading", owner=None)


@SQLITE_ONLY
def test_a_backup_restored_into_a_fresh_start_holds_the_same_rows(env, monkeypatch, tmp_path, capsys):
    filled(env)
    live = Path(str(env.db.engine.url.database))
    assert run(monkeypatch, live, "backup", str(tmp_path / "copy.db")) == 0
    fresh = tmp_path / "fresh" / "tidewater.db"
    fresh.parent.mkdir()
    assert run(monkeypatch, fresh, "restore", str(tmp_path / "copy.db")) == 0
    assert "Restored the database from" in capsys.readouterr().out
    restored = Database.from_url(f"sqlite:///{fresh}")
    try:
        assert rows(restored) == rows(env.db)
        assert rows(restored)["customer"], "rows were there to compare"
    finally:
        restored.engine.dispose()


@SQLITE_ONLY
def test_the_database_a_restore_replaces_is_kept_aside(env, monkeypatch, tmp_path, capsys):
    filled(env)
    live = Path(str(env.db.engine.url.database))
    assert run(monkeypatch, live, "backup", str(tmp_path / "copy.db")) == 0
    other = tmp_path / "other.db"
    assert run(monkeypatch, other, "db", "upgrade") == 0
    assert run(monkeypatch, other, "restore", str(tmp_path / "copy.db")) == 0
    [aside] = [path for path in tmp_path.iterdir() if path.name.startswith("other.db.before-restore-")]
    assert f"The database it replaced is in {aside}." in capsys.readouterr().out
    kept = Database.from_url(f"sqlite:///{aside}")
    try:
        assert rows(kept)["customer"] == [], "the replaced database, as it was"
    finally:
        kept.engine.dispose()


@SQLITE_ONLY
def test_a_restore_refuses_what_is_not_a_backup_and_changes_nothing(monkeypatch, tmp_path, capsys):
    target = tmp_path / "tidewater.db"
    assert run(monkeypatch, target, "db", "upgrade") == 0
    before = target.read_bytes()
    stray = tmp_path / "notes.txt"
    stray.write_text("not a database", encoding="utf-8")
    assert run(monkeypatch, target, "restore", str(stray)) == 1
    assert f"Nothing was done: {stray} is not a backup of this bot's database." in capsys.readouterr().err
    assert run(monkeypatch, target, "restore", str(tmp_path / "missing.db")) == 1
    assert "there is no file" in capsys.readouterr().err
    assert target.read_bytes() == before


@SQLITE_ONLY
def test_a_restore_refuses_a_database_a_worker_is_running_on(env, monkeypatch, tmp_path, capsys):
    filled(env)
    live = Path(str(env.db.engine.url.database))
    assert run(monkeypatch, live, "backup", str(tmp_path / "copy.db")) == 0
    with env.db.connection() as connection:  # a worker leads now (its lease runs for 20 s more)
        now = datetime.now(UTC)
        leases.take(
            connection,
            name=leases.WORKER,
            holder="host:7:abc",
            now=now,
            ttl=timedelta(seconds=20),
            force=False,
        )
    assert run(monkeypatch, live, "restore", str(tmp_path / "copy.db")) == 1
    assert "a worker is running on this database (host:7:abc): stop the bot first" in capsys.readouterr().err


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only")
def test_a_restore_on_postgresql_points_to_pg_restore(env, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", env.db.engine.url.render_as_string(hide_password=False))
    copy = tmp_path / "tidewater.dump"
    copy.write_bytes(b"PGDMP")
    with pytest.raises(SystemExit) as done:
        main(["restore", str(copy)])
    assert done.value.code == 1
    assert "this one is PostgreSQL: use pg_restore" in capsys.readouterr().err
