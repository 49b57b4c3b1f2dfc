"""What a complaint says in Slack, all through the outbox: its card (posted once, then re-rendered from
the database at every step with chat.update), each step as a reply in the card's thread, and the DMs —
to a new assignee, and the SLA's nudges and breaches.

The card and its thread speak the workspace's language; the thread's messages wait in the outbox
until the card is in Slack (`notify.REPLY_TO` / `notify.UPDATE_OF`), so nothing arrives out of order
or is lost when Slack is down. Everything is queued in the transaction of the change it tells of.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import events, notify
from bot.env import Env
from bot.i18n import lang
from bot.services import complaints, sla
from bot.services import settings as settings_service
from bot.services.people import workspace_locale
from bot.views import complaints as views
from store import complaints as complaint_store
from store import outbox as outbox_store
from store.models import Complaint, ComplaintEvent
from store.sql import Bind

STEP = "complaint_step"
UPDATE = "complaint_update"
DIRECT = "complaint_direct"  # a DM about a complaint: a new assignee, a nudge, a breach
URGENT = "complaint_urgent"  # the escalation of an urgent complaint's breach: it may break quiet hours


def card_key(complaint: Complaint) -> str:
    return notify.dedupe_key(notify.COMPLAINT_CARD, complaint.card_to or "", str(complaint.id), "")


def render_card(env: Env, complaint: Complaint, customer_name: str) -> dict[str, Any]:
    settings = settings_service.load(env, complaint.workspace_id)
    clock = sla.time_left(env, complaint, settings)
    timezone = sla.sla_clock(env, complaint.workspace_id, settings).timezone
    return views.card(
        lang(workspace_locale(env, complaint.workspace_id)), complaint, customer_name, clock, timezone
    )


def _queue(
    env: Env,
    bind: Bind,
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
        session=bind,
    )


@events.on(complaints.ComplaintFiled)
def queue_card(env: Env, bind: Bind, filed: complaints.ComplaintFiled) -> Sequence[str]:
    """A new complaint's card and, in its thread, the whole description."""
    complaint = filed.complaint
    if not complaint.card_to:
        return []
    message = render_card(env, complaint, filed.customer_name)
    card = _queue(env, bind, complaint, notify.COMPLAINT_CARD, "", message)
    words = lang(workspace_locale(env, complaint.workspace_id))
    reply = {**views.filed_in_thread(words, complaint), notify.REPLY_TO: card}
    return [card, _queue(env, bind, complaint, STEP, "filed", reply)]


@events.on(complaints.StepTaken)
def queue_step(env: Env, bind: Bind, taken: complaints.StepTaken) -> Sequence[str]:
    return after_step(env, bind, taken.complaint, taken.step, taken.customer_name)


@events.on(sla.SlaStepsTaken)
def queue_sla_steps(env: Env, bind: Bind, taken: sla.SlaStepsTaken) -> Sequence[str]:
    """The nudges' and breaches' DMs, then each step in the thread and on the card."""
    complaint, name = taken.complaint, taken.customer_name
    keys = [_tell_sla(env, bind, complaint, name, told) for told in taken.told]
    for step in taken.steps:
        keys += after_step(env, bind, complaint, step, name)
    return keys


def after_step(
    env: Env, bind: Bind, complaint: Complaint, event: ComplaintEvent, customer_name: str
) -> list[str]:
    """The step in the card's thread and the card as it reads now."""
    if not complaint.card_to:
        return []
    words = lang(workspace_locale(env, complaint.workspace_id))
    period = f"e{event.id}"
    step = {**views.step_in_thread(words, event, complaint), notify.REPLY_TO: card_key(complaint)}
    keys = [
        _queue(env, bind, complaint, STEP, period, step),
        refresh_card(env, bind, complaint, customer_name, period),
    ]
    if event.kind == complaints.REASSIGNED and event.to_user_id not in (event.actor_id, complaint.card_to):
        keys.append(tell_assignee(env, bind, complaint, customer_name, period))
    return keys


def refresh_card(env: Env, bind: Bind, complaint: Complaint, customer_name: str, period: str) -> str:
    """The card re-rendered from the database: replaces the queued post if it is not out yet."""
    message = render_card(env, complaint, customer_name)
    card = card_key(complaint)
    outbox_store.replace_pending_payload(
        session=bind, workspace_id=complaint.workspace_id, key=card, payload=notify.json_payload(message)
    )
    return _queue(env, bind, complaint, UPDATE, period, {**message, notify.UPDATE_OF: card})


def tell_assignee(env: Env, bind: Bind, complaint: Complaint, customer_name: str, period: str) -> str:
    """The new assignee hears of it by DM, with the card (its buttons work from there too)."""
    message = render_card(env, complaint, customer_name)
    return _queue(env, bind, complaint, DIRECT, period, message, recipient=complaint.assignee_id)


def _tell_sla(env: Env, bind: Bind, complaint: Complaint, customer_name: str, told: sla.Told) -> str:
    """A nudge to the assignee at half time, or a breach to whoever is above them."""
    person = told.person
    if told.clock is None:
        message = views.breach(person.lang, complaint, customer_name, sla.step_name(told.step))
    else:
        message = views.nudge(person.lang, complaint, customer_name, told.clock, person.timezone)
    period = f"sla{int(told.step)}"
    kind = URGENT if told.clock is None and complaint.severity == "urgent" else DIRECT
    return _queue(env, bind, complaint, kind, period, message, recipient=person.user_id)


def _card_posted(session: Bind, complaint_id: int, channel: str, ts: str) -> None:
    complaint_store.set_posted(session=session, complaint_id=complaint_id, channel=channel, ts=ts)


notify.register_kind(notify.COMPLAINT_CARD, notify.Kind(posted=_card_posted))
