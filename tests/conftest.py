"""Fixtures: a real database per test (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), the Slack
stand-in over HTTP, and the real app receiving signed requests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from bot.app import build_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.env import Env
from bot.playground.requests import SlackRequests, in_process
from bot.playground.standin import SlackStandIn
from store.db import Database, create_db_engine, upgrade_schema

SIGNING_SECRET = "test-signing-secret"
ADMIN = "U0ADMIN"
MANAGER = "U0MGR"
REP = "U0MEI"
OTHER_REP = "U0LI"
CHINESE_REP = "U0WANG"
GUEST = "U0GUEST"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the newest schema: a SQLite file to copy, or the PostgreSQL test database."""
    if POSTGRES_URL:
        engine = create_db_engine(_psycopg(POSTGRES_URL))
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        upgrade_schema(engine)
        engine.dispose()
        return _psycopg(POSTGRES_URL)
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    engine.dispose()
    return str(path)


def _psycopg(url: str) -> str:
    return (
        url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    )


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    if POSTGRES_URL:
        _truncate_all(migrated_template)
        return migrated_template
    path = tmp_path / "tidewater.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


def _truncate_all(url: str) -> None:
    engine = create_db_engine(url)
    with engine.begin() as connection:
        tables = [
            row[0]
            for row in connection.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
        ]
        connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture(scope="session")
def standin_server() -> Iterator[SlackStandIn]:
    server = SlackStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def standin(standin_server: SlackStandIn) -> Iterator[SlackStandIn]:
    standin_server.reset()
    standin_server.users.clear()
    standin_server.add_user(ADMIN, "Ada")
    standin_server.add_user(MANAGER, "Max")
    standin_server.add_user(REP, "Mei")
    standin_server.add_user(OTHER_REP, "Li")
    standin_server.add_user(CHINESE_REP, "Wang", locale="zh-CN")
    standin_server.add_user(GUEST, "Gus", is_restricted=True)
    yield standin_server
    assert standin_server.problems == [], "the bot sent payloads Slack would refuse"


@pytest.fixture
def settings(database_url: str, standin: SlackStandIn) -> Settings:
    return Settings(
        _env_file=None,
        slack_bot_token=SecretStr("xoxb-test-token"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        database_url=database_url,
        slack_api_url=standin.api_url,
        admin_user_ids=frozenset({ADMIN}),
        default_locale=None,
    )


@pytest.fixture
def env(db: Database, clock: FixedClock, settings: Settings) -> Env:
    return Env(db=db, clock=clock, settings=settings)


@pytest.fixture
def app(settings: Settings, db: Database, clock: FixedClock):
    lazy_work = ThreadPoolExecutor(max_workers=8, thread_name_prefix="lazy")
    yield build_app(settings, db, clock=clock, executor=lazy_work)
    lazy_work.shutdown(wait=True)  # no lazy listener outlives its test


@pytest.fixture
def slack(app, standin: SlackStandIn) -> Iterator[SlackRequests]:
    requests = SlackRequests(secret=SIGNING_SECRET, standin=standin, transport=in_process(app))
    yield requests
    problems = [problem for reply in requests.replies for problem in reply.problems()]
    assert problems == [], "the bot answered an ack with a payload Slack would refuse"


# The reports tests' week of rows, shared by the reports and the Home's reports.
pytest_plugins = ["tests.report_rows"]
