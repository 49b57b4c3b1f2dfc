"""The scheduled jobs, each an idempotent catch-up function of `now` (the clock it is given).

`python -m bot jobs run NAME [--at ISO-TIME]` runs one now, or as if the clock said that time; the
worker ticks the same functions. Each run returns one line saying what it did.

Each job is thin: for each active workspace, a service decides (`bot.services`) and `bot.messaging`
says it. The jobs that send messages (followups, recycle, churn, digest, sla) only queue them in the
outbox, each under its dedupe key; the `outbox` job is the one that talks to Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient

import bot.messaging  # noqa: F401  (registers what the bot says on its own about each event)
from bot import logs, notify
from bot.env import Env
from bot.jobs import churn, digest, followups, home, people, recycle, retention, sla, tiers
from bot.services import replays

log = logging.getLogger("tidewater.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable[[Env, WebClient], str]


def deliver_outbox(env: Env, client: WebClient) -> str:
    done = notify.deliver_due(env, client)
    forgotten = replays.forget_old(env)
    return (
        f"sent {done.sent}, retrying {done.retrying}, undeliverable {done.failed}, taken by another {done.skipped}"
        f"; request marks forgotten {forgotten}"
    )


def _queues_only(run: Callable[[Env], str]) -> Callable[[Env, WebClient], str]:
    return lambda env, _client: run(env)


TICK = 15 * 60  # each job is a catch-up function of now: ticking every 15 minutes is enough
SLA_TICK = 60  # an urgent complaint's hour to respond leaves no room for a 15-minute lag
RETENTION_TICK = 6 * 60 * 60  # ages are counted in days: four runs a day keep up
JOBS = {
    job.name: job
    for job in (
        Job("outbox", 30, deliver_outbox),
        Job("followups", TICK, _queues_only(followups.run)),
        Job("recycle", TICK, _queues_only(recycle.run)),
        Job("churn", TICK, _queues_only(churn.run)),
        Job("tiers", TICK, _queues_only(tiers.run)),
        Job("digest", TICK, _queues_only(digest.run)),
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
    with logs.scoped(job=name):
        summary = JOBS[name].run(env, client)
        log.info("job %s at %s: %s", name, env.clock.now().isoformat(timespec="seconds"), summary)
    return summary
