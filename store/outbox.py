"""The outbox: messages waiting for Slack, each once (dedupe keys), claimed by one sender at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import OutboxMessage
from store.sql import insert_for, one_of

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


@dataclass(frozen=True)
class Queued:
    """A message to queue: what the outbox row needs beyond its defaults."""

    workspace_id: str
    dedupe_key: str
    kind: str
    channel: str
    payload: str  # the chat.postMessage arguments, JSON


def enqueue_many(*, session: Session, messages: Sequence[Queued], now: datetime) -> None:
    """Add many in one statement executed with every row (a job's morning messages), each unless its
    dedupe key is already there. Plain rows, not OutboxMessage instances: building a model per message
    cost more than the INSERT for a thousand of them (and dataclasses.asdict deep-copies every field)."""
    if not messages:
        return
    rows = [
        {
            "workspace_id": message.workspace_id,
            "dedupe_key": message.dedupe_key,
            "kind": message.kind,
            "channel": message.channel,
            "payload": message.payload,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "ts": None,
            "posted_channel": None,
            "created_at": now,
            "sent_at": None,
        }
        for message in messages
    ]
    session.execute(insert_for(session)(OutboxMessage.__table__).on_conflict_do_nothing(), rows)  # type: ignore[attr-defined]


def due(*, session: Session, now: datetime, limit: int) -> Sequence[OutboxMessage]:
    return session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.status) == PENDING, col(OutboxMessage.next_attempt_at) <= now)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    ).all()


def lease(*, session: Session, message_id: int, seen_at: datetime, until: datetime) -> bool:
    """Take the message for sending if no other sender took it since it was read (a conditional UPDATE):
    a second worker started by mistake skips it instead of sending it twice."""
    result = session.execute(
        sa.update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.status) == PENDING,
            col(OutboxMessage.next_attempt_at) == seen_at,
        )
        .values(next_attempt_at=until)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def finish(*, session: Session, message_id: int, **values: object) -> None:
    session.execute(sa.update(OutboxMessage).where(col(OutboxMessage.id) == message_id).values(**values))


def undeliverable(*, session: Session, workspace_id: str, limit: int) -> Sequence[OutboxMessage]:
    """Messages Slack refused for good, newest first (for the admins)."""
    return session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.workspace_id) == workspace_id, col(OutboxMessage.status) == FAILED)
        .order_by(col(OutboxMessage.created_at).desc())
        .limit(limit)
    ).all()


def pending_with_keys(*, session: Session, workspace_id: str, keys: Sequence[str]) -> Sequence[OutboxMessage]:
    return session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.workspace_id) == workspace_id,
            col(OutboxMessage.dedupe_key).in_(list(keys)),
            col(OutboxMessage.status) == PENDING,
        )
        .order_by(col(OutboxMessage.id))
    ).all()


def refusals(*, session: Session, workspace_id: str, keys: Sequence[str]) -> dict[str, str]:
    rows = session.exec(
        select(OutboxMessage.dedupe_key, OutboxMessage.last_error).where(
            col(OutboxMessage.workspace_id) == workspace_id,
            col(OutboxMessage.dedupe_key).in_(list(keys)),
            col(OutboxMessage.status) == FAILED,
        )
    ).all()
    return dict(rows)


def replace_pending_payload(*, session: Session, workspace_id: str, key: str, payload: str) -> None:
    """A message not sent yet is sent as it reads now (an announcement whose rows changed meanwhile)."""
    session.execute(
        sa.update(OutboxMessage)
        .where(
            col(OutboxMessage.workspace_id) == workspace_id,
            col(OutboxMessage.dedupe_key) == key,
            col(OutboxMessage.status) == PENDING,
        )
        .values(payload=payload)
    )


def sent_keys(*, session: Session, workspace_id: str, keys: Sequence[str]) -> set[str]:
    """Which of these dedupe keys are already queued (sent or not): a job skips their work."""
    if not keys:
        return set()
    rows = session.exec(
        select(OutboxMessage.dedupe_key).where(
            col(OutboxMessage.workspace_id) == workspace_id,
            one_of(session, col(OutboxMessage.dedupe_key), keys),
        )
    ).all()
    return set(rows)


def by_key(*, session: Session, workspace_id: str, key: str) -> OutboxMessage | None:
    return session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.workspace_id) == workspace_id, col(OutboxMessage.dedupe_key) == key
        )
    ).first()
