"""Announcing customers back in the pool, in the pool channel, and keeping those messages current.

`announce` takes a batch (one release, or a whole night's recycle) and queues one message per
`ROWS_PER_MESSAGE` customers in the outbox, so a message stays within Slack's 50 blocks. Each message's rows are
stored, so when one of its customers is claimed the whole message is rendered again from the
database: every row shows its state now, and a claim of another row is never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import notify
from bot.i18n import lang, normalize_locale
from bot.notify import ChannelPoster
from bot.services import settings as settings_service
from bot.services.env import Env
from bot.views import announcements as views
from store import announcements as announcement_store
from store import outbox as outbox_store
from store import people as people_store
from store import pool as pool_store
from store.models import MOVE_RECYCLE, MOVE_RELEASE, Announcement, AnnouncementRow

log = logging.getLogger("tidewater.announcements")

ROWS_PER_MESSAGE = 40  # 40 rows + a header and a footer: well within 50 blocks
KEPT_CURRENT_FOR = timedelta(days=30)  # older messages are left as they are
CONVERGE_ROUNDS = 3
# Slack's answers that mean "the bot cannot post in this channel" (not worth retrying).
CHANNEL_PROBLEMS = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


@dataclass(frozen=True)
class Queued:
    channel: str | None
    keys: tuple[str, ...]  # the outbox's dedupe keys, one per message


@dataclass(frozen=True)
class Announced:
    channel: str | None
    messages: int
    problem: str | None = None  # Slack's error code when the channel refused the post


def workspace_locale(env: Env, workspace_id: str) -> str:
    """The language of what the bot posts in channels: the workspace's, else the default, else English."""
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
    chosen = workspace.locale if workspace else None
    return normalize_locale(chosen) or normalize_locale(env.settings.default_locale) or "en"


def announce(env: Env, workspace_id: str, customer_ids: Sequence[int]) -> Queued:
    """Queue the batch for the pool channel, one message per ROWS_PER_MESSAGE customers, through the
    outbox (the worker sends it). With no channel set nothing is queued (the caller says how to set one)."""
    channel = settings_service.load(env, workspace_id).pool_channel
    if not channel or not customer_ids:
        return Queued(channel, ())
    locale = workspace_locale(env, workspace_id)
    keys = []
    for start in range(0, len(customer_ids), ROWS_PER_MESSAGE):
        announcement = _store_batch(
            env, workspace_id, channel, locale, customer_ids[start : start + ROWS_PER_MESSAGE]
        )
        message, _ = _render(env, announcement)
        keys.append(
            notify.enqueue(
                env,
                workspace_id=workspace_id,
                kind=notify.ANNOUNCEMENT,
                recipient=channel,
                subject=str(announcement.id),
                period="",
                message=message,
            )
        )
    return Queued(channel, tuple(keys))


def announce_now(env: Env, client: WebClient, workspace_id: str, customer_ids: Sequence[int]) -> Announced:
    """Queue the batch and send it at once (a release: the rep is told whether the channel took it)."""
    queued = announce(env, workspace_id, customer_ids)
    if not queued.keys:
        return Announced(queued.channel, 0)
    refused = notify.deliver_now(env, client, queued.keys, workspace_id=workspace_id)
    problem = next(iter(refused.values()), None)
    if problem:
        log.warning("pool channel %s refused an announcement: %s", queued.channel, problem)
    return Announced(queued.channel, len(queued.keys) - len(refused), problem)


def _store_batch(env: Env, workspace_id: str, channel: str, locale: str, ids: Sequence[int]) -> Announcement:
    now = env.clock.now()
    with env.db.session() as session:
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
        announcement = Announcement(
            workspace_id=workspace_id, channel_id=channel, locale=locale, created_at=now
        )
        return announcement_store.add_announcement(session=session, announcement=announcement, rows=rows)


def _render(
    env: Env, announcement: Announcement
) -> tuple[dict[str, object], tuple[tuple[int, str | None], ...]]:
    assert announcement.id is not None
    with env.db.session() as session:
        rows = announcement_store.rows_of(session=session, announcement_id=announcement.id)
    state = tuple((customer.id or 0, customer.owner_id) for _, customer in rows)
    return views.announcement(lang(announcement.locale), rows), state


def refresh(env: Env, poster: ChannelPoster, workspace_id: str, customer_id: int) -> int:
    """Render again every recent announcement showing this customer; how many were updated."""
    since = env.clock.now() - KEPT_CURRENT_FOR
    with env.db.session() as session:
        found = announcement_store.posted_with(
            session=session, workspace_id=workspace_id, customer_id=customer_id, since=since
        )
    for announcement in found:
        if announcement.ts is None:
            _requeue(env, announcement)
        else:
            _converge(env, poster, announcement)
    return len(found)


def _requeue(env: Env, announcement: Announcement) -> None:
    """Not sent yet: the queued message is replaced by how it reads now."""
    message, _ = _render(env, announcement)
    key = notify.dedupe_key(notify.ANNOUNCEMENT, announcement.channel_id, str(announcement.id), "")
    with env.db.session() as session:
        outbox_store.replace_pending_payload(
            session=session,
            workspace_id=announcement.workspace_id,
            key=key,
            payload=notify.json_payload(message),
        )


def _converge(env: Env, poster: ChannelPoster, announcement: Announcement) -> None:
    """Update the message until what it shows is what the database holds.

    Two claims in one message can finish in either order; whoever updates last checks afterwards
    that no claim happened meanwhile, and renders once more if one did.
    """
    assert announcement.ts is not None
    for _ in range(CONVERGE_ROUNDS):
        message, shown = _render(env, announcement)
        try:
            poster.update(announcement.channel_id, announcement.ts, message)
        except SlackApiError as error:
            log.warning("could not update announcement %s: %s", announcement.id, error)
            return
        if _render(env, announcement)[1] == shown:
            return
