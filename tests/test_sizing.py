"""Connections sized to the work: a web process's pool holds one connection for each of its threads
(requests and lazy listeners), a worker's one for each job that can run at once, the leader's lock and
its lease, and each workspace pass running at once (JOB_THREADS)."""

from __future__ import annotations

import pytest

from bot.config import Settings
from store.db import POOL_SPARE, Database
from tests.conftest import POSTGRES_URL


def test_the_web_threads_decide_the_lazy_threads_and_the_connections(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "4")
    settings = Settings(_env_file=None)
    assert (settings.web_concurrency, settings.web_threads) == (3, 4)
    assert settings.lazy_threads == 8
    assert settings.web_connections == 12


def test_the_defaults_need_fewer_connections_than_postgresql_allows_for_two_processes_and_a_worker():
    settings = Settings(_env_file=None)
    used = (
        settings.web_concurrency * (settings.web_connections + POOL_SPARE)
        + settings.worker_connections
        + POOL_SPARE
    )
    assert used == 70
    assert used < 100, "PostgreSQL's default max_connections"


@pytest.mark.skipif(not POSTGRES_URL, reason="the pool's size is PostgreSQL's")
def test_the_pool_holds_what_it_is_told(database_url):
    db = Database.from_url(database_url, connections=12)
    try:
        assert db.engine.pool.size() == 12  # type: ignore[attr-defined]
        assert db.engine.pool._max_overflow == POOL_SPARE  # type: ignore[attr-defined]
    finally:
        db.engine.dispose()
