"""The digest's actions for a manager: Nudge rep (a DM through the outbox) and Reassign (a form).
Database work happens in the ack; the outbox's immediate send, forms and answers in the lazy twin."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot import notify
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.services import customers, digest, pool_assign
from bot.views import common
from bot.views import digest as digest_views
from bot.views.ids import Action, Callback, Field
from bot.views.text import mention, say
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import form_values, number


@dataclass(frozen=True)
class Nudged:
    rep_id: str
    name: str
    key: str


@dataclass(frozen=True)
class Reassigned:
    name: str
    rep_id: str


def register(app: App, kit: Kit) -> None:
    app.action(Action.DIGEST_NUDGE)(
        ack=listener(kit, nudge_rep), lazy=[lazy(kit, send_nudge, when_deferred=True)]
    )
    app.action(Action.DIGEST_REASSIGN)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_reassign_form)])
    app.view(Callback.REASSIGN)(
        ack=listener(kit, submit_reassign), lazy=[lazy(kit, tell_reassigned, when_deferred=True)]
    )


def nudge_rep(call: Call) -> None:
    rep_id, _, customer_id = call.action_value.partition(":")
    nudged = digest.nudge(call.env, call.me, rep_id, number(customer_id))
    call.hand_over(Nudged(nudged.rep_id, nudged.name, nudged.key))
    call.ack()


def send_nudge(call: Call) -> None:
    nudged = call.handed(Nudged)
    rep_id, name, key = nudged.rep_id, nudged.name, nudged.key
    notify.deliver_now(call.env, call.client, [key], workspace_id=call.me.workspace_id)
    call.tell(
        common.notice(say(call.lang, N_("Nudged %(rep)s about %(name)s."), rep=mention(rep_id), name=name))
    )


def open_reassign_form(call: Call) -> None:
    customer = customers.get_customer(call.env, call.me, number(call.action_value))
    view = digest_views.reassign_modal(call.lang, customer, call.metadata())
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def submit_reassign(call: Call) -> None:
    rep_id = form_values(call.body).get(Field.OWNER.value)
    if not rep_id:
        raise InvalidInput(N_("Choose who takes the customer."), field=Field.OWNER.value)
    customer_id = int(call.view_metadata().get("customer") or 0)
    done = pool_assign.assign(call.env, call.me, customer_id, str(rep_id))
    call.hand_over(Reassigned(done.name, str(rep_id)))
    call.ack(response_action="clear")


def tell_reassigned(call: Call) -> None:
    reassigned = call.handed(Reassigned)
    name, rep_id = reassigned.name, reassigned.rep_id
    call.tell(
        common.notice(say(call.lang, N_("%(name)s now belongs to %(rep)s."), name=name, rep=mention(rep_id)))
    )
