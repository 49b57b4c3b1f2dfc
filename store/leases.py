"""Who leads the workers: one lease row, taken by one worker and renewed by its heartbeat.

On SQLite the row is the election: a worker takes the lease when it is free or has expired, and keeps
it by renewing it before it expires. On PostgreSQL the election is an advisory lock held on a dedicated
connection (`try_lock`), which the server frees the moment the leader's connection goes away; the row
is then only the leader's heartbeat, which `/readyz` and `python -m bot status` read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from store.models.workers import WorkerLease
from store.sql import insert_for

# One number for the whole installation (pg_try_advisory_lock takes a bigint): "tidewate" in ASCII.
ADVISORY_KEY = 0x7469646577617465
WORKER = "worker"  # the one lease there is: who leads the workers
LEASES: sa.Table = WorkerLease.__table__  # type: ignore[attr-defined]


def take(
    connection: sa.Connection, *, name: str, holder: str, now: datetime, ttl: timedelta, force: bool
) -> bool:
    """Take or renew the lease for `holder`; True when it holds it until now + ttl. `force` takes it
    whoever holds it (PostgreSQL: the advisory lock already decided)."""
    table = LEASES
    free = sa.or_(table.c.holder == holder, table.c.expires_at <= now)
    taken_at = sa.case((table.c.holder == holder, table.c.taken_at), else_=now)
    update = (
        table.update()
        .where(table.c.name == name, sa.true() if force else free)
        .values(holder=holder, taken_at=taken_at, renewed_at=now, expires_at=now + ttl)
    )
    if connection.execute(update).rowcount == 1:
        return True
    values = {"name": name, "holder": holder, "taken_at": now, "renewed_at": now, "expires_at": now + ttl}
    # RETURNING tells whether the row went in: psycopg reports no row count for this statement.
    first = insert_for(connection)(table).values(values).on_conflict_do_nothing().returning(table.c.name)
    return connection.execute(first).first() is not None


def give_up(connection: sa.Connection, *, name: str, holder: str, now: datetime) -> None:
    """Let the lease go now (a clean stop), so a standby need not wait for it to expire."""
    table = LEASES
    connection.execute(
        table.update().where(table.c.name == name, table.c.holder == holder).values(expires_at=now)
    )


def current(connection: sa.Connection, *, name: str) -> WorkerLease | None:
    table = LEASES
    row = connection.execute(sa.select(table).where(table.c.name == name)).first()
    return None if row is None else WorkerLease(**row._mapping)


def try_lock(connection: sa.Connection) -> bool:
    """PostgreSQL: take the leader's advisory lock on this session, without waiting."""
    locked = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})
    return bool(locked.scalar())


def unlock(connection: sa.Connection) -> None:
    """PostgreSQL: let the leader's advisory lock go now, before its connection closes."""
    connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})


def leader(connection: sa.Connection) -> WorkerLease | None:
    """The workers' lease as it stands; None when no worker has led, or the schema predates the table
    (a database not upgraded yet, read by `status` or `restore`)."""
    if not sa.inspect(connection).has_table(LEASES.name):
        return None
    return current(connection, name=WORKER)
