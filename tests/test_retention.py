"""The retention pass forgets sent messages and job marks past their age, a chunk at a time, and keeps
everything else: recent ones, messages a later one may still answer (a complaint's card), messages not
sent (pending, refused), and all business history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from slack_sdk import WebClient

import bot.messaging  # noqa: F401  (registers the kinds of message, the complaint card's among them)
from bot import jobs, notify
from bot.env import Env
from store import retention as retention_store
from store.models import JobMark, OutboxMessage
from tests import builders
from tests.conftest import NOW, REP

UNUSED = WebClient(token="xoxb-unused")  # the retention pass does not talk to Slack


def message(
    key: str, *, kind: str = "reminders", status: str = "sent", sent: datetime | None = None
) -> OutboxMessage:
    return OutboxMessage(
        workspace_id=builders.WORKSPACE,
        dedupe_key=key,
        kind=kind,
        channel=REP,
        payload="{}",
        status=status,
        next_attempt_at=NOW,
        created_at=NOW - timedelta(days=400),
        sent_at=sent,
    )


def mark(period: str, done: datetime) -> JobMark:
    return JobMark(workspace_id=builders.WORKSPACE, job="churn", period=period, done_at=done)


def keys(env: Env, column: Any) -> set[str]:
    with env.db.session() as session:
        return set(session.scalars(sa.select(column)).all())


def test_old_sent_messages_and_marks_go_and_everything_else_stays(env: Env) -> None:
    builders.person(env, REP)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    with env.db.session() as session:
        session.add_all(
            [
                message("old", sent=NOW - timedelta(days=31)),
                message("recent", sent=NOW - timedelta(days=29)),
                message("old-card", kind=notify.COMPLAINT_CARD, sent=NOW - timedelta(days=300)),
                message("refused", status="failed"),
                message("pending", status="pending"),
                mark("2026-08-01", NOW - timedelta(days=91)),
                mark("2026-09-01", NOW - timedelta(days=89)),
            ]
        )

    summary = jobs.run_job("retention", env, UNUSED)

    assert summary == "forgot 1 sent messages and 1 job marks"
    assert keys(env, OutboxMessage.dedupe_key) == {"recent", "old-card", "refused", "pending"}
    assert keys(env, JobMark.period) == {"2026-09-01"}
    with env.db.session() as session:
        assert session.get(type(acme), acme.id) is not None, "business rows are never touched"
    assert jobs.run_job("retention", env, UNUSED) == "forgot 0 sent messages and 0 job marks"


def test_a_large_backlog_goes_in_chunks_until_none_is_left(env: Env, monkeypatch) -> None:
    monkeypatch.setattr(retention_store, "CHUNK", 3)
    with env.db.session() as session:
        session.add_all([message(f"old-{n}", sent=NOW - timedelta(days=40)) for n in range(10)])
    assert jobs.run_job("retention", env, UNUSED) == "forgot 10 sent messages and 0 job marks"
    assert keys(env, OutboxMessage.dedupe_key) == set()


def test_the_kept_kinds_are_those_a_later_message_answers_or_updates() -> None:
    assert notify.answered_later() == {notify.COMPLAINT_CARD, notify.ANNOUNCEMENT, notify.OPPORTUNITY_ALERT}
