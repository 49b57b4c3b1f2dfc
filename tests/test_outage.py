"""Slack down for an hour of clock time, the outbox job ticking every 30 s meanwhile: nothing is
delivered during the outage, each message is retried on its schedule (the backoff after a server
error, Retry-After after a 429), and afterwards every message arrives exactly once."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from sqlmodel import col, select

from bot import jobs, notify
from store import outbox as outbox_store
from store.models import OutboxMessage
from tests import builders

WS = builders.WORKSPACE
POOL_CHANNEL = "C0POOL"  # not added to the stand-in: a public channel it accepts posts to
OUTAGE = timedelta(hours=1)
RETRY_AFTER = 60  # seconds, on each 429 during the outage
TICK = timedelta(seconds=jobs.JOBS["outbox"].every_seconds)  # how often the worker runs the outbox job
# The last failed try is before the outage ends and the longest wait is an hour: by then every
# message has had a try after the outage.
WORKER_RUNS_FOR = OUTAGE + notify.LONGEST_BACKOFF + TICK


@dataclass(frozen=True)
class Attempt:
    at: datetime  # the clock's time when the stand-in answered
    status: int


@pytest.fixture
def client(standin):
    return jobs.outbox_client("xoxb-test", standin.api_url)  # no 429 handler: the outbox retries


def queue_fanout(env) -> list[str]:
    """Six DMs to distinct people and two posts to one channel; returns each message's text (unique)."""
    addressed = [(f"U0REP{number}", "acme", f"Follow up with Acme, rep {number}") for number in range(6)]
    addressed += [(POOL_CHANNEL, f"batch-{number}", f"Pool batch {number}") for number in range(2)]
    for recipient, subject, text in addressed:
        notify.enqueue(
            env,
            workspace_id=WS,
            kind="reminder",
            recipient=recipient,
            subject=subject,
            period="2026-11-23",
            message={"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]},
        )
    return [text for _, _, text in addressed]


def run_worker(env, standin, client, clock, *, runs_for: timedelta) -> dict[str, list[Attempt]]:
    """Tick the outbox job every TICK of clock time, as the worker does (pacing sleeps skipped);
    returns each message's tries, by text, with the clock's time of each."""
    tried: dict[str, list[Attempt]] = defaultdict(list)
    seen = 0
    until = clock.now() + runs_for
    while clock.now() <= until:
        notify.deliver_due(env, client, pacer=notify.Pacer(sleep=lambda _seconds: None))
        calls = standin.calls_to("chat.postMessage")
        for call in calls[seen:]:  # the clock stands still during a run
            tried[str(call.args["text"])].append(Attempt(clock.now(), call.status))
        seen = len(calls)
        clock.advance(TICK)
    return tried


def first_tick_from(start: datetime, at: datetime) -> datetime:
    """The first tick of a worker ticking every TICK since `start` at or after `at`."""
    ticks = -((start - at) // TICK)  # rounded up
    return start + max(0, ticks) * TICK


def rows(env):
    with env.db.session() as session:
        return session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()


def test_the_backoff_doubles_from_30_seconds_up_to_an_hour():
    waits = [notify.backoff(attempts).total_seconds() for attempts in range(1, 11)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_an_hour_long_outage_delays_but_loses_and_duplicates_nothing(env, standin, client, clock):
    texts = queue_fanout(env)
    start = clock.now()
    end = start + OUTAGE
    standin.outage(clock, start, end, statuses=(429, 500), retry_after=RETRY_AFTER)

    tried = run_worker(env, standin, client, clock, runs_for=WORKER_RUNS_FOR)

    assert sorted(tried) == sorted(texts)
    # Nothing is delivered during the outage; Slack's answers then were 429 and 500 in turn.
    during = [attempt for attempts in tried.values() for attempt in attempts if attempt.at < end]
    assert {attempt.status for attempt in during} == {429, 500}
    # Each message: first tried at once, then again when its wait is over (the first tick from then):
    # the backoff for its number of tries after a server error, Retry-After after a 429.
    gaps_after_500: set[timedelta] = set()
    for text, attempts in tried.items():
        assert attempts[0].at == start, text
        for number, (attempt, following) in enumerate(pairwise(attempts), start=1):
            assert attempt.at < end, (text, attempts)
            assert attempt.status != 200, (text, attempts)
            if attempt.status == 429:
                wait = timedelta(seconds=RETRY_AFTER)
            else:
                wait = notify.backoff(number)
                gaps_after_500.add(following.at - attempt.at)
            assert following.at == first_tick_from(start, attempt.at + wait), (text, number, attempts)
            assert following.at - attempt.at >= wait
        # The try that got through is the first after the outage, and the last.
        assert attempts[-1].status == 200, (text, attempts)
        assert attempts[-1].at >= end, (text, attempts)
    assert {timedelta(seconds=s) for s in (30, 60, 120)} <= gaps_after_500
    # Every message arrived exactly once.
    delivered = Counter(str(c.args["text"]) for c in standin.calls_to("chat.postMessage") if c.status == 200)
    assert delivered == Counter(texts)
    assert sorted(
        call.args["channel"] for call in standin.calls_to("chat.postMessage") if call.status == 200
    ) == sorted([POOL_CHANNEL] * 2 + [f"U0REP{number}" for number in range(6)])
    # And the outbox agrees: all sent, after the outage, with as many tries as Slack saw.
    outbox = rows(env)
    assert len(outbox) == len(texts)
    for row in outbox:
        text = json.loads(row.payload)["text"]
        assert row.status == outbox_store.SENT, text
        assert row.sent_at is not None, text
        assert row.sent_at >= end, text
        assert row.attempts == len(tried[text])
