"""What the pool says on its own: customers back in the pool announced in the pool channel, those
messages kept current, and the new owner's DM after an `/assign`.

`announce` takes a batch (one release, or a whole night's recycle) and queues one message per
`ROWS_PER_MESSAGE` customers in the outbox, in the transaction that moved them, so a message stays
within Slack's 50 blocks and is never lost to a crash after the move. Each message's rows are stored;
a claim or an assignment queues, in its own transaction, an update of every recent announcement
showing the customer (`queue_refresh`), drawn from the database when it is sent: every row shows its
state at that moment, and a claim of another row is never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session

from bot import events, notify
from bot.env import Env
from bot.i18n import Lang, lang
from bot.services import pool, pool_assign
from bot.services import settings as settings_service
from bot.services.people import Directory, directory, workspace_locale
from bot.views import pool as views
from bot.views.pool import Announced
from store import announcements as announcement_store
from store import moves as moves_store
from store.models import MOVE_RECYCLE, MOVE_RELEASE, Announcement, AnnouncementRow, OwnershipEvent
from store.sql import Bind

log = logging.getLogger("tidewater.announcements")

ROWS_PER_MESSAGE = 40  # 40 rows + a header and a footer: well within 50 blocks
KEPT_CURRENT_FOR = timedelta(days=30)  # older messages are left as they are
REFRESH = "announcement_refresh"  # an update of a posted announcement; its subject is the announcement's id
ASSIGNED_DM = "assigned"  # the new owner's DM; its subject is the customer's id
TAKEN_AWAY_DM = "assigned_away"  # the previous owner's DM when a manager moved the customer
CLAIMED_AFTER_DM = "claimed_after_recycle"  # the previous owner's DM when a recycled customer is claimed


# -- the services' events -----------------------------------------------------------------------------
@events.on(pool.CustomerReleased)
def announce_release(env: Env, bind: Bind, released: pool.CustomerReleased) -> Sequence[str]:
    return announce(env, bind, released.workspace_id, released.channel, [released.customer_id])


@events.on(pool.CustomerClaimed)
def refresh_after_claim(env: Env, bind: Bind, claimed: pool.CustomerClaimed) -> Sequence[str]:
    return queue_refresh(env, bind, claimed.workspace_id, claimed.customer_id) + _tell_recycled_owner(
        env, bind, claimed
    )


def _tell_recycled_owner(env: Env, bind: Bind, claimed: pool.CustomerClaimed) -> list[str]:
    """The one a customer was recycled from hears who claimed it (not after their own release)."""
    if not claimed.by or claimed.previous_owner_id in (None, claimed.by):
        return []  # most claims: nothing more is read on the claim's hot path
    ws = claimed.workspace_id
    loss = moves_store.loss_before_claim(bind=bind, workspace_id=ws, customer_id=claimed.customer_id)
    if loss is None or loss[0] != MOVE_RECYCLE or loss[1] in (None, claimed.by):
        return []
    previous, name = str(loss[1]), loss[2]
    reader = directory(env, ws).by_id(previous)
    message = views.claimed_after_you(
        reader.lang if reader else lang("en"), claimed.by, claimed.customer_id, name
    )
    return [
        notify.enqueue(
            env, workspace_id=ws, kind=CLAIMED_AFTER_DM, recipient=previous, subject=str(claimed.customer_id),
            period=f"{env.clock.now().timestamp():.6f}", message=message, session=bind,
        )
    ]  # fmt: skip


@events.on(pool_assign.CustomerAssigned)
def tell_new_owner(env: Env, bind: Bind, assigned: pool_assign.CustomerAssigned) -> Sequence[str]:
    """The new owner's DM (not when they assigned it to themselves) and the previous owner's (not when
    they moved it themselves), each in its reader's language, then the announcements' updates."""
    people = directory(env, assigned.workspace_id)
    keys = []
    if assigned.to != assigned.by:
        said = partial(
            views.assigned_to_you,
            manager_id=assigned.by,
            customer_id=assigned.customer_id,
            name=assigned.name,
        )
        keys.append(_dm(env, bind, assigned, people, ASSIGNED_DM, assigned.to, said))
    if assigned.taken_from not in (None, assigned.by, assigned.to):
        said = partial(views.taken_from_you, manager_id=assigned.by, rep_id=assigned.to, name=assigned.name)
        keys.append(_dm(env, bind, assigned, people, TAKEN_AWAY_DM, str(assigned.taken_from), said))
    return keys + queue_refresh(env, bind, assigned.workspace_id, assigned.customer_id)


def _dm(
    env: Env,
    bind: Bind,
    assigned: pool_assign.CustomerAssigned,
    people: Directory,
    kind: str,
    to: str,
    said: Callable[[Lang], dict[str, Any]],
) -> str:
    """One DM about the assignment, in the reader's language (the assigner's when theirs is not known)."""
    reader = people.by_id(to)
    return notify.enqueue(
        env,
        workspace_id=assigned.workspace_id,
        kind=kind,
        recipient=to,
        subject=str(assigned.customer_id),
        period=f"{env.clock.now().timestamp():.6f}",
        message=said(reader.lang if reader is not None else lang(assigned.by_locale)),
        session=bind,
    )


# -- announcements -------------------------------------------------------------------------------------
def queue(env: Env, session: Session, workspace_id: str, customer_ids: Sequence[int]) -> list[str]:
    """Announce the batch in the workspace's pool channel, in `session`'s transaction."""
    channel = settings_service.load(env, workspace_id).pool_channel
    return announce(env, session, workspace_id, channel, customer_ids)


def announce(
    env: Env, bind: Bind, workspace_id: str, channel: str | None, customer_ids: Sequence[int]
) -> list[str]:
    """Queue the batch for the pool channel in `bind`'s transaction, one message per ROWS_PER_MESSAGE
    customers. With no channel set nothing is queued (the caller says how to set one)."""
    if not channel or not customer_ids:
        return []
    assert isinstance(bind, Session)
    locale = workspace_locale(env, workspace_id)
    keys = []
    for start in range(0, len(customer_ids), ROWS_PER_MESSAGE):
        batch = customer_ids[start : start + ROWS_PER_MESSAGE]
        announcement = _store_batch(env, bind, workspace_id, channel, locale, batch)
        message, _ = _render(bind, announcement)
        keys.append(
            notify.enqueue(
                env,
                workspace_id=workspace_id,
                kind=notify.ANNOUNCEMENT,
                recipient=channel,
                subject=str(announcement.id),
                period="",
                message=message,
                session=bind,
            )
        )
    return keys


def send_now(
    env: Env, client: WebClient, workspace_id: str, channel: str | None, keys: Sequence[str]
) -> Announced:
    """Send queued announcements at once (a release: the rep is told whether the channel took them)."""
    if not keys:
        return Announced(channel, 0)
    refused = notify.deliver_now(env, client, keys, workspace_id=workspace_id)
    problem = next(iter(refused.values()), None)
    if problem:
        log.warning("pool channel %s refused an announcement: %s", channel, problem)
    return Announced(channel, len(keys) - len(refused), problem)


def _row(position: int, customer_id: int, move: OwnershipEvent | None, now: datetime) -> AnnouncementRow:
    return AnnouncementRow(
        announcement_id=0,
        customer_id=customer_id,
        position=position,
        move=move.kind if move else MOVE_RELEASE,
        reason=move.reason if move else "",
        note=move.note if move else "",
        previous_owner_id=move.from_owner_id if move else None,
        released_at=move.at if move else now,
    )


def _store_batch(
    env: Env, session: Session, workspace_id: str, channel: str, locale: str, ids: Sequence[int]
) -> Announcement:
    now = env.clock.now()
    moves = moves_store.last_moves(
        session=session, workspace_id=workspace_id, customer_ids=ids, kinds=(MOVE_RELEASE, MOVE_RECYCLE)
    )
    rows = [
        _row(position, customer_id, moves.get(customer_id), now) for position, customer_id in enumerate(ids)
    ]
    announcement = Announcement(workspace_id=workspace_id, channel_id=channel, locale=locale, created_at=now)
    return announcement_store.add_announcement(session=session, announcement=announcement, rows=rows)


def _render(
    session: Session, announcement: Announcement
) -> tuple[dict[str, object], tuple[tuple[int, str | None], ...]]:
    assert announcement.id is not None
    rows = announcement_store.rows_of(session=session, announcement_id=announcement.id)
    state = tuple((customer.id or 0, customer.owner_id) for _, customer in rows)
    owned = [customer.id or 0 for _, customer in rows if customer.owner_id is not None]
    moves = moves_store.last_moves(
        session=session,
        workspace_id=announcement.workspace_id,
        customer_ids=owned,
        kinds=list(views.TAKEN_BY),
    )
    taken_by = {customer_id: move.kind for customer_id, move in moves.items()}
    return views.announcement(lang(announcement.locale), rows, taken_by), state


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
