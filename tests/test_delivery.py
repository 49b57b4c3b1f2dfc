"""Each message once: a sender stopped after Slack took a post, an answer that never came back, two
senders in a run longer than the lease, history that cannot be read, an uninstalled workspace, and a
crash between a change and its announcement (the message still goes out, once)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from bot import jobs, notify
from bot.app import build_app
from bot.jobs import recycle
from bot.messaging import pool as pool_messages
from bot.playground.requests import SlackRequests, in_process
from bot.services import settings as settings_service
from bot.services.people import Actor
from store.models import Customer, OutboxMessage, Workspace
from tests import builders
from tests.conftest import ADMIN, REP, SIGNING_SECRET

WS = builders.WORKSPACE
POOL = "C0POOL"


@pytest.fixture
def client(standin):
    return jobs.outbox_client("xoxb-test", standin.api_url)


def queue(env, text: str, recipient: str = REP, subject: str = "acme") -> str:
    message = {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
    return notify.enqueue(
        env,
        workspace_id=WS,
        kind="reminder",
        recipient=recipient,
        subject=subject,
        period="p",
        message=message,
    )


def deliver(env, client) -> notify.Delivery:
    return notify.deliver_due(env, client, pacer=notify.Pacer(sleep=lambda _seconds: None))


def posted_texts(standin) -> Counter[str]:
    return Counter(
        str(call.args["text"]) for call in standin.calls_to("chat.postMessage") if call.status == 200
    )


def rows(env) -> list[OutboxMessage]:
    with env.db.session() as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_every_post_carries_its_dedupe_key_as_message_metadata(env, standin, client):
    key = queue(env, "Follow up with Acme")
    deliver(env, client)
    [post] = standin.calls_to("chat.postMessage")
    assert post.args["metadata"] == {"event_type": notify.METADATA_EVENT, "event_payload": {"key": key}}
    [standing] = standin.posted_to(REP)
    assert standing["metadata"]["event_payload"]["key"] == key


def test_a_post_whose_answer_never_came_back_is_found_in_the_conversation_not_posted_again(
    env, standin, client, clock
):
    queue(env, "Follow up with Acme")
    standin.drop_answers("chat.postMessage")
    first = deliver(env, client)
    assert (first.sent, first.retrying) == (0, 1)
    [row] = rows(env)
    assert row.posting_since is not None
    assert row.status == "pending"

    clock.advance(notify.backoff(1))
    second = deliver(env, client)
    assert (second.sent, second.looked_up, second.found) == (0, 1, 1)
    assert standin.count("chat.postMessage") == 1
    [row] = rows(env)
    [standing] = standin.posted_to(REP)
    assert row.status == "sent"
    assert row.ts == standing["ts"]
    assert row.posting_since is None
    assert not row.possible_duplicate


def test_a_sender_killed_after_slack_took_its_post_leaves_nothing_to_post_twice(
    env, standin, client, clock, database_url
):
    """A real worker process runs the outbox job; Slack takes its post and the process is killed
    before the answer arrives. The next sender finds the post and marks it sent."""
    queue(env, "Follow up with Acme")
    standin.drop_answers("chat.postMessage", after=30)
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot", "jobs", "run", "outbox", "--at", clock.now().isoformat()],
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.api_url,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        standin.wait_for("chat.postMessage", timeout=60)
    finally:
        worker.kill()
        worker.wait()
    [row] = rows(env)
    assert row.status == "pending"
    assert row.posting_since is not None
    assert row.leased_until is not None

    assert deliver(env, client).skipped == 0
    assert standin.count("chat.postMessage") == 1
    assert rows(env)[0].status == "pending"
    clock.advance(notify.lease(env))
    done = deliver(env, client)
    assert (done.looked_up, done.found, done.sent) == (1, 1, 0)
    assert standin.count("chat.postMessage") == 1
    assert rows(env)[0].status == "sent"


def test_two_senders_in_a_run_longer_than_the_lease_post_each_message_once(env, standin, client, clock):
    """130 posts to one channel at one a second take longer than the lease. A second sender starts
    while Slack is slow to answer the first sender's last post: it must not take that post."""
    texts = [f"Pool batch {number:03d}" for number in range(130)]
    for number, text in enumerate(texts):
        queue(env, text, recipient=POOL, subject=str(number))
    last_post_next = threading.Event()
    start = clock.now()

    def one_second_later(_seconds: float) -> None:
        clock.advance(timedelta(seconds=1))
        if clock.now() - start >= timedelta(seconds=len(texts) - 1):
            standin.slow_answers("chat.postMessage", 1.0)
            last_post_next.set()

    def second_sender() -> notify.Delivery:
        assert last_post_next.wait(timeout=60)
        standin.wait_for("chat.postMessage", len(texts))  # the first sender's last post is in Slack
        return deliver(env, client)

    with ThreadPoolExecutor(max_workers=2) as senders:
        first = senders.submit(notify.deliver_due, env, client, pacer=notify.Pacer(sleep=one_second_later))
        second = senders.submit(second_sender)
        done = [first.result(timeout=120), second.result(timeout=120)]
    assert clock.now() - start > notify.lease(env)
    assert posted_texts(standin) == Counter(texts)
    assert (done[0].sent, done[1].sent) == (len(texts), 0)
    assert {row.status for row in rows(env)} == {"sent"}


def test_where_the_history_cannot_be_read_the_post_is_sent_again_and_counted_for_the_admins(
    env, standin, client, clock, slack
):
    builders.person(env, ADMIN, role="admin")
    queue(env, "Follow up with Acme")
    standin.drop_answers("chat.postMessage")
    deliver(env, client)
    standin.history_refusal = "missing_scope"
    clock.advance(notify.backoff(1))
    done = deliver(env, client)
    assert (done.looked_up, done.found, done.sent) == (1, 0, 1)
    assert posted_texts(standin) == Counter({"Follow up with Acme": 2})
    [row] = rows(env)
    assert row.status == "sent"
    assert row.possible_duplicate

    slack.open_home(ADMIN)
    home = standin.last("views.publish")
    assert "1 messages may have reached Slack twice in the last 7 days" in str(home["view"]["blocks"])


def test_an_update_whose_answer_was_lost_is_simply_sent_again(env, standin, client, clock):
    standin.add_channel(POOL, "customer-pool")
    key = queue(env, "Pool batch", recipient=POOL)
    deliver(env, client)
    notify.enqueue(
        env,
        workspace_id=WS,
        kind="reminder_update",
        recipient=POOL,
        subject="acme",
        period="u1",
        message={"text": "Pool batch, updated", notify.UPDATE_OF: key},
    )
    standin.drop_answers("chat.update")
    assert deliver(env, client).retrying == 1
    clock.advance(notify.backoff(1))
    done = deliver(env, client)
    assert (done.sent, done.looked_up) == (1, 0)
    assert standin.count("chat.update") == 2
    assert standin.count("conversations.history") == 0


def test_an_uninstalled_workspace_keeps_its_messages_until_it_is_active_again(env, standin, client):
    builders.person(env, REP)
    queue(env, "Follow up with Acme")
    set_active(env, active=False)
    assert deliver(env, client).sent == 0
    assert standin.count("chat.postMessage") == 0
    set_active(env, active=True)
    assert deliver(env, client).sent == 1


def set_active(env, *, active: bool) -> None:
    with env.db.session() as session:
        session.execute(sa.update(Workspace).where(col(Workspace.id) == WS).values(active=active))


# -- a crash between a change and its message ---------------------------------------------------------
class StoppedAfterAck(ThreadPoolExecutor):
    """The web process dies right after answering Slack: no lazy listener runs."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(lambda: None)


def pool_channel(env, standin) -> None:
    builders.person(env, ADMIN, role="admin")
    standin.add_channel(POOL, "customer-pool")
    admin = Actor(WS, ADMIN, "Ada", "admin", None, "Asia/Shanghai", "en")
    settings_service.save(env, admin, {"pool_channel": POOL})


def test_a_release_whose_process_died_after_the_ack_is_still_announced_once(
    env, settings, db, clock, standin, client, slack
):
    pool_channel(env, standin)
    builders.person(env, REP)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    slack.button(REP, "customer.release", str(acme.id))
    form = standin.last("views.open")["view"]
    dying = build_app(settings, db, clock=clock, executor=StoppedAfterAck(max_workers=1))
    dying_slack = SlackRequests(secret=SIGNING_SECRET, standin=standin, transport=in_process(dying))
    reply = dying_slack.submit(REP, form, {"reason": "not_interested", "note": ""})
    assert reply.status == 200
    with env.db.session() as session:
        assert session.get(Customer, acme.id).owner_id is None  # released
    assert standin.count("chat.postMessage") == 0  # the lazy listener never ran

    assert deliver(env, client).sent == 1
    assert deliver(env, client).sent == 0
    [post] = standin.calls_to("chat.postMessage")
    assert post.args["channel"] == POOL
    assert "Acme Trading" in str(post.args["blocks"])


def test_a_recycle_that_fails_before_its_announcement_is_queued_moves_nothing(
    env, standin, client, monkeypatch, clock
):
    pool_channel(env, standin)
    builders.person(env, REP)
    stale = builders.customer(env, "Stale Foods", owner=REP)
    long_ago = clock.now() - timedelta(days=200)
    with env.db.session() as session:
        session.execute(
            sa.update(Customer)
            .where(col(Customer.id) == stale.id)
            .values(owned_since=long_ago, recycle_clock_from=long_ago)
        )

    def crash(*_args, **_kwargs):
        raise RuntimeError("the process stopped here")

    monkeypatch.setattr(pool_messages, "announce", crash)
    with pytest.raises(RuntimeError):
        recycle.run(env)
    with env.db.session() as session:
        assert session.get(Customer, stale.id).owner_id == REP  # nothing half-done
    monkeypatch.undo()

    assert "recycled 1 customers in 1 announcements; told 1 previous owners" in recycle.run(env).summary
    assert "recycled 0 customers" in recycle.run(env).summary
    assert deliver(env, client).sent == 2, "the announcement and the previous owner's message"
    assert deliver(env, client).sent == 0
    posts = {call.args["channel"]: str(call.args["blocks"]) for call in standin.calls_to("chat.postMessage")}
    assert set(posts) == {POOL, REP}
    assert "Stale Foods" in posts[POOL]
    assert "Stale Foods" in posts[REP]
