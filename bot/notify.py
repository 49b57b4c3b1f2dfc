"""Sending what the bot says on its own to Slack.

Two ways: `SlackPoster` posts at once through a client with slack_sdk's rate-limit retry handler
(pool announcements, until they move to the outbox); the outbox (`enqueue`, `deliver_due`) keeps
each message in the database until Slack has it: once per dedupe key, retried with backoff on 429
(honouring Retry-After), 5xx and network errors, paced per channel, and recorded as undeliverable
when Slack refuses it for good.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import orjson
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.services.env import Env
from store import announcements as announcement_store
from store import complaints as complaint_store
from store import outbox as outbox_store
from store.models import OutboxMessage

log = logging.getLogger("tidewater.notify")


class ChannelPoster(Protocol):
    def post(self, channel: str, message: dict[str, Any]) -> str: ...

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None: ...


class SlackPoster:
    """Posts and updates channel messages with a Web API client; errors are SlackApiError."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel: str, message: dict[str, Any]) -> str:
        answer = self.client.chat_postMessage(channel=channel, unfurl_links=False, **message)
        return str(answer["ts"])

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        self.client.chat_update(channel=channel, ts=ts, **message)


# -- the outbox's sender ------------------------------------------------------------------------------
# Slack's answers that will not change by trying again: recorded for the admins, never retried.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "restricted_action",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
    }
)
FIRST_BACKOFF = timedelta(seconds=30)
LONGEST_BACKOFF = timedelta(hours=1)
LEASE = timedelta(minutes=2)  # a sender that dies mid-send gives the message back after this
CHANNEL_GAP_SECONDS = 1.0  # Slack allows about one message per second per channel
WORKSPACE_MESSAGES_PER_SECOND = 50  # and about fifty a second (chat.postMessage) in a workspace
WORKSPACE_GAP_SECONDS = 1.0 / WORKSPACE_MESSAGES_PER_SECOND


@dataclass
class Delivery:
    """What one run of the sender did, for its one-line log."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # taken by another sender meanwhile


class Pacer:
    """Keeps posts to one channel at least a second apart, and any two posts at least 1/50 s apart
    (Slack's limit for the whole workspace), within a run: a fan-out of many DMs goes out at about
    the rate Slack accepts instead of in a burst answered 429."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self.sleep = sleep
        self._last: dict[str, float] = {}
        self._last_any: float | None = None

    def wait_for(self, channel: str) -> None:
        now = time.monotonic()
        gap = 0.0
        last = self._last.get(channel)
        if last is not None:
            gap = CHANNEL_GAP_SECONDS - (now - last)
        if self._last_any is not None:
            gap = max(gap, WORKSPACE_GAP_SECONDS - (now - self._last_any))
        if gap > 0:
            self.sleep(gap)
        self._last[channel] = self._last_any = time.monotonic()


ANNOUNCEMENT = "announcement"  # a pool-channel announcement; its subject is the announcement's id
COMPLAINT_CARD = "complaint_card"  # a complaint's card; its subject is the complaint's id
# Payload keys (taken out before sending): the dedupe key of the message this one answers in its
# thread, or replaces (chat.update). It waits until that one is in Slack.
REPLY_TO = "_reply_to"
UPDATE_OF = "_update_of"


def _announcement_posted(session: Session, announcement_id: int, _channel: str, ts: str) -> None:
    announcement_store.set_posted(session=session, announcement_id=announcement_id, ts=ts)


def _complaint_card_posted(session: Session, complaint_id: int, channel: str, ts: str) -> None:
    complaint_store.set_posted(session=session, complaint_id=complaint_id, channel=channel, ts=ts)


ON_POSTED: dict[str, Callable[[Session, int, str, str], None]] = {
    ANNOUNCEMENT: _announcement_posted,
    COMPLAINT_CARD: _complaint_card_posted,
}


def dedupe_key(kind: str, recipient: str, subject: str, period: str) -> str:
    return f"{kind}:{recipient}:{subject}:{period}"[:200]


def subject_of(key: str) -> str:
    return key.split(":")[2]


def json_payload(message: dict[str, Any]) -> str:
    """The outbox payload: compact UTF-8 JSON (orjson: json.dumps took a tenth of the warning pass)."""
    return orjson.dumps(message).decode()


@dataclass(frozen=True)
class Outgoing:
    """A message to queue once per (kind, recipient, subject, period), already as its JSON payload: a
    job's thousand messages kept as Block Kit dicts until their one INSERT gave Python's garbage
    collector some hundred thousand more objects to walk (a full collection of about 70 ms in the
    warning pass on PostgreSQL, at 1,000,000 customers)."""

    workspace_id: str
    kind: str
    recipient: str
    subject: str
    period: str
    payload: str  # json_payload(message)

    @property
    def key(self) -> str:
        return dedupe_key(self.kind, self.recipient, self.subject, self.period)


def enqueue(
    env: Env,
    *,
    workspace_id: str,
    kind: str,
    recipient: str,
    subject: str,
    period: str,
    message: dict[str, Any],
) -> str:
    """Queue a message once per (kind, recipient, subject, period); queuing it again does nothing.
    Returns the dedupe key (to send it at once with `deliver_now`)."""
    outgoing = Outgoing(workspace_id, kind, recipient, subject, period, json_payload(message))
    return enqueue_many(env, [outgoing])[0]


def enqueue_many(env: Env, messages: Sequence[Outgoing]) -> list[str]:
    """Queue many in one transaction (a job's morning messages: one commit, not one per person)."""
    queued = [
        outbox_store.Queued(
            workspace_id=outgoing.workspace_id,
            dedupe_key=outgoing.key,
            kind=outgoing.kind,
            channel=outgoing.recipient,
            payload=outgoing.payload,
        )
        for outgoing in messages
    ]
    with env.db.session() as session:
        outbox_store.enqueue_many(session=session, messages=queued, now=env.clock.now())
    return [outgoing.key for outgoing in messages]


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to an hour between tries."""
    return min(FIRST_BACKOFF * (2 ** max(0, attempts - 1)), LONGEST_BACKOFF)


def deliver_due(env: Env, client: WebClient, *, limit: int = 500, pacer: Pacer | None = None) -> Delivery:
    """Send what is due as of now, each message at most once; failures wait their turn."""
    pacer = pacer or Pacer()
    done = Delivery()
    now = env.clock.now()
    with env.db.session() as session:
        waiting = outbox_store.due(session=session, now=now, limit=limit)
    for message in waiting:
        assert message.id is not None
        with env.db.session() as session:
            taken = outbox_store.lease(
                session=session, message_id=message.id, seen_at=message.next_attempt_at, until=now + LEASE
            )
        if not taken:
            done.skipped += 1
            continue
        pacer.wait_for(message.channel)
        _send(env, client, message, done)
    return done


def _send(env: Env, client: WebClient, message: OutboxMessage, done: Delivery) -> None:
    assert message.id is not None
    now = env.clock.now()
    attempts = message.attempts + 1
    args = orjson.loads(message.payload)
    reply_to, update_of = args.pop(REPLY_TO, None), args.pop(UPDATE_OF, None)
    parent = _parent(env, message, reply_to or update_of, done) if reply_to or update_of else None
    if (reply_to or update_of) and parent is None:
        return
    try:
        if parent is not None and update_of:
            answer = client.chat_update(
                channel=parent.posted_channel or parent.channel, ts=parent.ts or "", **args
            )
        elif parent is not None:
            answer = client.chat_postMessage(
                channel=parent.posted_channel or parent.channel, thread_ts=parent.ts, **args
            )
        else:
            answer = client.chat_postMessage(channel=message.channel, **args)
    except SlackApiError as error:
        _failed(env, message.id, attempts, error, done)
        return
    except OSError as error:  # Slack unreachable: try again later
        _retry_later(env, message.id, attempts, str(error)[:200], now + backoff(attempts))
        done.retrying += 1
        return
    _sent(env, message, attempts, str(answer.get("ts")), str(answer.get("channel") or message.channel))
    done.sent += 1


def _parent(env: Env, message: OutboxMessage, key: str, done: Delivery) -> OutboxMessage | None:
    """The message this one replies to or replaces, once Slack has it; None (and this one waits, or
    fails with it) until then."""
    assert message.id is not None
    with env.db.session() as session:
        parent = outbox_store.by_key(session=session, workspace_id=message.workspace_id, key=key)
    if parent is not None and parent.status == outbox_store.SENT:
        return parent
    if parent is None or parent.status == outbox_store.FAILED:
        with env.db.session() as session:
            outbox_store.finish(
                session=session,
                message_id=message.id,
                status=outbox_store.FAILED,
                last_error="parent_undeliverable",
            )
        done.failed += 1
        return None
    _retry_later(env, message.id, message.attempts, "waiting_for_parent", env.clock.now() + FIRST_BACKOFF)
    done.retrying += 1
    return None


def _sent(env: Env, message: OutboxMessage, attempts: int, ts: str, channel: str) -> None:
    assert message.id is not None
    with env.db.session() as session:
        values = {
            "status": outbox_store.SENT,
            "attempts": attempts,
            "ts": ts,
            "posted_channel": channel,
            "sent_at": env.clock.now(),
        }
        outbox_store.finish(session=session, message_id=message.id, **values)
        on_posted = ON_POSTED.get(message.kind)
        if on_posted is not None:  # the message is re-rendered or answered later: keep where it is
            on_posted(session, int(subject_of(message.dedupe_key)), channel, ts)


def _failed(env: Env, message_id: int, attempts: int, error: SlackApiError, done: Delivery) -> None:
    now = env.clock.now()
    response = error.response
    code = str(response.get("error", "")) if response is not None else ""
    status = response.status_code if response is not None else 0
    if code in PERMANENT_ERRORS:
        with env.db.session() as session:
            outbox_store.finish(
                session=session,
                message_id=message_id,
                status=outbox_store.FAILED,
                attempts=attempts,
                last_error=code,
            )
        log.warning("outbox message %s refused for good: %s", message_id, code)
        done.failed += 1
        return
    wait = backoff(attempts)
    if status == 429:
        retry_after = int((response.headers or {}).get("Retry-After", 0) or 0) if response is not None else 0
        wait = timedelta(seconds=max(1, retry_after))
    _retry_later(env, message_id, attempts, code or f"HTTP {status}", now + wait)
    done.retrying += 1


def _retry_later(env: Env, message_id: int, attempts: int, error: str, at: datetime) -> None:
    with env.db.session() as session:
        outbox_store.finish(
            session=session, message_id=message_id, attempts=attempts, last_error=error, next_attempt_at=at
        )


def deliver_now(env: Env, client: WebClient, keys: Sequence[str], *, workspace_id: str) -> dict[str, str]:
    """Send these queued messages at once (a user is waiting for them); what fails waits for the
    worker's next try. Returns Slack's refusal per key for those refused for good."""
    with env.db.session() as session:
        waiting = outbox_store.pending_with_keys(session=session, workspace_id=workspace_id, keys=keys)
    done = Delivery()
    now = env.clock.now()
    for message in waiting:
        assert message.id is not None
        with env.db.session() as session:
            if not outbox_store.lease(
                session=session, message_id=message.id, seen_at=message.next_attempt_at, until=now + LEASE
            ):
                continue
        _send(env, client, message, done)
    with env.db.session() as session:
        return outbox_store.refusals(session=session, workspace_id=workspace_id, keys=keys)
