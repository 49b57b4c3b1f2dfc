"""Follow-ups from their reminders and churn warnings: Snooze (a choice of days or a date) and Plan
visit (a form). Database work happens in the ack; Slack calls (forms, answers) in the lazy twin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import App

from bot.errors import InvalidInput
from bot.i18n import N_
from bot.messaging.home import refresh_home
from bot.rules.calendar import next_working_day
from bot.services import customers, followups
from bot.services import settings as settings_service
from bot.views import common
from bot.views import followups as followup_views
from bot.views.ids import Action, Callback, Field
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import form_values, number


@dataclass(frozen=True)
class Moved:
    """A follow-up moved to another day: what the person is told."""

    name: str
    to_day: date
    planned: bool = False  # a visit planned (Plan visit), not a follow-up snoozed


def register(app: App, kit: Kit) -> None:
    app.action(Action.SNOOZE)(
        ack=listener(kit, snooze_picked), lazy=[lazy(kit, tell_moved, when_deferred=True)]
    )
    app.action(Action.SNOOZE_DATE)(
        ack=listener(kit, snooze_dated), lazy=[lazy(kit, tell_moved, when_deferred=True)]
    )
    app.action(Action.PLAN_VISIT)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_plan_form)])
    app.view(Callback.PLAN_VISIT)(
        ack=listener(kit, submit_plan), lazy=[lazy(kit, tell_moved, when_deferred=True)]
    )


def _action(call: Call) -> dict[str, Any]:
    return dict((call.body.get("actions") or [{}])[0])


def snooze_picked(call: Call) -> None:
    picked = (_action(call).get("selected_option") or {}).get("value", "")
    customer_id, _, days = str(picked).partition(":")
    moved = followups.snooze(call.env, call.me, number(customer_id), days=number(days))
    call.hand_over(Moved(moved.name, moved.to_day))
    call.ack()


def snooze_dated(call: Call) -> None:
    action = _action(call)
    customer_id = number(str(action.get("block_id", "")).rpartition(".")[2])
    picked = action.get("selected_date")
    if not picked:
        raise InvalidInput(N_("Pick a day after today."))
    moved = followups.move_follow_up(call.env, call.me, customer_id, to_day=date.fromisoformat(str(picked)))
    call.hand_over(Moved(moved.name, moved.to_day))
    call.ack()


def tell_moved(call: Call) -> None:
    moved = call.handed(Moved)
    said = followup_views.planned if moved.planned else followup_views.snoozed
    call.tell(common.notice(said(call.lang, moved.name, moved.to_day)))
    refresh_home(call.client, call.env, call.me)


def open_plan_form(call: Call) -> None:
    customer = customers.get_customer(call.env, call.me, number(call.action_value))
    customers.require_work_access(call.env, call.me, customer)
    country = settings_service.load(call.env, call.me.workspace_id).country
    suggested = next_working_day(call.me.today(call.env), country)
    view = followup_views.plan_visit_modal(
        call.lang, customer.id or 0, customer.name, suggested, call.metadata()
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
    call.hand_over(Moved(moved.name, moved.to_day, planned=True))
    call.ack(response_action="clear")
