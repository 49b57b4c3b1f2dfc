"""The outbox's sender: each message leased just before it is sent, posted or updated, retried with
backoff or refused for good, a post in doubt looked for first (the guarantee is in the package's
docstring)."""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.env import Env
from bot.notify import uploads
from bot.notify.doubt import Unreadable, UnreadableHistory, look_for, may_have_posted
from bot.notify.kinds import KINDS, METADATA_EVENT, REPLY_TO, UPDATE_OF, Rendered, subject_of
from bot.notify.pacing import Pacer
from store import outbox as outbox_store
from store.models.outbox import OutboxMessage

log = logging.getLogger("tidewater.notify")


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


def lease(env: Env) -> timedelta:
    """How long a sender holds a message it took: a sender that dies mid-send gives it back after this."""
    return timedelta(seconds=env.settings.outbox_lease_seconds)


@dataclass
class Delivery:
    """What one run of the sender did, for its one-line log."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # taken by another sender meanwhile
    held: int = 0  # quiet hours: put off until the reader's working hours
    looked_up: int = 0  # posts in doubt looked for in their conversation's history
    found: int = 0  # of those, already in Slack: marked sent, not posted again


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to an hour between tries."""
    doublings = min(max(0, attempts - 1), 12)  # 30 s × 2¹² is past the hour: no larger factor is needed
    return min(FIRST_BACKOFF * (1 << doublings), LONGEST_BACKOFF)


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
        waiting = outbox_store.due(
            session=session, now=env.clock.now(), limit=limit, workspace_id=env.only_workspace
        )
    for message in waiting:
        pacer.wait_for(message.channel)
        _take_and_send(env, client, _id(message), owner, done)
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
        _take_and_send(env, client, _id(message), owner, done)
    with env.db.session() as session:
        return outbox_store.refusals(session=session, workspace_id=workspace_id, keys=keys)


def _take_and_send(env: Env, client: WebClient, message_id: int, owner: str, done: Delivery) -> None:
    now = env.clock.now()
    with env.db.session() as session:
        message = outbox_store.take(
            session=session, message_id=message_id, owner=owner, now=now, until=now + lease(env)
        )
        if message is not None:
            session.expunge(message)
    if message is None:
        done.skipped += 1
        return
    later = _QUIET[0](env, message, now) if _QUIET else None
    if later is not None and later > now:
        with env.db.session() as session:
            outbox_store.postpone(session=session, message_id=message_id, until=later)
        done.held += 1
        return
    speaking = _CLIENT_FOR[0](env, client, message.workspace_id) if _CLIENT_FOR else client
    if speaking is None:  # installed nowhere now: it waits, as an uninstalled workspace's messages do
        _retry_later(env, message_id, message.attempts, "not_installed", now + LONGEST_BACKOFF)
        done.retrying += 1
        return
    _send(env, speaking, message, done)


# Whose bot token speaks in a message's workspace (many workspaces: its installation's), decided by the
# features (bot.messaging.clients registers it): the client to send with, None when not installed.
ClientFor = Callable[[Env, WebClient, str], WebClient | None]
_CLIENT_FOR: list[ClientFor] = []


def register_client_for(choose: ClientFor) -> None:
    _CLIENT_FOR[:] = [choose]


# Quiet hours, decided by the features (bot.messaging.quiet registers it): when a message may go, if
# not now. The sender knows no feature's tables, so it asks.
QuietHours = Callable[[Env, OutboxMessage, datetime], datetime | None]
_QUIET: list[QuietHours] = []


def register_quiet_hours(decide: QuietHours) -> None:
    _QUIET[:] = [decide]


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
    if uploads.has_uploads(message.payload):
        try:
            args = uploads.with_uploads(env, client, message.payload, args)
        except (SlackApiError, OSError) as error:
            _not_sent(env, message, error, done, in_doubt=False)
            return
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
    earlier = _earlier_post(client, message, target, done)
    if isinstance(earlier, tuple):
        _sent(env, message, message.attempts, *earlier)
        done.found += 1
        return
    with env.db.session() as session:
        outbox_store.mark_posting(session=session, message_id=_id(message), at=env.clock.now())
    try:
        answer = client.chat_postMessage(
            channel=target.channel, thread_ts=target.thread_ts, metadata=_metadata(message.dedupe_key), **args
        )
    except (SlackApiError, OSError) as error:
        _not_sent(env, message, error, done, in_doubt=may_have_posted(error))
        return
    _sent(
        env,
        message,
        message.attempts + 1,
        str(answer.get("ts")),
        str(answer.get("channel") or target.channel),
    )
    if earlier is Unreadable:  # it may have been posted before: the admins are told of a possible duplicate
        _finish(env, _id(message), possible_duplicate=True)
    done.sent += 1


def _earlier_post(
    client: WebClient, message: OutboxMessage, target: Target, done: Delivery
) -> tuple[str, str] | UnreadableHistory | None:
    """Where a post in doubt (begun, never confirmed) already is in Slack, if it is."""
    if message.posting_since is None:
        return None
    done.looked_up += 1
    return look_for(client, message, target.channel, target.thread_ts)


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


def _parent(env: Env, message: OutboxMessage, key: str, done: Delivery) -> OutboxMessage | None:
    """The message this one replies to or replaces, once Slack has it; None (and this one waits, or
    fails with it) until then."""
    with env.db.session() as session:
        parent = outbox_store.by_key(session=session, workspace_id=message.workspace_id, key=key)
        if parent is not None:
            session.expunge(parent)
    if parent is not None and parent.status == outbox_store.SENT:
        return parent
    if parent is None or parent.status == outbox_store.FAILED:
        _finish(env, _id(message), status=outbox_store.FAILED, last_error="parent_undeliverable")
        done.failed += 1
        return None
    _retry_later(env, _id(message), message.attempts, "waiting_for_parent", env.clock.now() + FIRST_BACKOFF)
    done.retrying += 1
    return None


def _sent(env: Env, message: OutboxMessage, attempts: int, ts: str, channel: str) -> None:
    sent = {"attempts": attempts, "ts": ts, "posted_channel": channel, "posting_since": None}
    with env.db.session() as session:
        finished = {"status": outbox_store.SENT, "sent_at": env.clock.now(), **sent}
        outbox_store.finish(session=session, message_id=_id(message), **finished)
        kind = KINDS.get(message.kind)
        if kind is not None and kind.posted is not None:  # re-rendered or answered later: keep where it is
            kind.posted(session, int(subject_of(message.dedupe_key)), channel, ts)


def _not_sent(env: Env, message: OutboxMessage, error: Exception, done: Delivery, *, in_doubt: bool) -> None:
    """Refused for good, or tried again later; a post that may be in Slack stays in doubt."""
    attempts = message.attempts + 1
    kept: dict[str, Any] = {} if in_doubt else {"posting_since": None}
    response = error.response if isinstance(error, SlackApiError) else None
    code = str(response.get("error", "")) if response is not None else ""
    if code in PERMANENT_ERRORS:
        _finish(env, _id(message), status=outbox_store.FAILED, attempts=attempts, last_error=code, **kept)
        log.warning("outbox message %s refused for good: %s", message.id, code)
        done.failed += 1
        return
    reason = code or (f"HTTP {response.status_code}" if response is not None else str(error)[:200])
    _retry_later(env, _id(message), attempts, reason, env.clock.now() + _wait(response, attempts), **kept)
    done.retrying += 1


def _wait(response: Any, attempts: int) -> timedelta:
    """Slack's Retry-After after a 429 (at least a second); otherwise the backoff."""
    if response is not None and response.status_code == 429:
        return timedelta(seconds=max(1, int((response.headers or {}).get("Retry-After", 0) or 0)))
    return backoff(attempts)


def _retry_later(env: Env, message_id: int, attempts: int, error: str, at: datetime, **values: Any) -> None:
    _finish(env, message_id, attempts=attempts, last_error=error, next_attempt_at=at, **values)


def _finish(env: Env, message_id: int, **values: Any) -> None:
    """Write what became of a message, in a transaction of its own."""
    with env.db.session() as session:
        outbox_store.finish(session=session, message_id=message_id, **values)


def _id(message: OutboxMessage) -> int:
    """A message read from the outbox has its id (a type the checker cannot see)."""
    assert message.id is not None
    return message.id
