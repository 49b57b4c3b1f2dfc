"""Forgetting what only the machinery needed: sent outbox rows and job marks past their age. Each
delete is set-based, a chunk at a time (a first run after years frees many rows without one long lock)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from store.models.marks import JobMark
from store.models.outbox import OutboxFile, OutboxImage, OutboxMessage
from store.outbox import SENT

CHUNK = 5_000
OUTBOX: sa.Table = OutboxMessage.__table__  # type: ignore[attr-defined]
MARKS: sa.Table = JobMark.__table__  # type: ignore[attr-defined]
IMAGES: sa.Table = OutboxImage.__table__  # type: ignore[attr-defined]
FILES: sa.Table = OutboxFile.__table__  # type: ignore[attr-defined]


def forget_sent(connection: sa.Connection, *, before: datetime, kept_kinds: Collection[str]) -> int:
    """Delete up to CHUNK messages sent before `before`, except those of `kept_kinds`; how many went."""
    old = sa.select(OUTBOX.c.id).where(
        OUTBOX.c.status == SENT, OUTBOX.c.sent_at < before, OUTBOX.c.kind.not_in(list(kept_kinds))
    )
    return _delete_chunk(connection, OUTBOX, OUTBOX.c.id, old)


def forget_images(connection: sa.Connection, *, before: datetime) -> int:
    """Delete up to CHUNK images uploaded before `before` (Slack has them; an image never uploaded stays
    with its message until it is sent)."""
    old = sa.select(IMAGES.c.id).where(IMAGES.c.uploaded_at < before)
    return _delete_chunk(connection, IMAGES, IMAGES.c.id, old)


def forget_files(connection: sa.Connection, *, before: datetime) -> int:
    """Delete up to CHUNK shared files uploaded before `before` (Slack keeps them where they were
    shared; one never uploaded stays with its message until it is sent)."""
    old = sa.select(FILES.c.id).where(FILES.c.uploaded_at < before)
    return _delete_chunk(connection, FILES, FILES.c.id, old)


def forget_job_marks(connection: sa.Connection, *, before: datetime) -> int:
    """Delete up to CHUNK marks of work done before `before`; how many went."""
    old = sa.select(MARKS.c.workspace_id, MARKS.c.job, MARKS.c.period).where(MARKS.c.done_at < before)
    key = sa.tuple_(MARKS.c.workspace_id, MARKS.c.job, MARKS.c.period)
    return _delete_chunk(connection, MARKS, key, old)


def _delete_chunk(connection: sa.Connection, table: sa.Table, key: Any, old: sa.Select[Any]) -> int:
    """DELETE ... WHERE key IN (the first CHUNK rows `old` selects)."""
    chunk = old.limit(CHUNK).scalar_subquery() if len(old.selected_columns) == 1 else old.limit(CHUNK)
    return connection.execute(table.delete().where(key.in_(chunk))).rowcount
