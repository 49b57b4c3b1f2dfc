"""The scheduler process. Its jobs (reminders, recycle, churn, digest) arrive with the scheduler issue;
until then it starts, brings an embedded database up to date and idles, so the Procfile's `worker:`
already runs. Run exactly one."""

from __future__ import annotations

import logging
import signal

from apscheduler.schedulers.blocking import BlockingScheduler

from bot.config import Settings
from store.db import Database

log = logging.getLogger("tidewater.worker")


def run_worker(settings: Settings) -> None:
    db = Database.from_url(settings.sqlalchemy_url)
    if db.is_sqlite:
        db.upgrade()
    scheduler = BlockingScheduler(timezone="UTC")

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
