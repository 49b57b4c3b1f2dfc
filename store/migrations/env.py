"""Alembic environment: runs with the engine the bot hands over (see store.db.alembic_config).

Every upgrade or downgrade, however many revisions it crosses, is one transaction on both engines:
it is applied whole or not at all, and a database that fails to upgrade is left as it was."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables on the metadata)
from store.db import check_foreign_keys, include_object


def _migrate(connection: sa.Connection) -> bool:
    """Run the migrations in the connection's transaction; whether any step ran."""
    steps: list[object] = []
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        # The caller's transaction holds every step (alembic leaves a transaction it did not begin).
        transaction_per_migration=False,
        on_version_apply=lambda **step: steps.append(step),
    )
    context.run_migrations()
    return bool(steps)


def _run_on_postgresql(engine: sa.Engine) -> None:
    # PostgreSQL's DDL is transactional: one transaction around every step is all it takes.
    with engine.begin() as connection:
        _migrate(connection)


def _run_on_sqlite(engine: sa.Engine) -> None:
    """Batch migrations rebuild a table (copy, drop the old one, rename): with foreign keys enforced,
    dropping `customer` fails while its visits point at it. SQLite's recipe for changing a table's
    shape: foreign keys off, one transaction, PRAGMA foreign_key_check before the commit."""
    # pysqlite begins and commits transactions on its own schedule (and never around DDL); in
    # autocommit mode it leaves BEGIN and COMMIT to us. The connection's isolation level is reset
    # when it goes back to the pool.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Outside any transaction: inside one SQLite ignores this pragma without a word.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            _in_one_transaction(connection)
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def _in_one_transaction(connection: sa.Connection) -> None:
    # IMMEDIATE takes the write lock now: a second process upgrading at the same moment waits for
    # this one instead of failing halfway (WAL cannot promote a reader another writer got past).
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        if _migrate(connection):
            check_foreign_keys(connection)
    except BaseException:
        if connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
            connection.exec_driver_sql("ROLLBACK")  # (some errors end SQLite's transaction themselves)
        raise
    connection.exec_driver_sql("COMMIT")


engine: sa.Engine = context.config.attributes["engine"]
if engine.dialect.name == "sqlite":
    _run_on_sqlite(engine)
else:
    _run_on_postgresql(engine)
