"""Each job's latest run is recorded (when, how long, ok or not, its summary) with what it counted in
each workspace; a failure is recorded and raised, keeping the last success's counts; /metrics and
`python -m bot status` show them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from sqlmodel import col

from bot import jobs, metrics
from bot.services import tiers
from bot.web import wsgi_app
from store import job_runs
from store import people as people_store
from store.models import Customer, JobRun
from tests import builders
from tests.conftest import NOW, REP
from tests.test_metrics import scraped
from tests.test_status import shown

UNUSED = WebClient(token="xoxb-unused")  # the jobs here queue messages, they do not talk to Slack
SECOND = "T0SECOND"


def second_workspace(env) -> None:
    values = {"id": SECOND, "timezone": "Europe/Paris", "country": "FR", "currency": "EUR", "created_at": NOW}
    with env.db.session() as session:
        people_store.add_workspace_if_missing(session=session, values=values)


def latest(env) -> tuple[dict[str, JobRun], dict[tuple[str, str, str], int]]:
    with env.db.connection() as connection:
        runs = {run.job: run for run in job_runs.latest_runs(connection)}
        counts = {(c.job, c.workspace_id, c.name): c.value for c in job_runs.latest_counts(connection)}
    return runs, counts


def stale_customer(env) -> None:
    builders.person(env, REP)
    stale = builders.customer(env, "Stale Foods", owner=REP)
    long_ago = NOW - timedelta(days=200)
    with env.db.session() as session:
        session.execute(
            sa.update(Customer)
            .where(col(Customer.id) == stale.id)
            .values(owned_since=long_ago, recycle_clock_from=long_ago)
        )


def test_a_run_is_recorded_with_its_counts_per_workspace(env):
    stale_customer(env)
    second_workspace(env)

    summary = jobs.run_job("recycle", env, UNUSED)
    jobs.run_job("tiers", env, UNUSED)

    runs, counts = latest(env)
    recycle = runs["recycle"]
    assert recycle.succeeded
    assert recycle.error is None
    assert recycle.started_at == NOW == recycle.succeeded_at
    assert recycle.seconds >= 0
    assert recycle.summary == summary
    assert "recycled 1 customers in 0 announcements" in summary  # no pool channel set
    assert counts[("recycle", builders.WORKSPACE, "moved")] == 1
    assert counts[("recycle", SECOND, "moved")] == 0
    assert counts[("tiers", builders.WORKSPACE, "tiered")] == counts[("tiers", SECOND, "tiered")] == 1

    jobs.run_job("tiers", env, UNUSED)  # the day's tiers are done: the new run replaces the counts
    _, counts = latest(env)
    assert counts[("tiers", builders.WORKSPACE, "tiered")] == counts[("tiers", SECOND, "tiered")] == 0


def test_installation_wide_jobs_count_under_the_empty_workspace(env):
    jobs.run_job("retention", env, UNUSED)
    _, counts = latest(env)
    assert counts[("retention", "", "messages")] == 0
    assert {key[1] for key in counts} == {""}


def test_a_failed_run_is_recorded_and_raised_and_keeps_the_last_success(env, clock, monkeypatch):
    second_workspace(env)
    jobs.run_job("tiers", env, UNUSED)
    clock.set(NOW + timedelta(hours=1))

    def broken(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(tiers, "tier_today", broken)
    with pytest.raises(RuntimeError):
        jobs.run_job("tiers", env, UNUSED)

    runs, counts = latest(env)
    failed = runs["tiers"]
    assert not failed.succeeded
    assert failed.error == "RuntimeError: the database went away"
    assert failed.started_at == NOW + timedelta(hours=1)
    assert failed.succeeded_at == NOW, "the last success is kept"
    assert failed.summary.startswith("1 workspaces"), "and what it did"
    assert counts[("tiers", SECOND, "tiered")] == 1


def test_a_job_that_fails_on_its_first_run_has_no_success_yet(env, monkeypatch):
    monkeypatch.setattr(tiers, "tier_today", lambda *_: 1 / 0)
    second_workspace(env)
    with pytest.raises(ZeroDivisionError):
        jobs.run_job("tiers", env, UNUSED)
    runs, counts = latest(env)
    assert runs["tiers"].succeeded_at is None
    assert runs["tiers"].error == "ZeroDivisionError: division by zero"
    assert counts == {}


def test_metrics_give_each_jobs_latest_run_and_counts(app, env, db, clock):
    stale_customer(env)
    jobs.run_job("recycle", env, UNUSED)
    clock.set(NOW + timedelta(minutes=5))
    web = wsgi_app(app, measured=lambda: metrics.exposition(db, clock.now))

    figures = scraped(web)

    job = "[('job', 'recycle')]"
    assert figures[f"tidewater_job_last_run_timestamp_seconds{job}"] == NOW.timestamp()
    assert figures[f"tidewater_job_last_success_timestamp_seconds{job}"] == NOW.timestamp()
    assert figures[f"tidewater_job_last_run_succeeded{job}"] == 1
    assert figures[f"tidewater_job_last_run_duration_seconds{job}"] >= 0
    moved = "tidewater_job_counted[('count', 'moved'), ('job', 'recycle'), ('workspace', 'T0TIDE')]"
    assert figures[moved] == 1


def test_the_status_shows_each_jobs_latest_run_and_what_it_counted(env, db, monkeypatch):
    stale_customer(env)
    jobs.run_job("recycle", env, UNUSED)
    monkeypatch.setattr(tiers, "tier_today", lambda *_: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        jobs.run_job("tiers", env, UNUSED)

    _, text = shown(db, NOW + timedelta(minutes=3))

    assert "│ recycle │ 3 min ago │" in text
    assert "│ ok │ warned 0 owners about 0 customers; recycled 1 customers in 0 announcements; told 1" in text
    assert "│ tiers │ 3 min ago │" in text
    assert "failed (last ok never) │ ZeroDivisionError: division by zero │" in text
    assert "│ T0TIDE │ recycle │ moved 1, told 1 │" in text
