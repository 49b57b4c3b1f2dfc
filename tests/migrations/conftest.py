"""An empty database per test: a SQLite file, or, when TEST_DATABASE_URL is set, a PostgreSQL schema of
its own (the rest of the suite uses schema public, which these tests never touch)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from store.db import create_db_engine
from tests.conftest import POSTGRES_URL


def psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    engine = create_db_engine(psycopg_url(POSTGRES_URL))
    yield engine
    engine.dispose()


@pytest.fixture
def blank(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    """An engine on an empty database, the kind the bot makes (store.db.create_db_engine)."""
    if not POSTGRES_URL:
        engine = create_db_engine(f"sqlite:///{tmp_path / 'tidewater.db'}")
        yield engine
        engine.dispose()
        return
    admin: sa.Engine = request.getfixturevalue("postgres_admin")
    schema = f"migrations_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = create_db_engine(
        psycopg_url(POSTGRES_URL), connect_args={"options": f"-csearch_path={schema}"}, pool_size=2
    )
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
