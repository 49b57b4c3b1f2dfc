"""Whether this installation can do its work, for `/readyz` and `python -m bot status`: the database
answers, its schema is the newest this code knows, and a worker leads (its heartbeat is recent).

`/healthz` only says the web process is alive; a load balancer or an orchestrator asks `/readyz` before
sending traffic, and an operator's monitor asks it to notice a stopped worker, which nothing else shows:
the bot still answers commands while no reminder, recycle or queued message goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from bot.leader import LEASE
from store import leases
from store.db import MIGRATIONS, Database

HEARTBEAT_WITHIN = timedelta(minutes=2)


@dataclass(frozen=True)
class Readiness:
    problems: tuple[str, ...]
    schema_current: bool = True  # False: the database did not answer, or its tables are not this release's

    @property
    def ready(self) -> bool:
        return not self.problems


@cache
def newest_revision() -> str | None:
    """The schema this code needs (read once: the migrations do not change while it runs)."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def readiness(db: Database, now: datetime) -> Readiness:
    """What stands in the way of the bot's work, in words an operator can act on (none: ready)."""
    try:
        with db.engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            lease = leases.current(connection, name=LEASE) if revision == newest_revision() else None
    except SQLAlchemyError as error:
        return Readiness((f"the database does not answer: {type(error).__name__}",), schema_current=False)
    if revision != newest_revision():
        at = f"is at {revision}" if revision else "has no tables yet"
        upgrade = f"the schema {at}, this release needs {newest_revision()}: run python -m bot db upgrade"
        return Readiness((upgrade,), schema_current=False)
    if lease is None:
        return Readiness(("no worker has led yet: start python -m bot worker",))
    silent = now - lease.renewed_at
    if silent > HEARTBEAT_WITHIN:
        return Readiness((f"the worker leader's last heartbeat was {int(silent.total_seconds())} s ago "
                          f"({lease.holder}): is a worker running?",))  # fmt: skip
    return Readiness(())
