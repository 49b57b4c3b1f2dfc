"""The playground's sample workspace: written through the services, reproducible from its seed, and
telling a story the real jobs act on in the first simulated days."""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from slack_sdk import WebClient
from sqlmodel import col, select

from bot.app import profile_lookup
from bot.clock import FixedClock
from bot.config import Settings
from bot.env import Env
from bot.i18n import lang
from bot.jobs import churn, digest, followups, recycle
from bot.messaging import churn as churn_messages
from bot.messaging import digest as digest_messages
from bot.playground.sample import (
    COMPLAINTS,
    POOL,
    Sample,
    is_seeded,
    register,
    sample_workspace,
    seed,
)
from bot.playground.standin import SlackStandIn
from bot.services import settings as settings_service
from store.models import MOVE_RECYCLE, Customer, OutboxMessage, OwnershipEvent, Person
from tests.conftest import NOW

SATURDAY = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)  # 15:00 in Shanghai; day 1 is Monday the 23rd
MEI, LI, MAX = "U0MEI", "U0LI", "U0MAX"


@pytest.fixture
def sample_standin(standin_server: SlackStandIn) -> Iterator[SlackStandIn]:
    """The session's stand-in, holding the sample's cast instead of the other tests' people."""
    users, channels = dict(standin_server.users), dict(standin_server.channels)
    standin_server.reset()
    standin_server.users.clear()
    yield standin_server
    assert standin_server.problems == []
    standin_server.users.clear()
    standin_server.users.update(users)
    standin_server.channels.clear()
    standin_server.channels.update(channels)


def make_env(db, standin: SlackStandIn, sample: Sample, at: datetime = NOW) -> Env:
    register(standin, sample)
    settings = Settings(
        _env_file=None,
        slack_bot_token=SecretStr("xoxb-test-token"),
        slack_signing_secret=SecretStr("test-signing-secret"),
        database_url="sqlite://",  # unused: the test's database comes in `db`
        slack_api_url=standin.api_url,
        admin_user_ids=sample.admin_ids,
        default_locale=None,
    )
    return Env(db=db, clock=FixedClock(at), settings=settings)


def seeded(env: Env, standin: SlackStandIn, sample: Sample, number: int = 7):
    lookup = profile_lookup(WebClient(token="xoxb-test-token", base_url=standin.api_url))
    return seed(env, sample, lookup=lookup, seed=number)


def customers(env: Env, team_id: str) -> list[tuple[str, str | None, str]]:
    with env.db.session() as session:
        rows = session.exec(select(Customer).where(Customer.workspace_id == team_id)).all()
        return sorted((c.name, c.owner_id, c.level) for c in rows)


def customer(env: Env, name: str) -> Customer:
    with env.db.session() as session:
        found = session.exec(select(Customer).where(Customer.name == name)).one()
        session.expunge(found)
        return found


def queued(env: Env, kind: str, channel: str, *, on: datetime | None = None) -> list[str]:
    """The payloads of the messages of `kind` queued for `channel` (at the instant `on`, if given)."""
    with env.db.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.channel == channel)
        if on is not None:
            query = query.where(OutboxMessage.created_at == on)
        return [message.payload for message in session.exec(query.order_by(col(OutboxMessage.id))).all()]


def run_jobs(env: Env, at: datetime) -> None:
    assert isinstance(env.clock, FixedClock)
    env.clock.set(at)
    for job in (followups, recycle, churn, digest):
        job.run(env)


def test_register_puts_the_cast_and_the_channels_in_the_standin(sample_standin):
    sample = sample_workspace("en")
    register(sample_standin, sample)
    mei = sample_standin.users["U0MEI"]
    assert (mei["name"], mei["real_name"], mei["tz"], mei["locale"]) == (
        "mei",
        "Mei",
        "Asia/Shanghai",
        "en-US",
    )
    assert sample_standin.users["U0ADA"]["is_admin"]
    assert sample.admin_ids == {"U0ADA"}
    assert {c.name for c in sample.channels} == {"sales", "customer-pool", "complaints"}
    assert {c.channel_id for c in sample.channels} <= set(sample_standin.channels)
    assert sample.person("max").role == "manager"
    assert {p.manager_id for p in sample.people if p.role == "rep"} == {"U0MAX"}


def test_seed_writes_the_workspace_through_the_services_and_counts_it(db, sample_standin):
    sample = sample_workspace("en")
    env = make_env(db, sample_standin, sample)
    assert not is_seeded(env, sample.team_id)
    report = seeded(env, sample_standin, sample)
    assert is_seeded(env, sample.team_id)
    assert not report.kept
    assert 250 <= report.customers <= 290
    assert 0.37 <= report.in_pool / report.customers <= 0.43
    assert report.visits >= 400
    assert report.orders >= 800
    assert report.complaints == 5
    everyone = customers(env, sample.team_id)
    assert len(everyone) == report.customers
    assert sum(1 for _, owner, _ in everyone if owner is None) == report.in_pool
    with env.db.session() as session:
        people = {p.user_id: p for p in session.exec(select(Person)).all()}
    assert people["U0MAX"].role == "manager"
    assert {people[rep].manager_id for rep in ("U0MEI", "U0LI", "U0WANG")} == {"U0MAX"}
    settings = settings_service.load(env, sample.team_id)
    assert (settings.pool_channel, settings.complaints_channel) == (POOL, COMPLAINTS)


def test_a_workspace_with_customers_is_left_as_it_is(db, sample_standin):
    sample = sample_workspace("en")
    env = make_env(db, sample_standin, sample)
    first = seeded(env, sample_standin, sample)
    again = seeded(env, sample_standin, sample, number=8)
    assert again.kept
    assert dataclasses.replace(again, kept=False) == first
    told = first.describe(lang("en"))
    assert told.startswith("Sample workspace: ")
    assert f"{first.customers} customers" in told
    assert again.describe(lang("en")).startswith("Kept from the last run: ")


def test_the_same_seed_makes_the_same_customers_and_another_seed_others(db, sample_standin):
    sample = sample_workspace("en")
    env = make_env(db, sample_standin, sample)
    made = {}
    for team, number in (("T0ONE", 7), ("T0TWO", 7), ("T0THREE", 8)):
        seeded(env, sample_standin, dataclasses.replace(sample, team_id=team), number)
        made[team] = customers(env, team)
    assert made["T0ONE"] == made["T0TWO"]
    assert made["T0ONE"] != made["T0THREE"]
    names = {name for name, _, _ in made["T0THREE"]}
    assert {"Acme Trading", "Blue River Foods", "Northwind Supplies"} <= names  # the fixed cast stays


def test_the_story_plays_out_in_the_first_three_days(db, sample_standin):
    sample = sample_workspace("en")
    env = make_env(db, sample_standin, sample)  # Monday 10:00 in Shanghai: day 1 is today
    seeded(env, sample_standin, sample)
    for day in range(4):
        run_jobs(env, NOW + timedelta(days=day))

    (reminder,) = queued(env, "reminders", MEI, on=NOW)
    assert "Northwind Supplies" in reminder
    assert "overdue" in reminder
    assert "Harbor Logistics" in queued(env, recycle.WARNING, MEI, on=NOW)[0]
    assert "Summit Hardware" in queued(env, recycle.WARNING, LI, on=NOW)[0]
    (warning,) = queued(env, churn_messages.KIND, MEI, on=NOW)
    assert "Acme Trading" in warning
    assert "Evergreen Packaging" in warning
    assert "Jade Garden Catering" in queued(env, churn_messages.KIND, LI, on=NOW)[0]
    assert queued(env, digest_messages.KIND, MAX, on=NOW)

    harbor = customer(env, "Harbor Logistics")
    assert harbor.owner_id is None
    assert harbor.previous_owner_id == MEI
    assert "Harbor Logistics" in queued(env, "announcement", POOL, on=NOW + timedelta(days=1))[0]
    assert customer(env, "Summit Hardware").owner_id is None
    with env.db.session() as session:
        recycled = session.exec(select(OwnershipEvent).where(OwnershipEvent.kind == MOVE_RECYCLE)).all()
    assert {event.from_owner_id for event in recycled} == {MEI, LI}
    assert len(recycled) == 5
    acme = customer(env, "Acme Trading")
    assert (acme.owner_id, acme.level) == (MEI, "A")  # ordered: the churn warnings watch it instead
    assert customer(env, "Blue River Foods").owner_id is None


def test_on_a_weekend_the_story_waits_for_the_first_working_morning(db, sample_standin):
    sample = sample_workspace("en")
    env = make_env(db, sample_standin, sample, at=SATURDAY)
    seeded(env, sample_standin, sample)
    run_jobs(env, SATURDAY)
    run_jobs(env, SATURDAY + timedelta(days=1))
    assert not queued(env, "reminders", MEI)
    assert not queued(env, recycle.WARNING, MEI)
    assert customer(env, "Harbor Logistics").owner_id == MEI  # not recycled before anyone was warned

    monday = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    run_jobs(env, monday)
    assert "Northwind Supplies" in queued(env, "reminders", MEI, on=monday)[0]
    assert "Harbor Logistics" in queued(env, recycle.WARNING, MEI, on=monday)[0]
    assert "Acme Trading" in queued(env, churn_messages.KIND, MEI, on=monday)[0]
    assert queued(env, digest_messages.KIND, MAX, on=monday)


def test_the_chinese_sample_speaks_chinese(db, sample_standin):
    sample = sample_workspace("zh")
    assert {p.locale for p in sample.people} == {"zh-CN"}
    assert all(p.handle.isascii() and not p.name.isascii() for p in sample.people)
    env = make_env(db, sample_standin, sample)
    seeded(env, sample_standin, sample)
    everyone = customers(env, sample.team_id)
    assert all(any(unicodedata.name(ch, "").startswith("CJK") for ch in name) for name, _, _ in everyone)
    assert customer(env, "明辉贸易").owner_id == MEI
    assert customer(env, "蓝河食品").owner_id is None
    with env.db.session() as session:
        locales = session.exec(select(Person.slack_locale)).all()
    assert set(locales) == {"zh-CN"}
