"""Pool-channel announcements: which customers each message shows, to re-render it from the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import Announcement, AnnouncementRow, Customer


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


def posted_with(
    *, session: Session, workspace_id: str, customer_id: int, since: datetime
) -> Sequence[Announcement]:
    """Announcements since `since` that show this customer (posted, or still in the outbox)."""
    return session.exec(
        select(Announcement)
        .join(AnnouncementRow, col(AnnouncementRow.announcement_id) == col(Announcement.id))
        .where(
            col(AnnouncementRow.customer_id) == customer_id,
            col(Announcement.workspace_id) == workspace_id,
            col(Announcement.created_at) >= since,
        )
    ).all()


def rows_of(*, session: Session, announcement_id: int) -> list[tuple[AnnouncementRow, Customer]]:
    """Each row of the announcement with its customer as the database has it now."""
    result = session.exec(
        select(AnnouncementRow, Customer)
        .join(Customer, col(Customer.id) == col(AnnouncementRow.customer_id))
        .where(col(AnnouncementRow.announcement_id) == announcement_id)
        .order_by(col(AnnouncementRow.position))
    ).all()
    return [(row, customer) for row, customer in result]
