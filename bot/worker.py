"""The scheduler process: ticks each job of bot.jobs (today the outbox's sender; the scheduler issue
adds reminders, recycle, churn and digest). Coalescing on, one run of a job at a time, no misfire
cut-off: a tick missed while the worker was down runs once when it is back. Run exactly one worker
(a second one sends nothing twice: outbox messages are leased with a conditional UPDATE)."""

from __future__ import annotations

import logging
import signal

from apscheduler.schedulers.blocking import BlockingScheduler

from bot import jobs
from bot.clock import SystemClock
from bot.config import Settings
from bot.services.env import Env
from store.db import Database

log = logging.getLogger("tidewater.worker")


def build_scheduler(settings: Settings, db: Database) -> BlockingScheduler:
    env = Env(db=db, clock=SystemClock(), settings=settings)
    client = jobs.outbox_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    scheduler = BlockingScheduler(timezone="UTC")
    for job in jobs.JOBS.values():
        scheduler.add_job(
            jobs.run_job,
            "interval",
            seconds=job.every_seconds,
            args=[job.name, env, client],
            id=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
    return scheduler


def run_worker(settings: Settings) -> None:
    db = Database.from_url(settings.sqlalchemy_url)
    if db.is_sqlite:
        db.upgrade()
    scheduler = build_scheduler(settings, db)

    def stop(*_: object) -> None:
        if not scheduler.running:
            raise SystemExit(0)  # asked to stop before the scheduler got going
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("worker started with %d jobs", len(scheduler.get_jobs()))
    try:
        scheduler.start()  # blocks until shut down
    except KeyboardInterrupt:
        scheduler.shutdown(wait=False)
