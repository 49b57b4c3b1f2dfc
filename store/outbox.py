"""The outbox: messages waiting for Slack, each once (dedupe keys), claimed by one sender at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import OutboxFile, OutboxImage, OutboxMessage, Workspace
from store.sql import Bind, insert_for, is_postgresql, one_of

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


def enqueue_many(*, session: Bind, messages: Sequence[Queued], now: datetime) -> None:
    """Add many in one statement executed with every row (a job's morning messages), each unless its
    dedupe key is already there; in the caller's transaction (a session, or the claim's Core connection),
    so a message is queued if and only if the change it reports is committed. Plain rows, not OutboxMessage instances: building a model per message
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
            "possible_duplicate": False,
        }
        for message in messages
    ]
    session.execute(insert_for(session)(OutboxMessage.__table__).on_conflict_do_nothing(), rows)  # type: ignore[attr-defined]


def _free(now: datetime) -> sa.ColumnElement[bool]:
    """Pending, due, not leased by a sender (or its lease is over), and of a workspace still installed."""
    return sa.and_(
        col(OutboxMessage.status) == PENDING,
        col(OutboxMessage.next_attempt_at) <= now,
        sa.or_(col(OutboxMessage.leased_until).is_(None), col(OutboxMessage.leased_until) <= now),
        col(OutboxMessage.workspace_id).not_in(select(Workspace.id).where(col(Workspace.active).is_(False))),
    )


def due(
    *, session: Session, now: datetime, limit: int, workspace_id: str | None = None
) -> Sequence[OutboxMessage]:
    """What a sender may take now (of one workspace, if named), oldest first. Read without a lease:
    each is taken (`take`) just before it is sent."""
    of_workspace = sa.true() if workspace_id is None else col(OutboxMessage.workspace_id) == workspace_id
    return session.exec(
        select(OutboxMessage)
        .where(_free(now), of_workspace)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    ).all()


def take(
    *, session: Session, message_id: int, owner: str, now: datetime, until: datetime
) -> OutboxMessage | None:
    """Lease the message to `owner` until `until` if it is still free as of `now` (a conditional
    UPDATE: of two senders, one takes it; on PostgreSQL a row another transaction is taking is
    skipped, not waited for). The message as it stands, or None when someone else has it."""
    free = sa.and_(col(OutboxMessage.id) == message_id, _free(now))
    if is_postgresql(session):
        locked = select(OutboxMessage.id).where(free).with_for_update(skip_locked=True)
        free = col(OutboxMessage.id).in_(locked)
    result = session.execute(
        sa.update(OutboxMessage).where(free).values(lease_owner=owner, leased_until=until)
    )
    if int(result.rowcount) != 1:  # type: ignore[attr-defined]
        return None
    return session.get(OutboxMessage, message_id)


def mark_posting(*, session: Session, message_id: int, at: datetime) -> None:
    """About to post: until Slack's answer is recorded, a later sender treats the post as in doubt."""
    session.execute(
        sa.update(OutboxMessage).where(col(OutboxMessage.id) == message_id).values(posting_since=at)
    )


def finish(*, session: Session, message_id: int, **values: object) -> None:
    """Record a send's outcome and give the lease back."""
    values = {"lease_owner": None, "leased_until": None, **values}
    session.execute(sa.update(OutboxMessage).where(col(OutboxMessage.id) == message_id).values(**values))


def possible_duplicates(*, session: Session, workspace_id: str, since: datetime) -> int:
    """Posts sent again since `since` without the history to rule out that Slack already had them."""
    found = session.execute(
        select(sa.func.count())
        .select_from(OutboxMessage)
        .where(
            col(OutboxMessage.workspace_id) == workspace_id,
            col(OutboxMessage.possible_duplicate).is_(True),
            col(OutboxMessage.created_at) >= since,
        )
    ).scalar_one()
    return int(found)


def undeliverable(*, session: Session, workspace_id: str, limit: int) -> Sequence[OutboxMessage]:
    """Messages Slack refused for good, newest first (for the admins)."""
    return session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.workspace_id) == workspace_id, col(OutboxMessage.status) == FAILED)
        .order_by(col(OutboxMessage.created_at).desc())
        .limit(limit)
    ).all()


def pending_with_keys(*, session: Session, workspace_id: str, keys: Sequence[str]) -> Sequence[OutboxMessage]:
    where = _keyed(workspace_id, keys, PENDING)
    return session.exec(select(OutboxMessage).where(*where).order_by(col(OutboxMessage.id))).all()


def refusals(*, session: Session, workspace_id: str, keys: Sequence[str]) -> dict[str, str]:
    where = _keyed(workspace_id, keys, FAILED)
    rows = session.exec(select(OutboxMessage.dedupe_key, OutboxMessage.last_error).where(*where)).all()
    return dict(rows)


def _keyed(workspace_id: str, keys: Sequence[str], status: str) -> tuple[sa.ColumnElement[bool], ...]:
    """The workspace's messages with one of these dedupe keys, in this status."""
    return (
        col(OutboxMessage.workspace_id) == workspace_id,
        col(OutboxMessage.dedupe_key).in_(list(keys)),
        col(OutboxMessage.status) == status,
    )


def replace_pending_payload(*, session: Bind, workspace_id: str, key: str, payload: str) -> None:
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


def postpone(*, session: Session, message_id: int, until: datetime) -> None:
    """Not before `until` (quiet hours): the lease given back, no attempt counted."""
    session.execute(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(next_attempt_at=until, lease_owner=None, leased_until=None)
    )


def add_images(
    *, session: Bind, workspace_id: str, images: Sequence[tuple[bytes, str, str]], now: datetime
) -> list[int]:
    """Keep a message's images (png, filename, title) with it; their ids, in order."""
    return _keep(session, OutboxImage, "png", workspace_id, images, now)


def _keep(
    session: Bind, model: type[OutboxImage] | type[OutboxFile], content_column: str, workspace_id: str,
    rows: Sequence[tuple[bytes, str, str]], now: datetime,
) -> list[int]:  # fmt: skip
    table = model.__table__  # type: ignore[union-attr]
    insert = sa.insert(table).returning(table.c.id)
    return [
        int(
            session.execute(
                insert.values(
                    {
                        "workspace_id": workspace_id,
                        content_column: content,
                        "filename": filename,
                        "title": title,
                        "created_at": now,
                    }
                )
            ).scalar_one()
        )  # fmt: skip
        for content, filename, title in rows
    ]


def images(*, session: Session, ids: Sequence[int]) -> Sequence[OutboxImage]:
    return session.exec(select(OutboxImage).where(col(OutboxImage.id).in_(list(ids)))).all()


def uploaded(*, session: Session, image_id: int, file_id: str, now: datetime) -> None:
    session.execute(
        sa.update(OutboxImage).where(col(OutboxImage.id) == image_id).values(file_id=file_id, uploaded_at=now)
    )


def add_files(
    *, session: Bind, workspace_id: str, files: Sequence[tuple[bytes, str, str]], now: datetime
) -> list[int]:
    """Keep the files a message shares (content, filename, title) with it; their ids, in order."""
    return _keep(session, OutboxFile, "content", workspace_id, files, now)


def shared_files(*, session: Session, ids: Sequence[int]) -> Sequence[OutboxFile]:
    return session.exec(select(OutboxFile).where(col(OutboxFile.id).in_(list(ids)))).all()


def file_uploaded(*, session: Session, file_row_id: int, file_id: str, permalink: str, now: datetime) -> None:
    session.execute(
        sa.update(OutboxFile)
        .where(col(OutboxFile.id) == file_row_id)
        .values(file_id=file_id, permalink=permalink, uploaded_at=now)
    )
