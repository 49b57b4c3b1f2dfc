"""`python -m bot status`: ready or not and why, the leader and its heartbeat, the outbox's figures and
the latest messages Slack refused, from the database as it is."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console

from bot import status
from bot.__main__ import main
from store import leases
from store.db import Database
from store.models import OutboxMessage
from tests import builders
from tests.conftest import NOW, REP
from tests.migrations.harness import HEAD


def message(key: str, status_: str, **values: Any) -> OutboxMessage:
    fields: dict[str, Any] = {
        "channel": REP,
        "next_attempt_at": NOW,
        "created_at": NOW - timedelta(minutes=30),
        **values,
    }
    return OutboxMessage(
        workspace_id=builders.WORKSPACE,
        dedupe_key=key,
        kind="reminders",
        payload="{}",
        status=status_,
        **fields,
    )


def shown(db, now) -> tuple[bool, str]:
    out = Console(record=True, width=200)
    ready = status.show(db, now, out)
    return ready, " ".join(out.export_text().split())  # the table's padding aside


def test_the_status_shows_the_leader_the_outbox_and_what_slack_refused(db):
    with db.session() as session:
        session.add_all(
            [
                message("waiting", "pending"),
                message("again", "pending", attempts=2, last_error="HTTP 500"),
                message("sent", "sent", sent_at=NOW - timedelta(hours=2)),
                message("sent-long-ago", "sent", sent_at=NOW - timedelta(days=3)),
                message("refused", "failed", last_error="channel_not_found", channel="C0GONE"),
            ]
        )
    with db.connection() as connection:
        leases.take(connection, name=leases.WORKER, holder="host:9:abc", now=NOW - timedelta(seconds=7),
                    ttl=timedelta(seconds=20), force=False)  # fmt: skip
    ready, text = shown(db, NOW)
    assert ready
    assert text.startswith("Ready")
    assert "host:9:abc, heartbeat 7 s ago" in text
    assert "messages waiting │ 2 (oldest queued 30 min ago)" in text
    assert "of them retrying │ 1" in text
    assert "sent in the last 24 h │ 1" in text
    assert "refused by Slack │ 1" in text
    assert "│ T0TIDE │ reminders │ C0GONE │ channel_not_found │ 2026-11-23 01:30 UTC │" in text


def test_without_a_worker_the_status_says_why_it_is_not_ready_and_exits_1(db, monkeypatch, capsys):
    ready, text = shown(db, NOW)
    assert not ready
    assert "Not ready no worker has led yet: start python -m bot worker" in text
    assert "none has led yet" in text
    monkeypatch.setenv("DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    with pytest.raises(SystemExit) as done:
        main(["status"])
    assert done.value.code == 1
    assert "Not ready" in capsys.readouterr().out


def test_a_database_without_tables_is_said_so_and_nothing_more_is_read(tmp_path):
    empty = Database.from_url(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        ready, text = shown(empty, NOW)
    finally:
        empty.engine.dispose()
    assert not ready
    assert text == (
        f"Not ready the schema has no tables yet, this release needs {HEAD}: run python -m bot db upgrade"
    )
