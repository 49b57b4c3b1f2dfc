"""The buttons of the scheduler's messages: Snooze and Log visit on reminders, Ask for more days on
warnings, Approve / Decline for the manager, Plan visit on churn warnings, and the digest's Reassign,
Extend and Nudge rep. Database work happens in the ack; Slack calls (forms, the outbox's immediate
sends, answers) in the lazy twin."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from slack_bolt import App

from bot import notify
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.services import customers, extensions, followups, nudges, pool
from bot.services.home import refresh_home
from bot.views import common
from bot.views import digest as digest_views
from bot.views import recycle as recycle_views
from bot.views import reminders as reminder_views
from bot.views.ids import Action, Callback, Field
from bot.views.text import Mrkdwn, mention, say
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import form_values


def register(app: App, kit: Kit) -> None:
    app.action(Action.SNOOZE)(
        ack=listener(kit, snooze_picked), lazy=[lazy(kit, tell_moved, when_deferred=True)]
    )
    app.action(Action.SNOOZE_DATE)(
        ack=listener(kit, snooze_dated), lazy=[lazy(kit, tell_moved, when_deferred=True)]
    )
    app.action(Action.ASK_MORE_DAYS)(
        ack=listener(kit, ask_more_days), lazy=[lazy(kit, send_request, when_deferred=True)]
    )
    for action, approve in ((Action.EXTENSION_APPROVE, True), (Action.EXTENSION_DECLINE, False)):
        app.action(action)(
            ack=listener(kit, approve_request if approve else decline_request),
            lazy=[lazy(kit, show_decision, when_deferred=True)],
        )
    app.action(Action.PLAN_VISIT)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_plan_form)])
    app.view(Callback.PLAN_VISIT)(
        ack=listener(kit, submit_plan), lazy=[lazy(kit, tell_moved, when_deferred=True)]
    )
    app.action(Action.DIGEST_EXTEND)(
        ack=listener(kit, extend_from_digest), lazy=[lazy(kit, tell_extended, when_deferred=True)]
    )
    app.action(Action.DIGEST_NUDGE)(
        ack=listener(kit, nudge_rep), lazy=[lazy(kit, send_nudge, when_deferred=True)]
    )
    app.action(Action.DIGEST_REASSIGN)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_reassign_form)])
    app.view(Callback.REASSIGN)(
        ack=listener(kit, submit_reassign), lazy=[lazy(kit, tell_reassigned, when_deferred=True)]
    )


def _action(call: Call) -> dict[str, Any]:
    return dict((call.body.get("actions") or [{}])[0])


def _id(text: str) -> int:
    return int(text) if text.isdigit() else 0


# -- follow-ups ---------------------------------------------------------------------------------------
def snooze_picked(call: Call) -> None:
    picked = (_action(call).get("selected_option") or {}).get("value", "")
    customer_id, _, days = str(picked).partition(":")
    moved = followups.snooze(call.env, call.me, _id(customer_id), days=_id(days))
    call.defer(moved=[moved.name, moved.to_day.isoformat()])
    call.ack()


def snooze_dated(call: Call) -> None:
    action = _action(call)
    customer_id = _id(str(action.get("block_id", "")).rpartition(".")[2])
    picked = action.get("selected_date")
    if not picked:
        raise InvalidInput(N_("Pick a day after today."))
    moved = followups.move_follow_up(call.env, call.me, customer_id, to_day=date.fromisoformat(str(picked)))
    call.defer(moved=[moved.name, moved.to_day.isoformat()])
    call.ack()


def tell_moved(call: Call) -> None:
    name, day = call.outcome["moved"]
    call.tell(common.notice(reminder_views.snoozed(call.lang, name, date.fromisoformat(day))))
    refresh_home(call.client, call.env, call.me)


def open_plan_form(call: Call) -> None:
    customer = customers.get_customer(call.env, call.me, _id(call.action_value))
    customers.require_work_access(call.env, call.me, customer)
    tomorrow = date.fromordinal(call.me.today(call.env).toordinal() + 1)
    view = reminder_views.plan_visit_modal(
        call.lang, customer.id or 0, customer.name, tomorrow, call.metadata()
    )
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def submit_plan(call: Call) -> None:
    picked = form_values(call.body).get(Field.NEXT_FOLLOW_UP.value)
    if not isinstance(picked, date):
        raise InvalidInput(N_("Pick a day after today."), field=Field.NEXT_FOLLOW_UP.value)
    customer_id = int(call.view_metadata().get("customer") or 0)
    try:
        moved = followups.move_follow_up(call.env, call.me, customer_id, to_day=picked)
    except InvalidInput as error:
        raise InvalidInput(error.message, field=Field.NEXT_FOLLOW_UP.value, **error.params) from None
    call.defer(moved=[moved.name, moved.to_day.isoformat()])
    call.ack(response_action="clear")


# -- more days before a recycle ---------------------------------------------------------------------
def ask_more_days(call: Call) -> None:
    asked = extensions.ask(call.env, call.me, _id(call.action_value))
    call.defer(asked=[asked.customer.name, list(asked.approvers), list(asked.keys)])
    call.ack()


def send_request(call: Call) -> None:
    name, approvers, keys = call.outcome["asked"]
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
    decided = extensions.decide(call.env, call.me, _id(call.action_value), approve=approve)
    call.defer(decided=[decided.request.id, decided.key])
    call.ack()


def approve_request(call: Call) -> None:
    _decide(call, approve=True)


def decline_request(call: Call) -> None:
    _decide(call, approve=False)


def show_decision(call: Call) -> None:
    request_id, key = call.outcome["decided"]
    notify.deliver_now(call.env, call.client, [key], workspace_id=call.me.workspace_id)
    request = extensions.request_of(call.env, call.me, int(request_id))
    customer = customers.get_customer(call.env, call.me, request.customer_id)
    call.tell(
        recycle_views.decided_for_approver(call.lang, request, customer, call.me.timezone), replace=True
    )


# -- the digest's actions ----------------------------------------------------------------------------
def extend_from_digest(call: Call) -> None:
    customer, until = extensions.extend_now(call.env, call.me, _id(call.action_value))
    call.defer(extended=[customer.id, until.isoformat()])
    call.ack()


def tell_extended(call: Call) -> None:
    customer_id, until = call.outcome["extended"]
    customer = customers.get_customer(call.env, call.me, int(customer_id))
    call.tell(recycle_views.extended(call.lang, customer, datetime.fromisoformat(until), call.me.timezone))


def nudge_rep(call: Call) -> None:
    rep_id, _, customer_id = call.action_value.partition(":")
    nudged = nudges.nudge(call.env, call.me, rep_id, _id(customer_id))
    call.defer(nudged=[nudged.rep_id, nudged.name, nudged.key])
    call.ack()


def send_nudge(call: Call) -> None:
    rep_id, name, key = call.outcome["nudged"]
    notify.deliver_now(call.env, call.client, [key], workspace_id=call.me.workspace_id)
    call.tell(
        common.notice(say(call.lang, N_("Nudged %(rep)s about %(name)s."), rep=mention(rep_id), name=name))
    )


def open_reassign_form(call: Call) -> None:
    customer = customers.get_customer(call.env, call.me, _id(call.action_value))
    view = digest_views.reassign_modal(call.lang, customer, call.metadata())
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def submit_reassign(call: Call) -> None:
    rep_id = form_values(call.body).get(Field.OWNER.value)
    if not rep_id:
        raise InvalidInput(N_("Choose who takes the customer."), field=Field.OWNER.value)
    customer_id = int(call.view_metadata().get("customer") or 0)
    done = pool.assign(call.env, call.me, customer_id, str(rep_id))
    call.defer(reassigned=[done.name, str(rep_id)])
    call.ack(response_action="clear")


def tell_reassigned(call: Call) -> None:
    name, rep_id = call.outcome["reassigned"]
    call.tell(
        common.notice(say(call.lang, N_("%(name)s now belongs to %(rep)s."), name=name, rep=mention(rep_id)))
    )
