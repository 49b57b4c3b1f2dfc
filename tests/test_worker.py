"""The worker keeps its jobs in the database: one real short run, a restart that catches up once, a
stale job removed, a failing run that does not stop the worker. SQLite, or PostgreSQL when
TEST_DATABASE_URL is set."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot import i18n, jobs, notify, startup, worker
from store.db import Database
from tests import builders
from tests.conftest import REP


@pytest.fixture(autouse=True)
def no_job_table_left_behind(db: Database) -> Iterator[None]:
    """On PostgreSQL the test database outlives the test, and test_startup compares its schema with
    the models: drop the job store's table again."""
    yield
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {worker.JOB_TABLE}"))


def wait_until(done: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


class Runs:
    """The runs the scheduler reports, as (job id, scheduled run time)."""

    def __init__(self, scheduler) -> None:
        self._lock = threading.Lock()
        self._seen: list[tuple[str, datetime]] = []
        scheduler.add_listener(self._record, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _record(self, event) -> None:
        with self._lock:
            self._seen.append((event.job_id, event.scheduled_run_time))

    def of(self, job_id: str) -> list[datetime]:
        with self._lock:
            return [at for seen_id, at in self._seen if seen_id == job_id]


def stored(db: Database) -> dict[str, float | None]:
    """The job store's rows: job id -> next run time (a UTC timestamp)."""
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT id, next_run_time FROM {worker.JOB_TABLE}"))
        return {row.id: row.next_run_time for row in rows}


def test_one_short_run_sends_a_due_message_once_from_jobs_kept_in_the_database(settings, db, env, standin):
    notify.enqueue(
        env,  # its clock says 2026-11-23 02:00Z; the worker's own clock is later, so this is due
        workspace_id=builders.WORKSPACE,
        kind="reminder",
        recipient=REP,
        subject="acme",
        period="d1",
        message={"text": "Follow up with Acme"},
    )
    scheduler = worker.build_scheduler(
        settings, db, scheduler_class=BackgroundScheduler, every_seconds_override={"outbox": 1}
    )
    runs = Runs(scheduler)
    scheduler.start()
    try:
        sent = wait_until(lambda: len(standin.calls_to("chat.postMessage")) >= 1)
        ticked_again = wait_until(lambda: len(runs.of("outbox")) >= 2)  # a second tick sends nothing
    finally:
        scheduler.shutdown(wait=True)

    assert sent
    assert ticked_again
    posts = standin.calls_to("chat.postMessage")
    assert len(posts) == 1
    assert posts[0].args["channel"] == REP
    assert "Follow up with Acme" in str(posts[0].args)
    rows = stored(db)
    assert set(rows) == set(jobs.JOBS)
    assert all(at is not None for at in rows.values())
    job = SQLAlchemyJobStore(engine=db.engine, tablename=worker.JOB_TABLE).lookup_job("outbox")
    assert job.func is worker.tick
    assert tuple(job.args) == ("outbox",)
    assert job.trigger.interval == timedelta(seconds=1)
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.misfire_grace_time is None


def test_a_job_that_missed_several_ticks_runs_once_not_once_per_missed_tick(settings, db):
    every = 60
    scheduler = worker.build_scheduler(
        settings, db, scheduler_class=BackgroundScheduler, every_seconds_override={"outbox": every}
    )
    runs = Runs(scheduler)
    scheduler.start(paused=True)  # puts the jobs in the store, runs nothing
    try:
        first_missed = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5 * every + every // 2)
        scheduler.modify_job("outbox", next_run_time=first_missed)  # as if the worker had been down
        assert stored(db)["outbox"] == first_missed.timestamp()
        scheduler.resume()
        ran = wait_until(lambda: len(runs.of("outbox")) >= 1, seconds=5)
    finally:
        scheduler.shutdown(wait=True)  # every run it started has finished and been reported

    missed = [first_missed + timedelta(seconds=k * every) for k in range(6)]  # the last one 30 s ago
    assert ran, "the missed ticks did not run"
    assert runs.of("outbox") == [missed[-1]]  # once, for the latest missed tick
    assert stored(db)["outbox"] == (missed[-1] + timedelta(seconds=every)).timestamp()  # back on its beat
    # The other jobs, never stored before this start, ran once at the start and are back on their beat.
    assert all(len(runs.of(name)) <= 1 for name in jobs.JOBS if name != "outbox")


def test_a_restarted_worker_keeps_when_each_job_is_next_due(settings, db):
    before = worker.build_scheduler(settings, db, scheduler_class=BackgroundScheduler)
    before.start(paused=True)
    before.shutdown()  # nothing is due: its jobs next run an interval from now
    kept = stored(db)
    assert set(kept) == set(jobs.JOBS)

    restarted = worker.build_scheduler(settings, db, scheduler_class=BackgroundScheduler)
    # replace_existing alone would reset each to a new "an interval from now", a few ms later
    pending = {job.id: job.next_run_time.timestamp() for job in restarted.get_jobs()}
    sent_at_once = pending.pop(jobs.OUTBOX)
    assert sent_at_once < kept.pop(jobs.OUTBOX), "the outbox runs at once when a worker starts to lead"
    assert pending == {name: pytest.approx(at, abs=1e-5) for name, at in kept.items()}
    restarted.start(paused=True)
    restarted.shutdown()
    after = stored(db)
    after.pop(jobs.OUTBOX)
    assert after == {name: pytest.approx(at, abs=1e-5) for name, at in kept.items()}


def test_a_job_no_longer_in_the_worker_is_removed_from_the_store_when_it_starts(settings, db):
    earlier = BackgroundScheduler(
        timezone="UTC",
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename=worker.JOB_TABLE)},
    )
    earlier.start(paused=True)
    earlier.add_job(worker.TICK, "interval", seconds=900, args=["nightly"], id="nightly")  # since renamed
    earlier.shutdown()
    assert set(stored(db)) == {"nightly"}

    scheduler = worker.build_scheduler(settings, db, scheduler_class=BackgroundScheduler)
    assert set(stored(db)) == set()  # gone before the scheduler runs anything
    scheduler.start(paused=True)
    try:
        assert {job.id for job in scheduler.get_jobs()} == set(jobs.JOBS)
    finally:
        scheduler.shutdown()
    assert set(stored(db)) == set(jobs.JOBS)


def test_a_failing_run_is_logged_and_does_not_stop_the_worker(settings, db, monkeypatch, caplog):
    worker.build_scheduler(settings, db, scheduler_class=BackgroundScheduler)

    def broken(*_args):
        raise RuntimeError("Slack is down")

    monkeypatch.setattr(jobs, "run_job", broken)
    with caplog.at_level(logging.ERROR, logger="tidewater.worker"):
        worker.tick("outbox")  # does not raise
    [record] = [r for r in caplog.records if r.name == "tidewater.worker"]
    assert "job outbox failed" in record.getMessage()
    assert record.exc_info is not None
    assert "Slack is down" in str(record.exc_info[1])


def test_settling_at_start_reads_every_catalog_and_hides_the_start_from_the_collector():
    i18n.lang.cache_clear()
    try:
        startup.settle()
        assert i18n.lang.cache_info().currsize == len(i18n.SUPPORTED)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
