"""Pool-channel announcements: which customers each message shows, to re-render it from the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import Announcement, AnnouncementRow, Customer
from store.sql import Bind


def add_announcement(
    *, session: Session, announcement: Announcement, rows: Sequence[AnnouncementRow]
) -> Announcement:
    session.add(announcement)
    session.flush()
    assert announcement.id is not None
    for row in rows:
        row.announcement_id = announcement.id
    session.add_all(rows)
    return announcement


def set_posted(*, session: Session, announcement_id: int, ts: str) -> None:
    session.execute(sa.update(Announcement).where(col(Announcement.id) == announcement_id).values(ts=ts))


def rows_of(*, session: Session, announcement_id: int) -> list[tuple[AnnouncementRow, Customer]]:
    """Each row of the announcement with its customer as the database has it now."""
    result = session.exec(
        select(AnnouncementRow, Customer)
        .join(Customer, col(Customer.id) == col(AnnouncementRow.customer_id))
        .where(col(AnnouncementRow.announcement_id) == announcement_id)
        .order_by(col(AnnouncementRow.position))
    ).all()
    return [(row, customer) for row, customer in result]


def showing(*, bind: Bind, workspace_id: str, customer_id: int, since: datetime) -> list[tuple[int, str]]:
    """(id, channel) of the announcements since `since` that show this customer; a Core query, so the
    claim's connection can run it in its transaction."""
    rows = bind.execute(
        sa.select(Announcement.id, Announcement.channel_id)  # type: ignore[call-overload]
        .join(AnnouncementRow, col(AnnouncementRow.announcement_id) == col(Announcement.id))
        .where(
            col(AnnouncementRow.customer_id) == customer_id,
            col(Announcement.workspace_id) == workspace_id,
            col(Announcement.created_at) >= since,
        )
        .order_by(col(Announcement.id))
    ).all()
    return [(int(row[0]), str(row[1])) for row in rows]
