"""What a complaint says in Slack, all through the outbox: its card (posted once, then re-rendered from
the database at every step with chat.update), and each step as a reply in the card's thread.

The card and its thread speak the workspace's language; the thread's messages wait in the outbox
until the card is in Slack (`notify.REPLY_TO` / `notify.UPDATE_OF`), so nothing arrives out of order
or is lost when Slack is down.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot import notify
from bot.env import Env
from bot.i18n import lang
from bot.services import settings as settings_service
from bot.services.complaints import REASSIGNED, time_left
from bot.services.people import workspace_locale
from bot.views import complaints as views
from store import complaints as complaint_store
from store import outbox as outbox_store
from store import people as people_store
from store.models import Complaint, ComplaintEvent, Customer

STEP = "complaint_step"
UPDATE = "complaint_update"
DIRECT = "complaint_direct"  # a DM about a complaint: a new assignee, a nudge, a breach


def card_key(complaint: Complaint) -> str:
    return notify.dedupe_key(notify.COMPLAINT_CARD, complaint.card_to or "", str(complaint.id), "")


def render_card(env: Env, complaint: Complaint, customer_name: str) -> dict[str, Any]:
    settings = settings_service.load(env, complaint.workspace_id)
    found = time_left(env, complaint, settings)
    clock = views.Clock(*found) if found else None
    timezone = _workspace_timezone(env, complaint.workspace_id)
    return views.card(
        lang(workspace_locale(env, complaint.workspace_id)), complaint, customer_name, clock, timezone
    )


def _workspace_timezone(env: Env, workspace_id: str) -> str:
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
    return workspace.timezone if workspace else "UTC"


def customer_name(env: Env, complaint: Complaint) -> str:
    with env.db.session() as session:
        customer = session.get(Customer, complaint.customer_id)
    return customer.name if customer else ""


def _queue(
    env: Env,
    session: Session,
    complaint: Complaint,
    kind: str,
    period: str,
    message: dict[str, Any],
    recipient: str | None = None,
) -> str:
    return notify.enqueue(
        env,
        workspace_id=complaint.workspace_id,
        kind=kind,
        recipient=recipient or complaint.card_to or "",
        subject=str(complaint.id),
        period=period,
        message=message,
        session=session,
    )


def publish(env: Env, session: Session, complaint: Complaint) -> list[str]:
    """Queue a new complaint's card and, in its thread, the whole description, in the transaction that
    files it (`session`). Returns the keys."""
    if not complaint.card_to:
        return []
    name = customer_name(env, complaint)
    card = _queue(env, session, complaint, notify.COMPLAINT_CARD, "", render_card(env, complaint, name))
    words = lang(workspace_locale(env, complaint.workspace_id))
    reply = {**views.filed_in_thread(words, complaint), notify.REPLY_TO: card}
    return [card, _queue(env, session, complaint, STEP, "filed", reply)]


def after_step(env: Env, session: Session, complaint: Complaint, event: ComplaintEvent) -> list[str]:
    """Queue the step in the card's thread and the card as it reads now, in the step's transaction."""
    if not complaint.card_to:
        return []
    name = customer_name(env, complaint)
    words = lang(workspace_locale(env, complaint.workspace_id))
    period = f"e{event.id}"
    card = card_key(complaint)
    step = {**views.step_in_thread(words, event, complaint), notify.REPLY_TO: card}
    keys = [
        _queue(env, session, complaint, STEP, period, step),
        refresh_card(env, session, complaint, name, period),
    ]
    if event.kind == REASSIGNED and event.to_user_id not in (event.actor_id, complaint.card_to):
        keys.append(tell_assignee(env, session, complaint, name, period))
    return keys


def refresh_card(env: Env, session: Session, complaint: Complaint, customer_name: str, period: str) -> str:
    """The card re-rendered from the database: replaces the queued post if it is not out yet."""
    message = render_card(env, complaint, customer_name)
    card = card_key(complaint)
    outbox_store.replace_pending_payload(
        session=session,
        workspace_id=complaint.workspace_id,
        key=card,
        payload=notify.json_payload(message),
    )
    return _queue(env, session, complaint, UPDATE, period, {**message, notify.UPDATE_OF: card})


def tell_assignee(env: Env, session: Session, complaint: Complaint, customer_name: str, period: str) -> str:
    """The new assignee hears of it by DM, with the card (its buttons work from there too)."""
    message = render_card(env, complaint, customer_name)
    return _queue(env, session, complaint, DIRECT, period, message, recipient=complaint.assignee_id)


def reload(env: Env, complaint_id: int) -> Complaint:
    with env.db.session() as session:
        complaint = session.get(Complaint, complaint_id)
    assert complaint is not None
    return complaint


def of_customer(env: Env, workspace_id: str, customer_id: int, limit: int = 3) -> list[Complaint]:
    with env.db.session() as session:
        return list(
            complaint_store.of_customer(
                session=session, workspace_id=workspace_id, customer_id=customer_id, limit=limit
            )
        )


def _card_posted(session: Session, complaint_id: int, channel: str, ts: str) -> None:
    complaint_store.set_posted(session=session, complaint_id=complaint_id, channel=channel, ts=ts)


notify.register_kind(notify.COMPLAINT_CARD, notify.Kind(posted=_card_posted))
