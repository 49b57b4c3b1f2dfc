"""The leader killed in the middle of a night's passes: two real `python -m bot worker` processes, the
leader killed with SIGKILL while it sends, the standby finishes the night. Every message is posted once
(by its dedupe key, in Slack's stand-in), none is skipped, and every customer due back in the pool is
moved and announced once. PostgreSQL (the advisory lock) when TEST_DATABASE_URL is set, else SQLite (the
lease row).

The kill lands while a post waits for Slack's answer: the standby finds that post in the channel's
history instead of posting it again.

The night: 120 customers nobody visited for 200 days (the recycle pass moves them and queues three pool
announcements, paced a second apart in the channel) and 40 reminders queued earlier, waiting to go."""

from __future__ import annotations

import json
import signal
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col

from bot import notify
from bot.services import settings as settings_service
from bot.services.people_actors import Actor
from store.models import AnnouncementRow, Customer, OutboxMessage
from tests import builders
from tests.conftest import ADMIN, NOW
from tests.test_leader import holder, no_job_table_left_behind, start_worker, wait_until  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_job_table_left_behind")

POOL = "C0POOL"
OWNERS = [f"U0REP{n:02d}" for n in range(6)]
DUE_BACK = 120  # customers nobody visited
ANNOUNCEMENTS = 3  # of 40 customers each
REMINDERS = 40
SETTINGS = {"OUTBOX_LEASE_SECONDS": "8"}  # the post cut off by the kill is given back within the test


def the_night(env, standin) -> set[int]:
    """The overdue customers' ids, the pool channel set, the reminders queued."""
    builders.person(env, ADMIN, role="admin")
    standin.add_channel(POOL, "customer-pool", is_member=True)
    admin = Actor(builders.WORKSPACE, ADMIN, "Ada", "admin", None, "Asia/Shanghai", "en")
    # The night's messages go out at once: quiet hours would hold the previous owners' DMs till morning.
    settings_service.save(env, admin, {"pool_channel": POOL, "quiet_hours": False})
    due: set[int] = set()
    for number in range(DUE_BACK):
        owner = OWNERS[number % len(OWNERS)]
        builders.person(env, owner)
        customer_id = builders.customer(env, f"Quiet Trading {number:03d}", owner=owner).id
        assert customer_id is not None
        due.add(customer_id)
    long_ago = NOW - timedelta(days=200)
    with env.db.session() as session:
        session.execute(sa.update(Customer).values(owned_since=long_ago, recycle_clock_from=long_ago))
    for number in range(REMINDERS):
        text = f"Reminder {number:02d}"
        notify.enqueue(
            env, workspace_id=builders.WORKSPACE, kind="reminder", recipient=f"U0PEER{number:02d}",
            subject=str(number), period="2026-11-23",
            message={"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]},
        )  # fmt: skip
    return due


def posted_keys(standin) -> Counter[str]:
    keys: Counter[str] = Counter()
    for call in standin.calls_to("chat.postMessage"):
        metadata: Any = call.args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        keys[metadata["event_payload"]["key"]] += 1
    return keys


def outbox(db) -> dict[str, str]:
    with db.session() as session:
        return dict(
            session.execute(sa.select(col(OutboxMessage.dedupe_key), col(OutboxMessage.status))).all()
        )


def unsent(db) -> tuple[int, dict[str, str]]:
    messages = outbox(db)
    return len(messages), {key: status for key, status in messages.items() if status != "sent"}


def all_sent(db) -> bool:
    """Every message sent, the night's announcements among them (and, on a working day past the digest
    time, the admin's digest: the worker runs on the real clock)."""
    messages = outbox(db)
    return set(messages.values()) == {"sent"} and len(messages) >= REMINDERS + ANNOUNCEMENTS


def test_the_standby_finishes_the_night_the_killed_leader_began_every_message_once(
    database_url, db, env, standin
):
    due = the_night(env, standin)
    standin.slow_answers("chat.postMessage", 0.3)  # the kill lands while a post waits for its answer
    first = start_worker(database_url, standin.api_url, **SETTINGS)
    second = None
    try:
        assert wait_until(lambda: f":{first.pid}:" in (holder(db) or ""), seconds=30), "the first leads"
        second = start_worker(database_url, standin.api_url, **SETTINGS)
        assert wait_until(lambda: standin.count("chat.postMessage") >= 10, seconds=30)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        posted_by_the_first = standin.count("chat.postMessage")
        assert posted_by_the_first < REMINDERS + ANNOUNCEMENTS, "killed in the middle of the night"

        assert wait_until(lambda: f":{second.pid}:" in (holder(db) or ""), seconds=30), "the standby leads"
        assert wait_until(lambda: all_sent(db), seconds=90), unsent(db)
        time.sleep(1)  # a post made twice would show by now
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)

    assert standin.count("conversations.history") >= 1, "the post cut off was looked for, not sent again"
    posted = posted_keys(standin)
    assert set(posted) == set(outbox(db)), "every message queued was posted, and nothing else"
    assert [key for key, times in posted.items() if times > 1] == [], "none twice"
    with db.session() as session:
        owned = session.scalars(sa.select(col(Customer.id)).where(col(Customer.owner_id).is_not(None))).all()
        announced = Counter(session.scalars(sa.select(col(AnnouncementRow.customer_id))).all())
    assert owned == [], "every customer due back is in the pool"
    assert set(announced) == due
    assert set(announced.values()) == {1}, "each announced once"
