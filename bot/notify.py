"""Sending what the bot says on its own to Slack: the outbox's sender.

Every message is queued (`enqueue`, `enqueue_many`) in the same transaction as the change it reports,
so it exists if and only if the change was committed; `deliver_due` (the worker's `outbox` job) and
`deliver_now` (a person is waiting) send it. What is true of delivery, exactly:

- A message is taken by one sender at a time: a conditional UPDATE leases it from the clock at the
  moment of taking (`LEASE`, longer than a request to Slack may last), just before it is sent.
- Each is retried until Slack has it or refuses it for good: 429 waits for Retry-After; server errors
  and network failures back off from 30 s to an hour; refusals that will not change (an archived
  channel, invalid blocks) are recorded as undeliverable for the admins.
- A post that may have reached Slack without being marked sent (the sender died, or no answer came)
  is *in doubt*. Every post carries message metadata (`METADATA_EVENT` and its dedupe key); before an
  in-doubt post is sent again, its conversation's recent history is read and, if the post is there, it
  is marked sent with that ts. When the history cannot be read, the post is sent again and flagged
  as a possible duplicate (counted on the admins' Home). `chat.update` is idempotent: simply retried.
- Posts to one channel are paced a second apart, and fifty a second in a workspace.
- Messages of an uninstalled workspace stay queued and are not sent until it is active again.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlmodel import Session

from bot.env import Env
from store import outbox as outbox_store
from store.models import OutboxMessage
from store.sql import Bind

log = logging.getLogger("tidewater.notify")


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
    looked_up: int = 0  # posts in doubt looked for in their conversation's history
    found: int = 0  # of those, already in Slack: marked sent, not posted again


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
# Every post carries this in its Slack message metadata, with its dedupe key: a post in doubt is looked
# for in the conversation before it is sent again.
METADATA_EVENT = "tidewater_message"


@dataclass(frozen=True)
class Rendered:
    """A message drawn at the moment it is sent, and what it showed (to see whether it is still current)."""

    message: dict[str, Any]
    shows: object


@dataclass(frozen=True)
class Kind:
    """What the sender needs from the feature that queues a kind of message: what to keep once it is
    posted (`posted(session, subject id, channel, ts)`), and, for a message drawn when it is sent
    rather than when it is queued, how to draw it (`render(env, subject id)`)."""

    posted: Callable[[Session, int, str, str], None] | None = None
    render: Callable[[Env, int], Rendered] | None = None


KINDS: dict[str, Kind] = {}


def register_kind(name: str, kind: Kind) -> None:
    """Called by the feature module that queues messages of this kind, when it is imported."""
    KINDS[name] = kind


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
    session: Bind | None = None,
) -> str:
    """Queue a message once per (kind, recipient, subject, period); queuing it again does nothing.
    With `session`, in that transaction (the change the message reports); else in its own.
    Returns the dedupe key (to send it at once with `deliver_now`)."""
    outgoing = Outgoing(workspace_id, kind, recipient, subject, period, json_payload(message))
    return enqueue_many(env, [outgoing], session=session)[0]


def enqueue_many(env: Env, messages: Sequence[Outgoing], *, session: Bind | None = None) -> list[str]:
    """Queue many in one transaction (a job's morning messages: one commit, not one per person): the
    caller's `session` when given, else one of their own."""
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
    if session is not None:
        outbox_store.enqueue_many(session=session, messages=queued, now=env.clock.now())
    else:
        with env.db.session() as own:
            outbox_store.enqueue_many(session=own, messages=queued, now=env.clock.now())
    return [outgoing.key for outgoing in messages]


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to an hour between tries."""
    return min(FIRST_BACKOFF * (2 ** max(0, attempts - 1)), LONGEST_BACKOFF)


def without_retries(client: WebClient) -> WebClient:
    """The same client without slack_sdk's retries after a dropped connection or a server error: for a
    post that Slack took, such a retry is a second post. The outbox decides itself what to try again,
    and looks for a post in doubt first. A retry after a 429 is kept: Slack did not take that post."""
    kept: list[RetryHandler] = [h for h in client.retry_handlers if isinstance(h, RateLimitErrorRetryHandler)]
    if kept == client.retry_handlers:
        return client
    return WebClient(
        token=client.token, base_url=client.base_url, timeout=client.timeout, retry_handlers=kept
    )


def sender_name() -> str:
    """Who holds a lease: this process and a random part (two senders in one process differ too)."""
    return f"{socket.gethostname()[:16]}:{os.getpid()}:{secrets.token_hex(3)}"[:32]


def deliver_due(env: Env, client: WebClient, *, limit: int = 500, pacer: Pacer | None = None) -> Delivery:
    """Send what is due, each message taken just before it is sent (its lease runs from that moment,
    however long the run), so a second sender never takes what this one is sending."""
    pacer = pacer or Pacer()
    done = Delivery()
    owner = sender_name()
    client = without_retries(client)
    with env.db.session() as session:
        waiting = outbox_store.due(session=session, now=env.clock.now(), limit=limit)
    for message in waiting:
        assert message.id is not None
        pacer.wait_for(message.channel)
        _take_and_send(env, client, message.id, owner, done)
    return done


def deliver_now(env: Env, client: WebClient, keys: Sequence[str], *, workspace_id: str) -> dict[str, str]:
    """Send these queued messages at once (a user is waiting for them); what fails waits for the
    worker's next try. Returns Slack's refusal per key for those refused for good."""
    with env.db.session() as session:
        waiting = outbox_store.pending_with_keys(session=session, workspace_id=workspace_id, keys=keys)
    done = Delivery()
    owner = sender_name()
    client = without_retries(client)
    for message in waiting:
        assert message.id is not None
        _take_and_send(env, client, message.id, owner, done)
    with env.db.session() as session:
        return outbox_store.refusals(session=session, workspace_id=workspace_id, keys=keys)


def _take_and_send(env: Env, client: WebClient, message_id: int, owner: str, done: Delivery) -> None:
    now = env.clock.now()
    with env.db.session() as session:
        message = outbox_store.take(
            session=session, message_id=message_id, owner=owner, now=now, until=now + LEASE
        )
        if message is not None:
            session.expunge(message)
    if message is None:
        done.skipped += 1
        return
    _send(env, client, message, done)


@dataclass(frozen=True)
class Target:
    """Where a message goes: the conversation, and the thread or message it answers or replaces."""

    channel: str
    thread_ts: str | None = None
    update_ts: str | None = None
    parent_key: str | None = None


def _send(env: Env, client: WebClient, message: OutboxMessage, done: Delivery) -> None:
    args = orjson.loads(message.payload)
    reply_to, update_of = args.pop(REPLY_TO, None), args.pop(UPDATE_OF, None)
    target = Target(message.channel)
    if reply_to or update_of:
        parent = _parent(env, message, reply_to or update_of, done)
        if parent is None:
            return
        channel = parent.posted_channel or parent.channel
        target = Target(
            channel, parent.ts if reply_to else None, parent.ts if update_of else None, parent.dedupe_key
        )
    kind = KINDS.get(message.kind)
    if kind is not None and kind.render is not None:
        _send_rendered(env, client, message, target, kind.render, done)
    elif target.update_ts:
        _update(env, client, message, target, args, done)
    else:
        _post(env, client, message, target, args, done)


def _metadata(key: str) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}


def _post(
    env: Env, client: WebClient, message: OutboxMessage, target: Target, args: dict[str, Any], done: Delivery
) -> None:
    """chat.postMessage is not idempotent: a post that may already be in Slack is looked for first."""
    assert message.id is not None
    again = False
    if message.posting_since is not None:
        found = _look_for(client, message, target, done)
        if isinstance(found, tuple):
            _sent(env, message, message.attempts, *found)
            done.found += 1
            return
        again = found is Unreadable
    with env.db.session() as session:
        outbox_store.mark_posting(session=session, message_id=message.id, at=env.clock.now())
    try:
        answer = client.chat_postMessage(
            channel=target.channel, thread_ts=target.thread_ts, metadata=_metadata(message.dedupe_key), **args
        )
    except (SlackApiError, OSError) as error:
        _not_sent(env, message, error, done, in_doubt=_may_have_posted(error))
        return
    _sent(
        env,
        message,
        message.attempts + 1,
        str(answer.get("ts")),
        str(answer.get("channel") or target.channel),
    )
    if again:
        _flag_possible_duplicate(env, message.id)
    done.sent += 1


def _update(
    env: Env, client: WebClient, message: OutboxMessage, target: Target, args: dict[str, Any], done: Delivery
) -> None:
    """chat.update is idempotent: sent again as often as it takes. It keeps the original's metadata."""
    metadata = _metadata(target.parent_key) if target.parent_key else None
    try:
        answer = client.chat_update(
            channel=target.channel, ts=target.update_ts or "", metadata=metadata, **args
        )
    except (SlackApiError, OSError) as error:
        _not_sent(env, message, error, done, in_doubt=False)
        return
    _sent(env, message, message.attempts + 1, str(answer.get("ts")), target.channel)
    done.sent += 1


CURRENT_WITHIN = 3  # updates of a message drawn when sent, until what it shows stops changing


def _send_rendered(
    env: Env,
    client: WebClient,
    message: OutboxMessage,
    target: Target,
    render: Callable[[Env, int], Rendered],
    done: Delivery,
) -> None:
    """A message drawn from the database now (an announcement after a claim). Two senders may update
    it in either order; whoever updates last draws it again afterwards and, if it changed meanwhile,
    updates once more."""
    subject = int(subject_of(message.dedupe_key))
    for _ in range(CURRENT_WITHIN):
        drawn = render(env, subject)
        if target.update_ts:
            _update(env, client, message, target, drawn.message, done)
        else:
            _post(env, client, message, target, drawn.message, done)
            return
        if render(env, subject).shows == drawn.shows:
            return


class _Unreadable:
    """The conversation's history could not be read: the post is sent again, flagged."""


Unreadable = _Unreadable()


def _look_for(
    client: WebClient, message: OutboxMessage, target: Target, done: Delivery
) -> tuple[str, str] | _Unreadable | None:
    """The (ts, channel) of this post if it is already in the conversation (found by its metadata)."""
    done.looked_up += 1
    assert message.posting_since is not None
    oldest = f"{(message.posting_since - LOOK_BACK).timestamp():.6f}"
    try:
        conversation = _conversation(client, target.channel)
        for page in _history_pages(client, conversation, target.thread_ts, oldest):
            for posted in page:
                metadata = posted.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == message.dedupe_key:
                    return str(posted["ts"]), conversation
    except (SlackApiError, OSError) as error:
        log.warning("could not read the history of %s for message %s: %s", target.channel, message.id, error)
        return Unreadable
    return None


LOOK_BACK = timedelta(minutes=10)  # a post in doubt is looked for from a little before it was sent
HISTORY_PAGES = 5


def _conversation(client: WebClient, channel: str) -> str:
    """A DM is posted to the user's id; its history is read from the D… conversation."""
    if channel[:1] in ("U", "W"):
        return str(client.conversations_open(users=channel)["channel"]["id"])
    return channel


def _history_pages(
    client: WebClient, conversation: str, thread_ts: str | None, oldest: str
) -> Iterator[list[dict[str, Any]]]:
    cursor = None
    for _ in range(HISTORY_PAGES):
        if thread_ts:
            answer = client.conversations_replies(
                channel=conversation,
                ts=thread_ts,
                oldest=oldest,
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
        else:
            answer = client.conversations_history(
                channel=conversation, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
            )
        yield list(answer.get("messages") or [])
        cursor = (answer.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


def _may_have_posted(error: Exception) -> bool:
    """No answer (a timeout, a dropped connection) or a server error: Slack may have the post."""
    if isinstance(error, SlackApiError):
        response = error.response
        return response is None or response.status_code >= 500
    return True


def _parent(env: Env, message: OutboxMessage, key: str, done: Delivery) -> OutboxMessage | None:
    """The message this one replies to or replaces, once Slack has it; None (and this one waits, or
    fails with it) until then."""
    assert message.id is not None
    with env.db.session() as session:
        parent = outbox_store.by_key(session=session, workspace_id=message.workspace_id, key=key)
        if parent is not None:
            session.expunge(parent)
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
            "posting_since": None,
            "sent_at": env.clock.now(),
        }
        outbox_store.finish(session=session, message_id=message.id, **values)
        kind = KINDS.get(message.kind)
        if kind is not None and kind.posted is not None:  # re-rendered or answered later: keep where it is
            kind.posted(session, int(subject_of(message.dedupe_key)), channel, ts)


def _flag_possible_duplicate(env: Env, message_id: int) -> None:
    with env.db.session() as session:
        outbox_store.finish(session=session, message_id=message_id, possible_duplicate=True)


def _not_sent(env: Env, message: OutboxMessage, error: Exception, done: Delivery, *, in_doubt: bool) -> None:
    """Refused for good, or tried again later; a post that may be in Slack stays in doubt."""
    assert message.id is not None
    attempts = message.attempts + 1
    kept = {} if in_doubt else {"posting_since": None}
    response = error.response if isinstance(error, SlackApiError) else None
    code = str(response.get("error", "")) if response is not None else ""
    if code in PERMANENT_ERRORS:
        with env.db.session() as session:
            outbox_store.finish(
                session=session,
                message_id=message.id,
                status=outbox_store.FAILED,
                attempts=attempts,
                last_error=code,
                **kept,
            )
        log.warning("outbox message %s refused for good: %s", message.id, code)
        done.failed += 1
        return
    wait = backoff(attempts)
    if response is not None and response.status_code == 429:
        wait = timedelta(seconds=max(1, int((response.headers or {}).get("Retry-After", 0) or 0)))
    reason = code or (f"HTTP {response.status_code}" if response is not None else str(error)[:200])
    _retry_later(env, message.id, attempts, reason, env.clock.now() + wait, **kept)
    done.retrying += 1


def _retry_later(
    env: Env, message_id: int, attempts: int, error: str, at: datetime, **values: object
) -> None:
    with env.db.session() as session:
        outbox_store.finish(
            session=session,
            message_id=message_id,
            attempts=attempts,
            last_error=error,
            next_attempt_at=at,
            **values,
        )
