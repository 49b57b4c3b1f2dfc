"""/readyz: 200 when the database answers at the newest schema and a worker led within two minutes, else
503 with what stands in the way; /healthz stays 200 throughout (the process is alive)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from bot import health
from bot.clock import FixedClock
from bot.leader import LEASE
from bot.web import wsgi_app
from store import leases
from store.db import Database, upgrade_schema
from tests.test_edge import call, environ


def ready_app(app: Any, db: Database, clock: FixedClock) -> Any:
    return wsgi_app(app, ready=lambda: health.readiness(db, clock.now()))


def readyz(app: Any, db: Database, clock: FixedClock) -> tuple[int, str]:
    answer = call(ready_app(app, db, clock), environ(method="GET", path="/readyz"))
    return answer.status, answer.body.decode()


def heartbeat(db: Database, clock: FixedClock) -> None:
    with db.connection() as connection:
        leases.take(
            connection,
            name=LEASE,
            holder="host:1:abc",
            now=clock.now(),
            ttl=timedelta(seconds=20),
            force=False,
        )


def test_ready_once_a_worker_leads_and_not_before(app, db, clock):
    assert readyz(app, db, clock) == (503, "no worker has led yet: start python -m bot worker")
    heartbeat(db, clock)
    assert readyz(app, db, clock) == (200, "ready")


def test_a_silent_leader_makes_the_installation_not_ready_and_says_since_when(app, db, clock):
    heartbeat(db, clock)
    clock.advance(timedelta(minutes=2))
    assert readyz(app, db, clock)[0] == 200
    clock.advance(timedelta(seconds=1))
    status, text = readyz(app, db, clock)
    assert status == 503
    assert "last heartbeat was 121 s ago (host:1:abc)" in text
    answer = call(ready_app(app, db, clock), environ(method="GET", path="/healthz"))
    assert answer.status == 200, "alive all the same"


def test_a_schema_behind_the_code_is_named_with_the_command_that_fixes_it(app, clock, tmp_path: Path):
    behind = Database.from_url(f"sqlite:///{tmp_path / 'behind.db'}")
    upgrade_schema(behind.engine, "0008")
    status, text = readyz(app, behind, clock)
    assert status == 503
    assert (
        text
        == f"the schema is at 0008, this release needs {health.newest_revision()}: run python -m bot db upgrade"
    )
    behind.engine.dispose()


def test_a_database_that_does_not_answer_is_said_so(app, clock):
    gone = Database.from_url("sqlite:////nonexistent-folder/tidewater.db")
    status, text = readyz(app, gone, clock)
    assert status == 503
    assert text.startswith("the database does not answer: ")
