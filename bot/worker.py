"""The scheduler process. Jobs arrive with the scheduler issue; for now it starts, checks the
database and idles, so a Procfile with `worker:` already runs."""

from __future__ import annotations

import logging
import signal
import threading

from apscheduler.schedulers.blocking import BlockingScheduler

from bot.config import Settings
from store.db import Database

log = logging.getLogger("tidewater.worker")


def run_worker(settings: Settings) -> None:
    db = Database.from_url(settings.sqlalchemy_url)
    if db.is_sqlite:
        db.upgrade()
    scheduler = BlockingScheduler(timezone="UTC")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("worker started with %d jobs", len(scheduler.get_jobs()))
    try:
        scheduler.start()  # blocks until shutdown
    except (KeyboardInterrupt, SystemExit):
        stop.set()
