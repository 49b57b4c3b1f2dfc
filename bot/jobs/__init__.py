"""The scheduled jobs, each an idempotent catch-up function of `now` (the clock it is given).

`python -m bot jobs run NAME [--at ISO-TIME]` runs one now, or as if the clock said that time; the
worker ticks the same functions. Each run counts what it did per workspace (a `Tally`, summed into one
line) and is recorded, success or failure, as the job's latest run (bot/services/job_runs.py).

Each job is thin: for each active workspace, a service decides (`bot.services`) and `bot.messaging`
says it. The jobs that send messages (followups, recycle, churn, digest, sla) only queue them in the
outbox, each under its dedupe key; the `outbox` job is the one that talks to Slack.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient

import bot.messaging  # noqa: F401  (registers what the bot says on its own about each event)
from bot import logs, notify
from bot.env import Env
from bot.jobs import churn, digest, followups, home, people, recycle, reports, retention, sla, tiers
from bot.services import job_runs, replays
from bot.services.job_runs import INSTALLATION, Tally

log = logging.getLogger("tidewater.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable[[Env, WebClient], Tally]


def deliver_outbox(env: Env, client: WebClient) -> Tally:
    done = notify.deliver_due(env, client)
    tally = Tally()
    tally.add(
        INSTALLATION,
        sent=done.sent,
        retrying=done.retrying,
        undeliverable=done.failed,
        skipped=done.skipped,
        forgotten=replays.forget_old(env),
    )
    return tally.said(
        "sent {sent}, retrying {retrying}, undeliverable {undeliverable}, taken by another {skipped}"
        "; request marks forgotten {forgotten}"
    )


def _queues_only(run: Callable[[Env], Tally]) -> Callable[[Env, WebClient], Tally]:
    return lambda env, _client: run(env)


OUTBOX = "outbox"  # the job that talks to Slack
INSTALLATION_WIDE = frozenset({"retention"})  # not a pass over workspaces: no --team
TICK = 15 * 60  # each job is a catch-up function of now: ticking every 15 minutes is enough
SLA_TICK = 60  # an urgent complaint's hour to respond leaves no room for a 15-minute lag
RETENTION_TICK = 6 * 60 * 60  # ages are counted in days: four runs a day keep up
JOBS = {
    job.name: job
    for job in (
        Job(OUTBOX, 30, deliver_outbox),
        Job("followups", TICK, _queues_only(followups.run)),
        Job("recycle", TICK, _queues_only(recycle.run)),
        Job("churn", TICK, _queues_only(churn.run)),
        Job("tiers", TICK, _queues_only(tiers.run)),
        Job("digest", TICK, _queues_only(digest.run)),
        Job("reports", TICK, _queues_only(reports.run)),
        Job("sla", SLA_TICK, _queues_only(sla.run)),
        Job("home", TICK, home.run),  # publishes each Home itself: views.publish is not a message
        Job("people", TICK, people.run),  # reads users.list once a day per workspace
        Job("retention", RETENTION_TICK, _queues_only(retention.run)),
    )
}


def outbox_client(token: str, base_url: str) -> WebClient:
    """A client without slack_sdk's retry handlers: the outbox itself waits out a 429, and a dropped
    connection after a post is a post in doubt, looked for before it is sent again."""
    return WebClient(token=token, base_url=base_url, timeout=30, retry_handlers=[])


def run_job(name: str, env: Env, client: WebClient) -> str:
    """Run the job called `name` once and record the run; its summary. A failure is recorded, then raised."""
    with logs.scoped(job=name):
        started_at, started = env.clock.now(), time.monotonic()
        try:
            tally = JOBS[name].run(env, client)
        except Exception as error:
            _record_failure(env, name, started_at, time.monotonic() - started, error)
            raise
        seconds = time.monotonic() - started
        job_runs.record_success(env, name, started_at=started_at, seconds=seconds, tally=tally)
        log.info("job %s at %s: %s", name, started_at.isoformat(timespec="seconds"), tally.summary)
    return tally.summary


def _record_failure(env: Env, name: str, started_at: datetime, seconds: float, error: Exception) -> None:
    try:
        job_runs.record_failure(env, name, started_at=started_at, seconds=seconds, error=error)
    except Exception:  # the database that failed the job may well fail this too: the log has both
        log.exception("could not record that job %s failed", name)
