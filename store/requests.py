"""Request marks: what Slack sent once, so that a replay of it writes nothing twice."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from store.models import RequestMark

REQUEST_MARK = RequestMark.__table__  # type: ignore[attr-defined]


def prune_request_marks(*, session: Session, before: datetime) -> int:
    """Forget the marks seen before `before` (Slack replays within minutes); how many went."""
    result = session.execute(sa.delete(REQUEST_MARK).where(REQUEST_MARK.c.seen_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
