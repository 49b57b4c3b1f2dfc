"""More days before a recycle: the owner's Ask for more days on a warning, the manager's Approve or
Decline, and Extend from the digest. Database work happens in the ack; the outbox's immediate sends
and the answers in the lazy twin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App

from bot import notify
from bot.i18n import N_
from bot.services import customers, recycle
from bot.views import common
from bot.views import recycle as recycle_views
from bot.views.ids import Action, Callback, Field
from bot.views.text import Mrkdwn, mention, say
from handlers.kit import Call, Kit, lazy, listener
from handlers.state import form_values, number, text_of


@dataclass(frozen=True)
class Asked:
    """More days asked for: whom to tell, and the queued request to send at once."""

    name: str
    approvers: tuple[str, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Decided:
    request_id: int
    key: str


@dataclass(frozen=True)
class Extended:
    customer_id: int
    until: datetime


def register(app: App, kit: Kit) -> None:
    app.action(Action.ASK_MORE_DAYS)(
        ack=listener(kit, check_ask), lazy=[lazy(kit, open_ask_form, when_deferred=True)]
    )
    app.view(Callback.ASK_MORE_DAYS)(
        ack=listener(kit, ask_more_days), lazy=[lazy(kit, send_request, when_deferred=True)]
    )
    for action, approve in ((Action.EXTENSION_APPROVE, True), (Action.EXTENSION_DECLINE, False)):
        app.action(action)(
            ack=listener(kit, approve_request if approve else decline_request),
            lazy=[lazy(kit, show_decision, when_deferred=True)],
        )
    app.action(Action.DIGEST_EXTEND)(
        ack=listener(kit, extend_from_digest), lazy=[lazy(kit, tell_extended, when_deferred=True)]
    )


@dataclass(frozen=True)
class AskOpened:
    customer_id: int


def check_ask(call: Call) -> None:
    """Refused in the ack (not the owner, or not due back in the pool), before any form opens."""
    customer = recycle.check_ask(call.env, call.me, number(call.action_value))
    call.hand_over(AskOpened(customer.id or 0))
    call.ack()


def open_ask_form(call: Call) -> None:
    customer = customers.get_customer(call.env, call.me, call.handed(AskOpened).customer_id)
    view = recycle_views.ask_modal(call.lang, customer, {**call.metadata(), "customer": customer.id})
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def ask_more_days(call: Call) -> None:
    reason = text_of(form_values(call.body), Field.REASON.value)
    asked = recycle.ask(call.env, call.me, int(call.view_metadata().get("customer") or 0), reason)
    call.hand_over(Asked(asked.customer.name, tuple(asked.approvers), tuple(asked.keys)))
    call.ack(response_action="clear")


def send_request(call: Call) -> None:
    asked = call.handed(Asked)
    name, approvers, keys = asked.name, asked.approvers, asked.keys
    notify.deliver_now(call.env, call.client, keys, workspace_id=call.me.workspace_id)
    who = ", ".join(mention(user) for user in approvers) or "—"
    call.tell(
        common.notice(
            say(
                call.lang,
                N_("Asked %(who)s for more days for %(name)s. The answer will come here."),
                who=Mrkdwn(who),
                name=name,
            )
        )
    )


def _decide(call: Call, *, approve: bool) -> None:
    decided = recycle.decide(call.env, call.me, number(call.action_value), approve=approve)
    call.hand_over(Decided(decided.request.id or 0, decided.key))
    call.ack()


def approve_request(call: Call) -> None:
    _decide(call, approve=True)


def decline_request(call: Call) -> None:
    _decide(call, approve=False)


def show_decision(call: Call) -> None:
    decided = call.handed(Decided)
    request_id, key = decided.request_id, decided.key
    notify.deliver_now(call.env, call.client, [key], workspace_id=call.me.workspace_id)
    request = recycle.request_of(call.env, call.me, request_id)
    customer = customers.get_customer(call.env, call.me, request.customer_id)
    call.tell(
        recycle_views.decided_for_approver(call.lang, request, customer, call.me.timezone), replace=True
    )


def extend_from_digest(call: Call) -> None:
    customer, until = recycle.extend_now(call.env, call.me, number(call.action_value))
    call.hand_over(Extended(customer.id or 0, until))
    call.ack()


def tell_extended(call: Call) -> None:
    extended = call.handed(Extended)
    customer = customers.get_customer(call.env, call.me, extended.customer_id)
    call.tell(recycle_views.extended(call.lang, customer, extended.until, call.me.timezone))
