"""Claims racing across two web processes on one database: one owner, and limits that hold.

Two `python -m bot serve` processes share the database (the SQLite file, or TEST_DATABASE_URL). Signed
Claim presses are released together by a barrier and split between the processes, as Slack would
spread them over a load balancer. Nothing in Python is shared between the processes: only the
database's conditional writes can make these tests pass.
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
from bot.playground.requests import Reply, SlackRequests, over_http
from bot.playground.standin import SlackStandIn
from bot.services.env import Env
from store.db import Database
from store.models import Customer, OwnershipEvent, Person
from tests import builders
from tests.conftest import ADMIN
from tests.e2e.conftest import (
    BOT_TOKEN,
    SIGNING_SECRET,
    START_TIMEOUT,
    WebProcess,
    _clean_env,
    _free_port,
    _healthy,
    _stop,
)

RUN = secrets.token_hex(3).upper()
ANSWER_TIMEOUT = 15.0


@dataclass
class Cluster:
    processes: list[WebProcess]
    senders: list[SlackRequests]
    env: Env


def _start(workdir: Path, env: dict[str, str], name: str) -> WebProcess:
    port = _free_port()
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", "1", "--threads", "12"],
            cwd=workdir,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    web = WebProcess(process=process, port=port, log_path=log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while not _healthy(f"{web.base_url}/healthz"):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            pytest.fail(f"web process {name} did not start:\n{web.log()}")
        time.sleep(0.1)
    return web


def _upgrade(workdir: Path, env: dict[str, str]) -> None:
    upgraded = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"], cwd=workdir, env=env, capture_output=True, text=True
    )
    assert upgraded.returncode == 0, upgraded.stderr


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
    processes = [_start(workdir, env, "a"), _start(workdir, env, "b")]
    senders = [
        SlackRequests(secret=SIGNING_SECRET, standin=e2e_standin, transport=over_http(p.events_url))
        for p in processes
    ]
    settings = Settings(
        _env_file=None,
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        database_url=url,
    )
    db = Database.from_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        yield Cluster(processes, senders, Env(db=db, clock=SystemClock(), settings=settings))
    finally:
        db.engine.dispose()
        for process in processes:
            _stop(process.process)
        for process in processes:
            assert "Traceback" not in process.log(), process.log()


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


def answers(standin: SlackStandIn, user: str, count: int) -> list[str]:
    """The first `count` answers the person got through their buttons' response_url, as text."""
    return [str(answer) for answer in standin.wait_for_response(f"btn-{user}", count, timeout=ANSWER_TIMEOUT)]


def saying(texts: list[str], words: str) -> int:
    return sum(words in text for text in texts)


def test_twenty_reps_pressing_claim_at_once_on_two_processes_make_one_owner(
    cluster: Cluster, e2e_standin: SlackStandIn
) -> None:
    racers = reps(cluster, e2e_standin, "R", 20)
    [customer] = pool_customers(cluster, "twenty", 1)
    replies = all_at_once([press_claim(cluster, n, user, customer) for n, user in enumerate(racers)])
    assert [reply.status for reply in replies] == [200] * 20
    winner = owner(cluster, customer)
    assert winner in racers
    assert claims(cluster, [customer]) == 1
    for user in racers:
        [told] = answers(e2e_standin, user, 1)
        if user == winner:
            assert "Release" in told, "the winner gets the card with its buttons"
        else:
            assert f"<@{winner}> claimed Race twenty" in told, told


def test_a_double_click_across_processes_is_one_claim(cluster: Cluster, e2e_standin: SlackStandIn) -> None:
    [user] = reps(cluster, e2e_standin, "D", 1)
    [customer] = pool_customers(cluster, "double", 1)
    replies = all_at_once([press_claim(cluster, n, user, customer) for n in range(5)])
    assert [reply.status for reply in replies] == [200] * 5
    assert owner(cluster, customer) == user
    assert claims(cluster, [customer]) == 1
    with cluster.env.db.session() as session:
        person = session.get(Person, (builders.WORKSPACE, user))
        assert person is not None and person.claims_on_day == 1
    assert saying(answers(e2e_standin, user, 5), "already yours") == 4


def test_the_daily_limit_holds_for_one_rep_claiming_fifteen_at_once(
    cluster: Cluster, e2e_standin: SlackStandIn
) -> None:
    [user] = reps(cluster, e2e_standin, "L", 1)
    customers = pool_customers(cluster, "limit", 15)
    all_at_once([press_claim(cluster, n, user, customer) for n, customer in enumerate(customers)])
    assert held_by(cluster, user) == 10
    assert claims(cluster, customers) == 10
    assert saying(answers(e2e_standin, user, 15), "the daily limit") == 5


def test_the_holding_cap_holds_for_one_rep_claiming_ten_at_once(
    cluster: Cluster, e2e_standin: SlackStandIn
) -> None:
    [user] = reps(cluster, e2e_standin, "C", 1)
    for number in range(195):
        builders.customer(cluster.env, f"Held {RUN} {number:03d}", owner=user)
    customers = pool_customers(cluster, "cap", 10)
    all_at_once([press_claim(cluster, n, user, customer) for n, customer in enumerate(customers)])
    assert held_by(cluster, user) == 200
    assert claims(cluster, customers) == 5
    assert saying(answers(e2e_standin, user, 10), "the most one rep may hold") == 5
