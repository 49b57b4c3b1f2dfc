"""The scheduler process: ticks each job of bot.jobs (the outbox's sender, reminders, recycle, digest).

The job store is the database (APScheduler's SQLAlchemyJobStore, table `apscheduler_jobs`), so a
restarted worker knows when each job last ran and when it is next due: a tick missed while the worker
was down runs once when it is back (coalescing on, one run of a job at a time, no misfire cut-off).
Each start replaces the stored jobs with the ones in bot.jobs.JOBS, keeping when each is next due, and
removes stored jobs that are no longer there (a renamed job does not linger).

Run as many workers as you like, on one machine or several: they elect one leader (bot/leader.py), and
only the leader ticks the jobs, so the outbox's pacing stays within Slack's limits. The others stand by
and take over when the leader dies (within LEADER_CHECK_SECONDS on PostgreSQL; on SQLite once its lease
has gone LEADER_LEASE_SECONDS without a renewal), catching up once on what fell due meanwhile. Should two
ever tick at once (a leader stalled past its lease), nothing is queued twice (each message's dedupe key
is unique) and each message is still sent once, as `bot.notify` says.

The job store pickles each job, so what it calls is `tick` by its dotted name with the job's name as
the only argument; the process's Env and Slack client live in this module, set by build_scheduler.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from slack_sdk import WebClient

from bot import jobs, leader
from bot.clock import SystemClock
from bot.config import Settings
from bot.env import Env
from bot.leader import Leadership
from bot.startup import settle
from bot.stopping import cut_off_after
from store.db import Database

log = logging.getLogger("tidewater.worker")

JOB_TABLE = "apscheduler_jobs"
TICK = "bot.worker:tick"  # by name: the job store pickles a reference, not the function

_context: tuple[Env, WebClient] | None = None  # this process's Env and client, set by build_scheduler


def tick(name: str) -> None:
    """One run of the job called `name`. A failure is logged, never raised: the next tick tries again."""
    try:
        if _context is None:
            raise RuntimeError("the worker's Env is not set: build_scheduler sets it")
        env, client = _context
        jobs.run_job(name, env, client)
    except Exception:
        log.exception("job %s failed; its next tick tries again", name)


def build_scheduler(
    settings: Settings,
    db: Database,
    *,
    scheduler_class: type[BaseScheduler] = BlockingScheduler,
    every_seconds_override: Mapping[str, int] | None = None,
) -> BaseScheduler:
    """A scheduler (a BlockingScheduler unless told otherwise) whose jobs live in the database.

    `every_seconds_override` changes how often some jobs tick (tests). Stored jobs no longer in
    JOBS are removed here; each remaining one keeps its stored next run time (so a tick missed while
    the worker was down still runs when it starts), at most one new interval away."""
    global _context
    _context = (
        Env(db=db, clock=SystemClock(), settings=settings),
        jobs.outbox_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url),
    )
    store = SQLAlchemyJobStore(engine=db.engine, tablename=JOB_TABLE)
    next_runs = _prune_and_read_next_runs(store)
    scheduler = scheduler_class(timezone="UTC", jobstores={"default": store})
    overrides = every_seconds_override or {}
    now = datetime.now(UTC)
    for job in jobs.JOBS.values():
        # A job the store has never seen runs at once: each is a catch-up function of now, and a first
        # start (or a new job) should not wait a whole interval to do what is already due. So does the
        # outbox: a leader taking over from one that died sends what waited meanwhile without delay.
        stored = now if job.name == jobs.OUTBOX else next_runs.get(job.name, now)
        _add_tick(scheduler, job.name, overrides.get(job.name, job.every_seconds), stored, now)
    return scheduler


def _add_tick(
    scheduler: BaseScheduler, name: str, every: int, stored: datetime | None, now: datetime
) -> None:
    """A job's tick every `every` seconds, its next run kept from the store (at most one interval away)."""
    due: dict[str, datetime] = {}
    if stored is not None:
        # add_job with replace_existing=True would otherwise reset the next run to now + interval,
        # forgetting a tick missed while the worker was down.
        due["next_run_time"] = min(stored, now + timedelta(seconds=every))
    scheduler.add_job(
        TICK,
        "interval",
        seconds=every,
        args=[name],
        id=name,
        name=name,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        **due,
    )


def _prune_and_read_next_runs(store: SQLAlchemyJobStore) -> dict[str, datetime | None]:
    """Delete stored jobs that are not in JOBS; when each remaining one is next due (None: paused).

    Plain SQL on the store's table, so a stale job whose pickle no longer loads goes too. No table
    yet (a first start): nothing stored; the scheduler creates the table when it starts."""
    table: sa.Table = store.jobs_t
    with store.engine.begin() as connection:
        if not sa.inspect(connection).has_table(table.name, schema=table.schema):
            return {}
        gone = connection.execute(table.delete().where(table.c.id.not_in(list(jobs.JOBS))))
        if gone.rowcount:
            log.info("removed %d stored job(s) no longer in the worker's jobs", gone.rowcount)
        rows = connection.execute(sa.select(table.c.id, table.c.next_run_time)).all()
    return {
        row.id: None if row.next_run_time is None else datetime.fromtimestamp(row.next_run_time, UTC)
        for row in rows
    }


class Leading:
    """The scheduler while this worker leads: built afresh each time it becomes the leader (so a tick
    missed meanwhile runs once), shut down when it stops leading, its running jobs finished first."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self.scheduler: BaseScheduler | None = None

    def start(self) -> None:
        self.scheduler = build_scheduler(self.settings, self.db, scheduler_class=BackgroundScheduler)
        self.scheduler.start()
        log.info("leading: ticking %d jobs", len(self.scheduler.get_jobs()))

    def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.scheduler = None


def run_worker(settings: Settings) -> None:
    """Stand by, lead when elected, until SIGTERM or Ctrl-C; then a running job has STOP_SECONDS to
    finish before the process ends (bot/stopping.py), and the lease is given up for a standby."""
    db = Database.from_url(settings.sqlalchemy_url, connections=settings.worker_connections)
    if db.is_sqlite:
        db.upgrade()
    settle()
    stopping = threading.Event()

    def stop(*_: object) -> None:
        if not stopping.is_set():
            log.info("stopping: a job running now has %g s to finish", settings.stop_seconds)
            stopping.set()
            cut_off_after(settings.stop_seconds, "the worker")

    signal.signal(signal.SIGTERM, stop)
    leadership = Leadership(db, SystemClock(), ttl=timedelta(seconds=settings.leader_lease_seconds))
    leading = Leading(settings, db)
    every = timedelta(seconds=settings.leader_check_seconds)
    log.info("worker started as %s: it ticks the jobs while it leads the workers", leadership.holder)
    try:
        leader.follow(leadership, stopping, lead=leading.start, step_down=leading.stop, every=every)
    except KeyboardInterrupt:
        stop()
        leading.stop()
        leadership.give_up()
