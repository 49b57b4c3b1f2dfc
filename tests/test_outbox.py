"""The outbox against the Slack stand-in: once per dedupe key, retries with backoff, permanent refusals."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import col, select

from bot import notify
from store import outbox as outbox_store
from store.models import OutboxMessage
from tests import builders

WS = builders.WORKSPACE


@pytest.fixture
def client(standin):
    return WebClient(token="xoxb-test", base_url=standin.api_url)  # no 429 handler: the outbox retries


def queue(env, recipient="U0MEI", subject="acme", period="2026-11-23", text="Follow up with Acme"):
    message = {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
    notify.enqueue(
        env,
        workspace_id=WS,
        kind="reminder",
        recipient=recipient,
        subject=subject,
        period=period,
        message=message,
    )


def rows(env):
    with env.db.session() as session:
        return session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()


def no_sleep(_seconds):
    return None


def deliver(env, client):
    return notify.deliver_due(env, client, pacer=notify.Pacer(sleep=no_sleep))


def test_a_message_queued_twice_is_sent_once(env, standin, client):
    queue(env)
    queue(env)
    done = deliver(env, client)
    assert (done.sent, len(rows(env))) == (1, 1)
    assert deliver(env, client).sent == 0
    [post] = standin.calls_to("chat.postMessage")
    assert post.args["channel"] == "U0MEI"
    [row] = rows(env)
    assert row.status == "sent"
    assert row.ts == post.answer["ts"]


def test_a_rate_limit_waits_for_retry_after(env, standin, client, clock):
    queue(env)
    standin.fail_next("chat.postMessage", status=429, retry_after=7)
    assert deliver(env, client).retrying == 1
    [row] = rows(env)
    assert row.next_attempt_at == clock.now() + timedelta(seconds=7)
    assert row.last_error == "ratelimited"
    clock.advance(timedelta(seconds=6))
    assert deliver(env, client).sent == 0
    clock.advance(timedelta(seconds=1))
    assert deliver(env, client).sent == 1


def test_server_errors_back_off_and_double_the_wait(env, standin, client, clock):
    queue(env)
    standin.fail_next("chat.postMessage", status=500, times=2)
    start = clock.now()
    deliver(env, client)
    assert rows(env)[0].next_attempt_at == start + timedelta(seconds=30)
    clock.advance(timedelta(seconds=30))
    deliver(env, client)
    assert rows(env)[0].next_attempt_at == start + timedelta(seconds=90)
    clock.advance(timedelta(seconds=60))
    assert deliver(env, client).sent == 1


def test_a_permanent_refusal_is_recorded_for_the_admins_and_not_retried(env, standin, client, clock):
    standin.add_channel("G0SECRET", "secret", is_private=True)
    queue(env, recipient="G0SECRET")
    assert deliver(env, client).failed == 1
    clock.advance(timedelta(days=1))
    assert deliver(env, client).sent == 0
    assert len(standin.calls_to("chat.postMessage")) == 1
    with env.db.session() as session:
        [failed] = outbox_store.undeliverable(session=session, workspace_id=WS, limit=10)
    assert failed.last_error == "channel_not_found"
    assert failed.status == "failed"


def test_slack_down_for_an_hour_loses_nothing_and_sends_each_once(env, standin, client, clock):
    for number in range(5):
        queue(env, recipient=f"U0REP{number}")
    standin.fail_next("chat.postMessage", status=503, times=1000)
    for _ in range(4):  # a tick every 15 minutes while Slack is down
        deliver(env, client)
        clock.advance(timedelta(minutes=15))
    standin.fail_next("chat.postMessage", status=503, times=0)
    clock.advance(timedelta(hours=1))
    assert deliver(env, client).sent == 5
    delivered = [c.args["channel"] for c in standin.calls_to("chat.postMessage") if c.status == 200]
    assert sorted(delivered) == [f"U0REP{n}" for n in range(5)]
    assert deliver(env, client).sent == 0


def test_two_senders_at_once_send_each_message_once(env, standin, client):
    for number in range(20):
        queue(env, recipient=f"U0REP{number:02d}")
    start = threading.Barrier(2)
    results = []

    def sender():
        start.wait()
        results.append(deliver(env, client))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in results) == 20
    channels = [c.args["channel"] for c in standin.calls_to("chat.postMessage")]
    assert sorted(channels) == sorted(set(channels))
    assert len(channels) == 20


def test_posts_to_one_channel_are_paced(env, client):
    for number in range(3):
        queue(env, recipient="C0POOL", subject=f"batch-{number}")
    waits: list[float] = []
    notify.deliver_due(env, client, pacer=notify.Pacer(sleep=waits.append))
    assert len(waits) == 2
    assert all(0 < wait <= notify.CHANNEL_GAP_SECONDS for wait in waits)
