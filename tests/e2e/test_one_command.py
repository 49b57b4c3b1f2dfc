"""The README's run command runs the whole bot: `python -m bot serve` on the embedded SQLite default answers
Slack's requests and, with no other command typed, its worker sends what falls due: the rep's follow-up
reminder (the workspace's reminder time set to the minute before the bot starts) and the recycle of a
customer nobody visited, announced in the pool channel. SIGTERM stops the web process and the worker
with it.

A reminder goes on a working morning in the rep's zone, and the worker runs on the real clock: the rep's
zone and the workspace's country are chosen so that it is a working day there now, whatever the day
(from Saturday to Sunday morning, when no zone has a weekday, a Sunday in Israel: its week starts on Sunday).

Always on an embedded SQLite file of its own, whatever TEST_DATABASE_URL says: that is the default the
README's command runs on."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import SystemClock
from bot.config import Settings
from bot.env import Env
from bot.playground.standin import SlackStandIn
from bot.rules.calendar import is_working_day
from store.db import Database
from store.models import Customer, Person, WorkerLease, WorkspaceSetting
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
    _stop,
    pool_standin,
)

LONG_AGO = timedelta(days=200)  # past every level's days without a visit


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    yield from pool_standin()


ZONES = ("Pacific/Kiritimati", "Asia/Shanghai", "Europe/London", "America/New_York", "Pacific/Pago_Pago")


def a_working_morning(now: datetime) -> tuple[str, str, datetime]:
    """A country and a zone where it is a working day now, well clear of midnight; the local time."""
    for country in ("CN", "IL"):
        for name in ZONES:
            local = now.astimezone(ZoneInfo(name))
            if clock_time(0, 10) < local.time() < clock_time(23, 30) and is_working_day(
                local.date(), country
            ):
                return country, name, local
    raise AssertionError(f"no working day anywhere at {now}")


def seeded(url: str) -> Database:
    """A database at the newest schema with a rep, a pool channel, a customer whose follow-up is today
    (the reminder time a minute ago in the rep's zone), and a customer the rep has not visited for 200
    days: due back in the pool as soon as the recycle job runs."""
    db = Database.from_url(url)
    db.upgrade()
    env = Env(db=db, clock=SystemClock(), settings=Settings(_env_file=None))
    country, zone, local = a_working_morning(datetime.now(UTC))
    builders.person(env, REP)
    long_ago = datetime.now(UTC) - LONG_AGO
    forgotten = builders.customer(env, "Forgotten Trading", owner=REP)
    builders.customer(env, "Harbor Lights", owner=REP, next_follow_up=local.date())
    reminder_time = (local - timedelta(minutes=1)).strftime("%H:%M")
    with db.session() as session:
        customer = session.get(Customer, forgotten.id)
        assert customer is not None
        customer.owned_since = customer.recycle_clock_from = customer.created_at = long_ago
        rep = session.get(Person, (builders.WORKSPACE, REP))
        assert rep is not None
        rep.timezone = zone
        for key, value in (
            ("pool_channel", POOL_CHANNEL),
            ("reminder_time", reminder_time),
            ("country", country),
        ):
            session.add(WorkspaceSetting(workspace_id=builders.WORKSPACE, key=key, value=f'"{value}"',
                                         updated_by=ADMIN, updated_at=long_ago))  # fmt: skip
    return db


def wait_for_ready(url: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not _healthy(url):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_one_command_answers_slack_and_its_worker_sends_what_falls_due(tmp_path: Path, standin: SlackStandIn):
    db = seeded(f"sqlite:///{tmp_path / 'tidewater.db'}")
    env = _clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=standin.api_url
    )
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log_file:  # no DATABASE_URL: the default, tidewater.db in the folder
        command = [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--threads",
            "2",
        ]
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(f"http://127.0.0.1:{port}/healthz"):
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        ready = wait_for_ready(f"http://127.0.0.1:{port}/readyz")
        assert ready, "/readyz says 200 once the worker beside the web process leads"
        posts = standin.wait_for("chat.postMessage", 2, timeout=60)
        by_channel = {post.args["channel"]: str(post.args["blocks"]) for post in posts}
        assert set(by_channel) == {POOL_CHANNEL, REP}, log_path.read_text()
        assert "Forgotten Trading" in by_channel[POOL_CHANNEL]
        assert "Harbor Lights" in by_channel[REP], "the follow-up reminder, in the rep's DM"
    finally:
        _stop(process)
    assert process.returncode == 0, log_path.read_text()
    with db.session() as session:
        lease = session.get(WorkerLease, "worker")
    assert lease is not None
    assert lease.expires_at <= datetime.now(UTC), (
        "the worker stopped with the web process and gave up its lease"
    )
    db.engine.dispose()
