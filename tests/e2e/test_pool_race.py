"""Claims racing across two web processes on one database: one owner, and limits that hold.

Two `python -m bot serve` processes share the database (the SQLite file, or TEST_DATABASE_URL). Signed
Claim presses are released together by a barrier and split between the processes, as Slack would
spread them over a load balancer. Nothing in Python is shared between the processes: only the
database's conditional writes can make these tests pass.

The data is written straight through the store, with names and Slack ids new to each run (a PostgreSQL
database is shared with the other tests and outlives the run). This module replaces the e2e conftest's
per-test checks with its own, for these two processes (so conftest's single `web_process` is not started).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlmodel import col

from bot.clock import SystemClock
from bot.config import Settings
from bot.env import Env
from bot.playground.requests import Reply, SlackRequests
from bot.playground.standin import SlackStandIn
from bot.views.ids import Action
from store.db import Database
from store.models import Customer, OwnershipEvent, Person
from tests import builders
from tests.conftest import ADMIN
from tests.e2e.conftest import (
    ACK_DEADLINE,
    BOT_TOKEN,
    SIGNING_SECRET,
    TimedTransport,
    WebProcess,
    _clean_env,
    _stop,
    start_web_process,
)

RUN = secrets.token_hex(3).upper()
ANSWER_TIMEOUT = 15.0
LAZY_GRACE = 0.5  # a stray extra answer, had a lazy listener sent one, would have arrived by then


@dataclass
class Cluster:
    processes: list[WebProcess]
    clocks: list[TimedTransport]  # one per process: each request's round trip, timed
    senders: list[SlackRequests]
    env: Env


def _upgrade(workdir: Path, env: dict[str, str]) -> None:
    upgraded = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert upgraded.returncode == 0, f"db upgrade failed:\n{upgraded.stdout}\n{upgraded.stderr}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, e2e_standin: SlackStandIn) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("race")
    postgres_url = os.environ.get("TEST_DATABASE_URL", "")
    url = postgres_url or f"sqlite:///{workdir / 'tidewater.db'}"
    env = _clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        DATABASE_URL=url,
        SLACK_API_URL=e2e_standin.api_url,
        ADMIN_USER_IDS=ADMIN,
    )
    _upgrade(workdir, env)
    processes = [start_web_process(workdir, env, "a")]  # the second starts once the first answers /healthz
    try:
        processes.append(start_web_process(workdir, env, "b"))
    except BaseException:
        _stop(processes[0].process)
        raise
    clocks = [TimedTransport(process.events_url) for process in processes]
    senders = [SlackRequests(secret=SIGNING_SECRET, standin=e2e_standin, transport=c) for c in clocks]
    settings = Settings(
        _env_file=None,
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        database_url=url,
    )
    db = Database.from_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        yield Cluster(processes, clocks, senders, Env(db=db, clock=SystemClock(), settings=settings))
    finally:
        db.engine.dispose()
        for process in processes:
            _stop(process.process)
        for process in processes:
            assert "Traceback" not in process.log(), process.log()


@pytest.fixture(autouse=True)
def _nothing_slack_would_refuse(cluster: Cluster, e2e_standin: SlackStandIn) -> Iterator[None]:
    """After each test, for both processes: every ack within Slack's 3 s, no payload Slack would
    refuse (calls or acks), no traceback in either log, and both still running."""
    timings_before = [len(clock.seconds) for clock in cluster.clocks]
    replies_before = [len(sender.replies) for sender in cluster.senders]
    logs_before = [len(process.log()) for process in cluster.processes]
    yield
    slow = [
        f"{seconds:.2f} s"
        for clock, before in zip(cluster.clocks, timings_before, strict=True)
        for seconds in clock.seconds[before:]
        if seconds >= ACK_DEADLINE
    ]
    assert slow == [], "acks slower than Slack's 3 seconds"
    assert e2e_standin.problems == [], "the bot sent payloads Slack would refuse"
    problems = [
        problem
        for sender, before in zip(cluster.senders, replies_before, strict=True)
        for reply in sender.replies[before:]
        for problem in reply.problems()
    ]
    assert problems == [], "the bot answered an ack with a payload Slack would refuse"
    for process, before in zip(cluster.processes, logs_before, strict=True):
        new_log = process.log()[before:]
        assert "Traceback" not in new_log, f"web process on :{process.port} logged a failure:\n{new_log}"
        assert process.process.poll() is None, f"web process on :{process.port} died:\n{process.log()}"


def reps(cluster: Cluster, standin: SlackStandIn, label: str, count: int) -> list[str]:
    """`count` reps known to the bot (and to the stand-in), with ids new to this run."""
    ids = [f"U0{label}{RUN}{number:02d}" for number in range(count)]
    for user_id in ids:
        standin.add_user(user_id, user_id)
        builders.person(cluster.env, user_id)
    return ids


def pool_customers(cluster: Cluster, label: str, count: int) -> list[int]:
    ids = []
    for number in range(count):
        customer_id = builders.customer(cluster.env, f"Race {label} {RUN} {number:02d}", owner=None).id
        assert customer_id is not None
        ids.append(customer_id)
    return ids


def all_at_once(presses: list[Callable[[], Reply]]) -> list[Reply]:
    start = threading.Barrier(len(presses))

    def press(send: Callable[[], Reply]) -> Reply:
        start.wait()
        return send()

    with ThreadPoolExecutor(max_workers=len(presses)) as threads:
        return list(threads.map(press, presses))


def press_claim(cluster: Cluster, number: int, user: str, customer_id: int) -> Callable[[], Reply]:
    """A Claim press sent to one process or the other, alternately."""
    sender = cluster.senders[number % 2]
    return lambda: sender.button(user, "pool.claim", str(customer_id))


def scalar(cluster: Cluster, query: sa.Select[Any]) -> int:
    with cluster.env.db.session() as session:
        return int(session.scalar(query) or 0)


def owner(cluster: Cluster, customer_id: int) -> str | None:
    with cluster.env.db.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        return customer.owner_id


def claims(cluster: Cluster, customer_ids: list[int]) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(OwnershipEvent)
        .where(col(OwnershipEvent.customer_id).in_(customer_ids), col(OwnershipEvent.kind) == "claim")
    )
    return scalar(cluster, query)


def held_by(cluster: Cluster, user: str) -> int:
    return scalar(
        cluster, sa.select(sa.func.count()).select_from(Customer).where(col(Customer.owner_id) == user)
    )


def settled(standin: SlackStandIn, expected: dict[str, int]) -> dict[str, list[str]]:
    """What each person was told through their buttons' response_url (lazily, after the ack), as
    text: once `expected[user]` answers came for everyone, and a grace period brought no more."""
    for user, count in expected.items():
        standin.wait_for_response(f"btn-{user}", count, timeout=ANSWER_TIMEOUT)
    time.sleep(LAZY_GRACE)
    told = {user: [str(answer) for answer in standin.responses_to(f"btn-{user}")] for user in expected}
    miscounted = {user: len(texts) for user, texts in told.items() if len(texts) != expected[user]}
    assert miscounted == {}, f"answers per person, expected {expected}"
    return told


def saying(texts: list[str], words: str) -> int:
    return sum(words in text for text in texts)


def cards(texts: list[str]) -> int:
    """How many of the answers are a customer's card: the one with its Release button (a refusal of
    the holding cap says "Release one with /release" too, but has no button)."""
    return saying(texts, f"'action_id': '{Action.CUSTOMER_RELEASE}'")


def claims_on_day(cluster: Cluster, user: str) -> int:
    with cluster.env.db.session() as session:
        person = session.get(Person, (builders.WORKSPACE, user))
        assert person is not None
        return person.claims_on_day


def test_twenty_reps_pressing_claim_at_once_on_two_processes_make_one_owner(
    cluster: Cluster, e2e_standin: SlackStandIn
) -> None:
    racers = reps(cluster, e2e_standin, "R", 20)
    [customer] = pool_customers(cluster, "twenty", 1)

    replies = all_at_once([press_claim(cluster, n, user, customer) for n, user in enumerate(racers)])

    assert [reply.status for reply in replies] == [200] * 20, [reply.raw[:200] for reply in replies]
    winner = owner(cluster, customer)
    assert winner in racers
    assert [user for user in racers if held_by(cluster, user)] == [winner], "exactly one owner"
    assert claims(cluster, [customer]) == 1
    told = settled(e2e_standin, dict.fromkeys(racers, 1))
    for user in racers:
        [answer] = told[user]
        if user == winner:
            assert cards([answer]) == 1, "the winner gets the card"
            assert f"Race twenty {RUN}" in answer, "the winner gets the card"
        else:
            assert f"<@{winner}> claimed Race twenty {RUN} 00 first" in answer, answer


def test_a_double_click_across_processes_is_one_claim(cluster: Cluster, e2e_standin: SlackStandIn) -> None:
    [user] = reps(cluster, e2e_standin, "D", 1)
    [customer] = pool_customers(cluster, "double", 1)

    replies = all_at_once([press_claim(cluster, n, user, customer) for n in range(5)])

    assert [reply.status for reply in replies] == [200] * 5
    assert owner(cluster, customer) == user
    assert claims(cluster, [customer]) == 1
    assert claims_on_day(cluster, user) == 1
    told = settled(e2e_standin, {user: 5})[user]
    assert cards(told) == 1, "one card for the one claim"
    assert saying(told, "already yours") == 4, told


def test_the_daily_limit_holds_for_one_rep_claiming_fifteen_at_once(
    cluster: Cluster, e2e_standin: SlackStandIn
) -> None:
    [user] = reps(cluster, e2e_standin, "L", 1)
    customers = pool_customers(cluster, "limit", 15)

    replies = all_at_once([press_claim(cluster, n, user, customer) for n, customer in enumerate(customers)])

    assert [reply.status for reply in replies] == [200] * 15
    assert held_by(cluster, user) == 10
    assert claims(cluster, customers) == 10
    assert claims_on_day(cluster, user) == 10, "a refused claim does not count"
    told = settled(e2e_standin, {user: 15})[user]
    assert cards(told) == 10, "a card for each claim"
    assert saying(told, "the daily limit") == 5, told


def test_the_holding_cap_holds_for_one_rep_claiming_ten_at_once(
    cluster: Cluster, e2e_standin: SlackStandIn
) -> None:
    [user] = reps(cluster, e2e_standin, "C", 1)
    for number in range(195):  # not dealt: all of them count towards the cap of 200
        builders.customer(cluster.env, f"Held {RUN} {number:03d}", owner=user)
    customers = pool_customers(cluster, "cap", 10)

    replies = all_at_once([press_claim(cluster, n, user, customer) for n, customer in enumerate(customers)])

    assert [reply.status for reply in replies] == [200] * 10
    assert held_by(cluster, user) == 200
    assert claims(cluster, customers) == 5
    told = settled(e2e_standin, {user: 10})[user]
    assert cards(told) == 5, "a card for each claim"
    assert saying(told, "the most one rep may hold") == 5, told
