"""What `python -m bot status` and the metrics read about the machinery: the outbox's figures and the
messages Slack refused. Installation-wide (every workspace's), one aggregate statement each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from store.models.outbox import OutboxMessage
from store.outbox import FAILED, PENDING, SENT

OUTBOX: sa.Table = OutboxMessage.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutboxFigures:
    pending: int
    retrying: int  # pending after at least one failed try
    oldest_pending_at: datetime | None
    sent_since: int  # sent since the moment asked about
    refused: int  # refused for good (Slack said no, or the message it answers never got there)


@dataclass(frozen=True)
class Refusal:
    workspace_id: str
    kind: str
    channel: str
    error: str
    queued_at: datetime


def outbox_figures(connection: sa.Connection, *, since: datetime) -> OutboxFigures:
    c = OUTBOX.c
    pending = c.status == PENDING
    row = connection.execute(
        sa.select(
            sa.func.count().filter(pending),
            sa.func.count().filter(pending, c.attempts > 0),
            sa.func.min(c.created_at).filter(pending),
            sa.func.count().filter(c.status == SENT, c.sent_at >= since),
            sa.func.count().filter(c.status == FAILED),
        )
    ).one()
    return OutboxFigures(*row)


def latest_refusals(connection: sa.Connection, *, limit: int) -> list[Refusal]:
    c = OUTBOX.c
    query = (
        sa.select(c.workspace_id, c.kind, c.channel, c.last_error, c.created_at)
        .where(c.status == FAILED)
        .order_by(c.id.desc())
        .limit(limit)
    )
    return [Refusal(*row) for row in connection.execute(query)]
