"""Engine, sessions and schema upgrades."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from store.bulk import backup_sqlite, sqlite_file

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
POOL_SPARE = 2  # beyond the threads' one connection each: a pool never waits on a rare second one

log = logging.getLogger("tidewater.db")


def create_db_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine tuned for the bot: SQLite in WAL mode with a busy timeout; PostgreSQL pooled."""
    if url.startswith("sqlite"):
        kwargs.pop("pool_size", None)
        kwargs.pop("max_overflow", None)
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        sa.event.listen(engine, "connect", _tune_sqlite)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: every commit reaches the disk before the person is told "done" (a claim, an order survives
    # a power cut); NORMAL would be faster in WAL mode but may lose the last commits.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


class Database:
    """The engine plus a session factory; services open one session per unit of work."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, class_=Session, expire_on_commit=False)
        # What the process keeps of this database's rows (bot/services/freshness.py), by kind: it lives
        # and goes with the database it was read from.
        self.kept: dict[str, Any] = {}

    @classmethod
    def from_url(cls, url: str, *, connections: int | None = None) -> Database:
        """`connections`: the PostgreSQL pool's size, with POOL_SPARE more for a moment's need."""
        sized = {} if connections is None else {"pool_size": connections, "max_overflow": POOL_SPARE}
        return cls(create_db_engine(url, **sized))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends and rolls back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def connection(self) -> Iterator[sa.Connection]:
        """A Core connection whose transaction commits when the block ends: for hot paths (the claim)
        that run prebuilt statements and need no ORM objects, whose bookkeeping costs more than the SQL."""
        with self.engine.begin() as connection:
            yield connection

    def upgrade(self) -> Path | None:
        """Bring the schema to the newest migration, in one transaction. An embedded SQLite file that
        is behind is first copied beside itself: the copy's path, or None when nothing was copied.
        Raises UpgradeFailed (the database left as it was) if a migration fails."""
        current, newest = revisions(self.engine)
        if current == newest:
            return None
        backup = backup_before_upgrade(self.engine, current=current, newest=newest)
        try:
            upgrade_schema(self.engine)
        except Exception as error:
            raise UpgradeFailed(self.engine, current, newest, backup, error) from error
        return backup


def alembic_config(engine: sa.Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: sa.Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def revisions(engine: sa.Engine) -> tuple[str | None, str | None]:
    """The database's schema revision (None: no schema yet) and the newest one there is."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, ScriptDirectory(str(MIGRATIONS)).get_current_head()


def backup_before_upgrade(engine: sa.Engine, *, current: str | None, newest: str | None) -> Path | None:
    """Copy an embedded SQLite file that holds a schema to `<file>.at-<revision>.bak` beside it, with
    the same online backup as `python -m bot backup`: what to go back to if the new release is not
    wanted, since a downgrade cannot give back what an upgrade dropped."""
    database = sqlite_file(engine) if engine.dialect.name == "sqlite" else None
    if database is None or current is None:
        return None
    backup = database.with_name(f"{database.name}.at-{current}.bak")
    backup_sqlite(engine=engine, target=backup)
    log.info(
        "upgrading %s from schema %s to %s; the database as it was is copied to %s",
        database,
        current,
        newest,
        backup,
    )
    return backup


class UpgradeFailed(Exception):
    """A schema upgrade failed and was rolled back: the database is as it was before."""

    def __init__(
        self,
        engine: sa.Engine,
        current: str | None,
        newest: str | None,
        backup: Path | None,
        error: Exception,
    ) -> None:
        self.database = sqlite_file(engine) if engine.dialect.name == "sqlite" else None
        self.current, self.newest, self.backup = current, newest, backup
        # The driver's own words ("database is locked"), without SQLAlchemy's statement and links.
        self.reason = str(error.orig if isinstance(error, sa.exc.DBAPIError) else error)
        super().__init__(f"upgrading the schema from {current} to {newest} failed: {self.reason}")


class BrokenForeignKeys(Exception):
    """A schema change on SQLite would leave rows pointing at rows that are not there."""


def check_foreign_keys(connection: sa.Connection) -> None:
    """SQLite's own check of every foreign key, for migrations that run with enforcement off; raises
    BrokenForeignKeys naming each table with such rows and the table they point at."""
    found = Counter(
        (table, parent)
        for table, _rowid, parent, _key in connection.exec_driver_sql("PRAGMA foreign_key_check")
    )
    if found:
        broken = ", ".join(
            f"{table} -> {parent} ({count})" for (table, parent), count in sorted(found.items())
        )
        raise BrokenForeignKeys(f"rows would point at rows that are not there: {broken}")


# The worker's APScheduler job store creates and owns this table; the migrations leave it alone.
SCHEDULER_TABLES = frozenset({"apscheduler_jobs"})


def include_object(_obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object) -> bool:
    """Alembic's filter: every table of the models, none of the scheduler's."""
    return not (type_ == "table" and name in SCHEDULER_TABLES)
