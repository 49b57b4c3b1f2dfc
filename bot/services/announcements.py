"""Announcing customers back in the pool, in the pool channel, and keeping those messages current.

`queue` takes a batch (one release, or a whole night's recycle) and queues one message per
`ROWS_PER_MESSAGE` customers in the outbox, in the transaction that moved them, so a message stays
within Slack's 50 blocks and is never lost to a crash after the move. Each message's rows are stored;
a claim or an assignment queues, in its own transaction, an update of every recent announcement
showing the customer (`queue_refresh`), drawn from the database when it is sent: every row shows its
state at that moment, and a claim of another row is never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk import WebClient
from sqlmodel import Session

from bot import notify
from bot.env import Env
from bot.i18n import lang
from bot.services import settings as settings_service
from bot.services.people import workspace_locale
from bot.views import announcements as views
from store import announcements as announcement_store
from store import pool as pool_store
from store.models import MOVE_RECYCLE, MOVE_RELEASE, Announcement, AnnouncementRow
from store.sql import Bind

log = logging.getLogger("tidewater.announcements")

ROWS_PER_MESSAGE = 40  # 40 rows + a header and a footer: well within 50 blocks
KEPT_CURRENT_FOR = timedelta(days=30)  # older messages are left as they are
REFRESH = "announcement_refresh"  # an update of a posted announcement; its subject is the announcement's id


@dataclass(frozen=True)
class Queued:
    channel: str | None
    keys: tuple[str, ...]  # the outbox's dedupe keys, one per message


@dataclass(frozen=True)
class Announced:
    channel: str | None
    messages: int
    problem: str | None = None  # Slack's error code when the channel refused the post


def queue(env: Env, session: Session, workspace_id: str, customer_ids: Sequence[int]) -> Queued:
    """Queue the batch for the pool channel in `session`'s transaction, one message per ROWS_PER_MESSAGE
    customers. With no channel set nothing is queued (the caller says how to set one)."""
    channel = settings_service.load(env, workspace_id).pool_channel
    if not channel or not customer_ids:
        return Queued(channel, ())
    locale = workspace_locale(env, workspace_id)
    keys = []
    for start in range(0, len(customer_ids), ROWS_PER_MESSAGE):
        batch = customer_ids[start : start + ROWS_PER_MESSAGE]
        announcement = _store_batch(env, session, workspace_id, channel, locale, batch)
        message, _ = _render(session, announcement)
        keys.append(
            notify.enqueue(
                env,
                workspace_id=workspace_id,
                kind=notify.ANNOUNCEMENT,
                recipient=channel,
                subject=str(announcement.id),
                period="",
                message=message,
                session=session,
            )
        )
    return Queued(channel, tuple(keys))


def send_now(env: Env, client: WebClient, workspace_id: str, queued: Queued) -> Announced:
    """Send queued announcements at once (a release: the rep is told whether the channel took them)."""
    if not queued.keys:
        return Announced(queued.channel, 0)
    refused = notify.deliver_now(env, client, queued.keys, workspace_id=workspace_id)
    problem = next(iter(refused.values()), None)
    if problem:
        log.warning("pool channel %s refused an announcement: %s", queued.channel, problem)
    return Announced(queued.channel, len(queued.keys) - len(refused), problem)


def _store_batch(
    env: Env, session: Session, workspace_id: str, channel: str, locale: str, ids: Sequence[int]
) -> Announcement:
    now = env.clock.now()
    moves = pool_store.last_moves(
        session=session, workspace_id=workspace_id, customer_ids=ids, kinds=(MOVE_RELEASE, MOVE_RECYCLE)
    )
    rows = [
        AnnouncementRow(
            announcement_id=0,
            customer_id=customer_id,
            position=position,
            move=moves[customer_id].kind if customer_id in moves else MOVE_RELEASE,
            reason=moves[customer_id].reason if customer_id in moves else "",
            note=moves[customer_id].note if customer_id in moves else "",
            previous_owner_id=moves[customer_id].from_owner_id if customer_id in moves else None,
            released_at=moves[customer_id].at if customer_id in moves else now,
        )
        for position, customer_id in enumerate(ids)
    ]
    announcement = Announcement(workspace_id=workspace_id, channel_id=channel, locale=locale, created_at=now)
    return announcement_store.add_announcement(session=session, announcement=announcement, rows=rows)


def _render(
    session: Session, announcement: Announcement
) -> tuple[dict[str, object], tuple[tuple[int, str | None], ...]]:
    assert announcement.id is not None
    rows = announcement_store.rows_of(session=session, announcement_id=announcement.id)
    state = tuple((customer.id or 0, customer.owner_id) for _, customer in rows)
    return views.announcement(lang(announcement.locale), rows), state


def queue_refresh(env: Env, bind: Bind, workspace_id: str, customer_id: int) -> list[str]:
    """In the transaction that changed the customer's owner: an update of every announcement of the
    last KEPT_CURRENT_FOR showing it, drawn when sent (after the original, if that is still queued)."""
    now = env.clock.now()
    showing = announcement_store.showing(
        bind=bind, workspace_id=workspace_id, customer_id=customer_id, since=now - KEPT_CURRENT_FOR
    )
    change = f"{customer_id}@{now.timestamp():.6f}"
    updates = [
        notify.Outgoing(
            workspace_id,
            REFRESH,
            channel,
            str(announcement_id),
            change,
            notify.json_payload({notify.UPDATE_OF: _key(channel, announcement_id)}),
        )
        for announcement_id, channel in showing
    ]
    return notify.enqueue_many(env, updates, session=bind) if updates else []


def _key(channel: str, announcement_id: int) -> str:
    return notify.dedupe_key(notify.ANNOUNCEMENT, channel, str(announcement_id), "")


def _drawn_now(env: Env, announcement_id: int) -> notify.Rendered:
    with env.db.session() as session:
        announcement = session.get(Announcement, announcement_id)
        assert announcement is not None
        message, shows = _render(session, announcement)
    return notify.Rendered(message, shows)


def _posted(session: Session, announcement_id: int, _channel: str, ts: str) -> None:
    announcement_store.set_posted(session=session, announcement_id=announcement_id, ts=ts)


# The first post is drawn when it is sent, too: a claim while it waited shows in it.
notify.register_kind(notify.ANNOUNCEMENT, notify.Kind(posted=_posted, render=_drawn_now))
notify.register_kind(REFRESH, notify.Kind(render=_drawn_now))
