"""`python -m bot jobs run NAME [--at]` and the worker's job table."""

from __future__ import annotations

import os
import subprocess
import sys

from bot import notify
from bot.worker import build_scheduler
from store import people as people_store
from tests import builders


def run_jobs(database_url, standin, *words):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DEFAULT_"))},
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": standin.api_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "jobs", "run", *words],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def queue(env, workspace_id=builders.WORKSPACE):
    message = {"text": f"Follow up with Acme ({workspace_id})"}
    notify.enqueue(
        env,
        workspace_id=workspace_id,
        kind="reminder",
        recipient="U0MEI",
        subject="acme",
        period="d1",
        message=message,
    )


def test_jobs_run_outbox_sends_what_is_due_and_says_so(env, standin, database_url):
    queue(env)
    done = run_jobs(database_url, standin, "outbox")
    assert done.returncode == 0, done.stderr
    assert "outbox: sent 1, retrying 0, undeliverable 0" in done.stdout
    assert standin.last("chat.postMessage")["channel"] == "U0MEI"
    again = run_jobs(database_url, standin, "outbox")
    assert "sent 0" in again.stdout
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_jobs_run_at_an_earlier_time_finds_nothing_due_yet(env, standin, database_url):
    queue(env)  # due from the test clock's now, 2026-11-23 10:00 in Shanghai
    done = run_jobs(database_url, standin, "outbox", "--at", "2026-11-23T09:00+08:00")
    assert "sent 0" in done.stdout
    assert standin.count("chat.postMessage") == 0


def test_a_wrong_job_or_time_is_explained(standin, database_url):
    unknown = run_jobs(database_url, standin, "nightly")
    assert unknown.returncode != 0
    assert (
        "No job called 'nightly'. Jobs: churn, digest, followups, home, outbox, people, recycle, reports, retention, sla, tiers"
        in unknown.stderr
    )
    naive = run_jobs(database_url, standin, "outbox", "--at", "2026-12-01 09:00")
    assert naive.returncode != 0
    assert "ISO time with its zone" in naive.stderr


def test_jobs_run_for_one_team_works_on_that_workspace_alone(env, standin, database_url):
    builders.person(env, "U0MEI")
    with env.db.session() as session:
        people_store.add_workspace_if_missing(
            session=session, values={"id": "T0OTHER", "timezone": "UTC", "created_at": env.clock.now()}
        )
    queue(env)
    queue(env, "T0OTHER")
    done = run_jobs(database_url, standin, "outbox", "--team", "T0OTHER")
    assert done.returncode == 0, done.stderr
    assert "outbox in T0OTHER: sent 1" in done.stdout
    assert [call.args["text"] for call in standin.calls_to("chat.postMessage")] == [
        "Follow up with Acme (T0OTHER)"
    ]
    unknown = run_jobs(database_url, standin, "outbox", "--team", "T0NOWHERE")
    assert unknown.returncode != 0
    assert "No workspace 'T0NOWHERE' here" in unknown.stderr
    wide = run_jobs(database_url, standin, "retention", "--team", "T0OTHER")
    assert wide.returncode != 0
    assert "works on the whole installation" in wide.stderr
    assert standin.count("chat.postMessage") == 1


def test_the_worker_ticks_each_job_coalesced_one_at_a_time_without_a_misfire_cut_off(settings, db):
    scheduler = build_scheduler(settings, db)
    ticked = {job.id: job for job in scheduler.get_jobs()}
    assert set(ticked) == {
        "outbox",
        "followups",
        "recycle",
        "churn",
        "tiers",
        "digest",
        "reports",
        "sla",
        "home",
        "people",
        "retention",
    }
    for job in ticked.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time is None
    assert ticked["followups"].trigger.interval.total_seconds() == 15 * 60
    assert ticked["retention"].trigger.interval.total_seconds() == 6 * 60 * 60


def test_work_is_done_once_per_day_and_once_per_week_of_the_workspace(env, clock):
    """The period is the workspace's own (Shanghai): 23:30 UTC on Sunday is Monday there."""
    from datetime import UTC, date, datetime

    from bot.services import periods

    builders.person(env, "U0ADA", role="admin")
    days: list[date] = []

    def work(_session, today: date) -> date:
        days.append(today)
        return today

    def both() -> tuple[date | None, date | None]:
        return (
            periods.once_per_day(env, builders.WORKSPACE, "test-daily", work),
            periods.once_per_week(env, builders.WORKSPACE, "test-weekly", work),
        )

    clock.set(datetime(2026, 11, 22, 23, 30, tzinfo=UTC))  # Monday 07:30 in Shanghai
    monday = date(2026, 11, 23)
    assert both() == (monday, monday)
    assert both() == (None, None)  # a second run, or a second worker
    clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))  # Tuesday: a new day, the same week
    assert both() == (date(2026, 11, 24), None)
    clock.set(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))  # the next Monday
    assert both() == (date(2026, 11, 30), date(2026, 11, 30))
    assert days == [monday, monday, date(2026, 11, 24), date(2026, 11, 30), date(2026, 11, 30)]
