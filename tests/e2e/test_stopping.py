"""SIGTERM to the real web process while a lazy listener is sending: the work in flight finishes within
STOP_SECONDS, or, past it, the process is ended and nothing is half done — the release is committed, its
announcement waits in the outbox, and the next sender finds the post that reached Slack instead of
posting it twice.

The lazy step here is a release's announcement, sent at once to the pool channel while Slack (the
stand-in) takes its time to answer chat.postMessage. On an embedded SQLite file of its own."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.clock import SystemClock
from bot.config import Settings
from bot.env import Env
from bot.playground.requests import SlackRequests, over_http
from bot.playground.standin import SlackStandIn
from store.db import Database
from store.models import Customer, OutboxMessage, WorkspaceSetting
from tests import builders
from tests.conftest import ADMIN, REP
from tests.e2e.conftest import (
    BOT_TOKEN,
    POOL_CHANNEL,
    SIGNING_SECRET,
    START_TIMEOUT,
    _clean_env,
    _free_port,
    _healthy,
    pool_standin,
)


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    yield from pool_standin()


@pytest.fixture(autouse=True)
def _nothing_slack_would_refuse(standin: SlackStandIn) -> Iterator[None]:
    """In place of the module-wide web process's checks: this module starts processes of its own."""
    yield
    assert standin.problems == [], "the bot sent payloads Slack would refuse"


def seeded(url: str) -> tuple[Database, int]:
    db = Database.from_url(url)
    db.upgrade()
    env = Env(db=db, clock=SystemClock(), settings=Settings(_env_file=None))
    builders.person(env, REP)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    with db.session() as session:
        now = datetime.now(UTC)
        session.add(
            WorkspaceSetting(workspace_id=builders.WORKSPACE, key="pool_channel", value=f'"{POOL_CHANNEL}"',
                             updated_by=ADMIN, updated_at=now)
        )  # fmt: skip
    assert acme.id is not None
    return db, acme.id


def serve(workdir: Path, standin: SlackStandIn, stop_seconds: float) -> tuple[subprocess.Popen[bytes], int]:
    env = _clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=standin.api_url,
        STOP_SECONDS=str(stop_seconds),
    )
    port = _free_port()
    command = [sys.executable, "-m", "bot", "serve", "--web-only", "--port", str(port), "--workers", "1"]
    with (workdir / "serve.log").open("wb") as log_file:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT
    while not _healthy(f"http://127.0.0.1:{port}/healthz"):
        assert process.poll() is None, (workdir / "serve.log").read_text()
        assert time.monotonic() < deadline, (workdir / "serve.log").read_text()
        time.sleep(0.1)
    return process, port


def release_and_stop_while_announcing(
    standin: SlackStandIn, port: int, process: subprocess.Popen[bytes], customer_id: int
) -> float:
    """Release the customer; once its announcement is on its way to Slack, SIGTERM. The seconds the
    process took to end."""
    slack = SlackRequests(
        secret=SIGNING_SECRET, standin=standin, transport=over_http(f"http://127.0.0.1:{port}/slack/events")
    )
    slack.button(REP, "customer.release", str(customer_id))
    form = standin.last("views.open")["view"]
    assert slack.submit(REP, form, {"reason": "not_interested", "note": ""}).status == 200
    standin.wait_for("chat.postMessage", timeout=10)
    asked = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    return time.monotonic() - asked


def announcement(db: Database) -> OutboxMessage:
    with db.session() as session:
        [message] = session.scalars(sa.select(OutboxMessage)).all()
        return message


def test_a_send_in_flight_at_sigterm_finishes_before_the_process_ends(tmp_path: Path, standin: SlackStandIn):
    db, acme = seeded(f"sqlite:///{tmp_path / 'tidewater.db'}")
    standin.slow_answers("chat.postMessage", 2.0)
    process, port = serve(tmp_path, standin, stop_seconds=20)

    took = release_and_stop_while_announcing(standin, port, process, acme)

    log = (tmp_path / "serve.log").read_text()
    assert process.returncode == 0, log
    assert 1.5 < took < 20, f"waited for the send (2 s), not for the deadline: {took:.1f} s"
    assert announcement(db).status == "sent", "Slack's answer was recorded before the process ended"
    assert standin.count("chat.postMessage") == 1
    assert "Traceback" not in log, log
    db.engine.dispose()


def test_a_send_past_the_deadline_is_cut_off_and_the_next_sender_finishes_it_once(
    tmp_path: Path, standin: SlackStandIn
):
    db, acme = seeded(f"sqlite:///{tmp_path / 'tidewater.db'}")
    standin.slow_answers("chat.postMessage", 30.0)
    process, port = serve(tmp_path, standin, stop_seconds=2)

    took = release_and_stop_while_announcing(standin, port, process, acme)

    assert took < 2 + 3, f"ended at its deadline (2 s), not when Slack answered (30 s): {took:.1f} s"
    with db.session() as session:
        released = session.get(Customer, acme)
        assert released is not None
        assert released.owner_id is None, "the release was committed"
    waiting = announcement(db)
    assert waiting.status == "pending", "the announcement waits in the outbox, in doubt"
    assert waiting.posting_since is not None

    standin.slow_answers("chat.postMessage", 0.0)
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()  # the cut-off sender's lease is over
    env = _clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=standin.api_url
    )
    ran = subprocess.run(
        [sys.executable, "-m", "bot", "jobs", "run", "outbox", "--at", later],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert announcement(db).status == "sent"
    assert standin.count("chat.postMessage") == 1, "found in the channel's history, not posted again"
    db.engine.dispose()
