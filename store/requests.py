"""Request marks: what Slack sent once, so that a replay of it writes nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from store.models import RequestMark
from store.sql import Bind, insert_for

REQUEST_MARK = RequestMark.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Seen:
    """A request met before, with the ack answer kept for it (None while it runs, or when it had none)."""

    answer: str | None


def _this(workspace_id: str, key: str) -> sa.ColumnElement[bool]:
    return sa.and_(REQUEST_MARK.c.workspace_id == workspace_id, REQUEST_MARK.c.key == key)


def mark_request(*, bind: Bind, workspace_id: str, key: str, now: datetime) -> Seen | None:
    """Mark the request as seen: None the first time, else what the first one left. The insert decides,
    so of two copies arriving at once exactly one is the first."""
    inserted = bind.execute(
        insert_for(bind)(REQUEST_MARK)
        .values(workspace_id=workspace_id, key=key, seen_at=now)
        .on_conflict_do_nothing()
        .returning(REQUEST_MARK.c.key)  # psycopg reports no row count for this statement
    ).first()
    if inserted is not None:
        return None
    answer = bind.execute(sa.select(REQUEST_MARK.c.answer).where(_this(workspace_id, key))).scalar()
    return Seen(answer=answer)


def keep_request_answer(*, bind: Bind, workspace_id: str, key: str, answer: str) -> None:
    bind.execute(sa.update(REQUEST_MARK).where(_this(workspace_id, key)).values(answer=answer))


def forget_request(*, bind: Bind, workspace_id: str, key: str) -> None:
    bind.execute(sa.delete(REQUEST_MARK).where(_this(workspace_id, key)))


def prune_request_marks(*, session: Session, before: datetime) -> int:
    """Forget the marks seen before `before` (Slack replays within minutes); how many went."""
    result = session.execute(sa.delete(REQUEST_MARK).where(REQUEST_MARK.c.seen_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
