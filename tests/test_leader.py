"""One leader among the workers: one leads, the others stand by, a dead leader is replaced within the
lease, and a leader that finds a successor stops. SQLite, or PostgreSQL (advisory lock) when
TEST_DATABASE_URL is set; the last test runs two real `python -m bot worker` processes and kills the
leader with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot import leader, worker
from bot.clock import FixedClock
from bot.leader import LEASE, Leadership
from store import leases
from store.db import Database
from tests.conftest import POSTGRES_URL

TTL = timedelta(seconds=20)
QUICK = timedelta(milliseconds=20)


def wait_until(done: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def holder(db: Database) -> str | None:
    with db.connection() as connection:
        lease = leases.current(connection, name=LEASE)
    return None if lease is None else lease.holder


@pytest.fixture
def two(db: Database, clock: FixedClock) -> Iterator[tuple[Leadership, Leadership]]:
    first, second = (Leadership(db, clock, holder=name, ttl=TTL) for name in ("worker-a", "worker-b"))
    yield first, second
    for one in (first, second):
        one.give_up()


def test_one_worker_leads_and_the_other_stands_by(two, db):
    first, second = two
    assert first.try_lead()
    assert not second.try_lead()
    assert first.renew()
    assert not second.try_lead()
    assert holder(db) == "worker-a"


def test_a_leader_that_stops_cleanly_hands_over_at_once(two, db):
    first, second = two
    assert first.try_lead()
    first.give_up()
    assert second.try_lead()
    assert holder(db) == "worker-b"
    assert not first.renew(), "the old leader, still running, finds a successor and does not lead"


def test_a_dead_leader_is_replaced_once_its_lease_runs_out_and_finds_its_successor_if_it_wakes(
    two, clock, db
):
    first, second = two
    assert first.try_lead()
    first.drop_lock()  # its connection gone, as when the process is killed (PostgreSQL frees the lock)
    clock.advance(TTL - timedelta(seconds=1))
    if not POSTGRES_URL:
        assert not second.try_lead(), "on SQLite the lease holds until it runs out"
    clock.advance(timedelta(seconds=2))
    # On PostgreSQL the lock goes when the server sees the connection gone: milliseconds, more under load.
    assert wait_until(second.try_lead, seconds=2)
    assert holder(db) == "worker-b"
    assert not first.renew()


@pytest.mark.skipif(not POSTGRES_URL, reason="the advisory lock is PostgreSQL's")
def test_on_postgresql_the_lock_elects_at_once_when_the_leaders_connection_goes(two):
    first, second = two
    assert first.try_lead()
    assert not second.try_lead()
    first.drop_lock()
    # The server frees the lock once its backend sees the connection gone: milliseconds, not a lease.
    assert wait_until(second.try_lead, seconds=2), "no lease to wait out: the lock went with the connection"


def test_following_leads_and_steps_down_when_a_renewal_fails(db, clock):
    seen: list[str] = []
    leadership = Leadership(db, clock, holder="worker-a", ttl=TTL)
    stop = threading.Event()
    steps = {"lead": lambda: seen.append("lead"), "step_down": lambda: seen.append("down")}
    thread = threading.Thread(target=leader.follow, args=(leadership, stop), kwargs={**steps, "every": QUICK})
    thread.start()
    try:
        assert wait_until(lambda: seen == ["lead"])
        leadership.drop_lock()
        with db.connection() as connection:  # a successor took the lease meanwhile
            leases.take(connection, name=LEASE, holder="worker-b", now=clock.now(), ttl=TTL, force=True)
        assert wait_until(lambda: seen[-1:] == ["down"])
        assert seen.count("lead") == 1
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert seen == ["lead", "down"]


@pytest.fixture
def no_job_table_left_behind(db: Database) -> Iterator[None]:
    yield
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {worker.JOB_TABLE}"))


def start_worker(database_url: str, api_url: str, **settings: str) -> subprocess.Popen[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DEFAULT_", "LEADER_"))},
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": api_url,
        "LEADER_LEASE_SECONDS": "3",
        "LEADER_CHECK_SECONDS": "0.5",
        **settings,
    }
    command = [sys.executable, "-m", "bot", "worker"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.usefixtures("no_job_table_left_behind")
def test_two_worker_processes_elect_one_and_the_standby_takes_over_when_the_leader_is_killed(
    database_url, db, standin
):
    first = start_worker(database_url, standin.api_url)
    second: subprocess.Popen[str] | None = None
    try:
        assert wait_until(lambda: f":{first.pid}:" in (holder(db) or ""), seconds=30), "the first leads"
        second = start_worker(database_url, standin.api_url)
        time.sleep(2)  # several of the standby's tries
        assert f":{first.pid}:" in (holder(db) or ""), "one leader at a time"
        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        assert wait_until(lambda: f":{second.pid}:" in (holder(db) or ""), seconds=30)
        assert time.monotonic() - killed_at < 3 + 0.5 + 2, "within the lease and one try (and a margin)"
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
