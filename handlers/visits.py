"""`/visit`: the modal, the one-line form, candidate buttons, and the "Log as visit" shortcut."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_bolt import App

from bot.errors import InvalidInput
from bot.i18n import N_
from bot.messaging.home import refresh_home
from bot.rules.commands import split_one_line_visit
from bot.services import customers, opportunities, opportunities_card, visits
from bot.services.visits import VisitDraft
from bot.views import visits as views
from bot.views.ids import Action, Callback, Command, Field
from bot.views.text import unescape_slack
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import chosen_customer, form_values, int_of, text_of

BUTTON_VALUE_LIMIT = 2000


@dataclass(frozen=True)
class OpenForm:
    """The form opens in the lazy step: for a customer, with a note, or empty."""

    customer_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Logged:
    visit_id: int


USAGE = N_(
    "Name the customer before the colon: /visit Acme: called about the renewal, or "
    "/visit Acme: meeting: agreed the renewal with the visit's type. /visit alone opens the form."
)


def register(app: App, kit: Kit) -> None:
    app.command(Command.VISIT)(
        ack=listener(kit, visit_command), lazy=[lazy(kit, open_visit_form_for_command, when_deferred=True)]
    )
    app.action(Action.VISIT_OPEN)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_visit_form_for_button)])
    app.action(Action.OPPORTUNITY_VISIT)(
        ack=listener(kit, just_ack), lazy=[lazy(kit, open_visit_form_for_opportunity)]
    )
    app.action(Action.VISIT_PICK)(ack=listener(kit, just_ack), lazy=[lazy(kit, log_picked_candidate)])
    app.action(Action.CUSTOMER_PICK)(ack=listener(kit, just_ack), lazy=[lazy(kit, suggest_follow_up)])
    app.view(Callback.VISIT_LOG)(
        ack=listener(kit, submit_visit), lazy=[lazy(kit, confirm_visit, when_deferred=True)]
    )
    app.shortcut(Callback.LOG_AS_VISIT)(
        ack=listener(kit, just_ack), lazy=[lazy(kit, open_visit_form_for_message)]
    )


def visit_command(call: Call) -> None:
    """`/visit name: note` logs in the ack when the name is unique; otherwise the form opens lazily."""
    text = unescape_slack(call.text)
    one_line = split_one_line_visit(text)
    if not text:
        call.hand_over(OpenForm())
        return
    if one_line is None:
        _pick_or_open(call, text)
        return
    if not one_line.customer_query:
        raise InvalidInput(USAGE)
    visits.check_note(one_line.note)
    found = customers.resolve_one(call.env, call.me, one_line.customer_query)
    if not isinstance(found, list):
        draft = visits.one_line_draft(found, one_line.note, call.me.today(call.env), one_line.kind)
        call.ack(**views.visit_logged(call.lang, visits.log_visit(call.env, call.me, draft)))
        return
    if not one_line.note:
        raise InvalidInput(N_("Write a note after the colon: /visit Acme: called about the renewal"))
    if _fits_in_buttons(found, one_line.note):
        query, note = one_line.customer_query, one_line.note
        workable = customers.workable(call.env, call.me, found)
        call.ack(**views.visit_candidates(call.lang, query, found, note, one_line.kind, workable))
    else:
        call.hand_over(OpenForm(note=one_line.note))  # too long to ride in a button: the form opens instead


def _pick_or_open(call: Call, query: str) -> None:
    """`/visit name`: the form opens for a unique match; several matches answer with choices."""
    found = customers.resolve_one(call.env, call.me, query)
    if not isinstance(found, list):
        call.hand_over(OpenForm(customer_id=found.id))
    else:
        call.ack(**views.visit_candidates(call.lang, query, found, None))


def _fits_in_buttons(found: list[customers.Customer], note: str) -> bool:
    longest = max(len(json.dumps({"c": c.id, "n": note}, ensure_ascii=False)) for c in found)
    return longest <= BUTTON_VALUE_LIMIT


def _open_form(
    call: Call, *, customer: customers.Customer | None = None, note: str = "", opportunity: int | None = None
) -> None:
    today = call.me.today(call.env)
    follow_up = visits.suggestion_for(customer, today) if customer else None
    view = views.visit_modal(
        call.lang, today=today, metadata=call.metadata(), customer=customer, note=note, follow_up=follow_up,
        opportunities=_open_ones(call, customer), opportunity=opportunity,
    )  # fmt: skip
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def _open_ones(call: Call, customer: customers.Customer | None) -> list[tuple[int, str]]:
    return opportunities_card.open_titles(call.env, call.me, customer.id or 0) if customer else []


def open_visit_form_for_opportunity(call: Call) -> None:
    """*Log visit* on an opportunity's card: the form for its customer, the opportunity chosen."""
    value = call.action_value
    deal = opportunities.get_opportunity(call.env, call.me, int(value) if value.isdigit() else 0)
    _open_form(
        call, customer=customers.get_customer(call.env, call.me, deal.customer_id), opportunity=deal.id
    )


def open_visit_form_for_command(call: Call) -> None:
    opened = call.handed(OpenForm)
    customer = customers.get_customer(call.env, call.me, opened.customer_id) if opened.customer_id else None
    _open_form(call, customer=customer, note=opened.note)


def open_visit_form_for_button(call: Call) -> None:
    value = call.action_value
    _open_form(
        call, customer=customers.get_customer(call.env, call.me, int(value)) if value.isdigit() else None
    )


def open_visit_form_for_message(call: Call) -> None:
    message: dict[str, Any] = call.body.get("message") or {}
    _open_form(call, note=unescape_slack(str(message.get("text", ""))))


def log_picked_candidate(call: Call) -> None:
    picked = json.loads(call.action_value)
    customer = customers.get_customer(call.env, call.me, int(picked["c"]))
    draft = visits.one_line_draft(customer, str(picked["n"]), call.me.today(call.env), picked.get("k"))
    call.tell(views.visit_logged(call.lang, visits.log_visit(call.env, call.me, draft)), replace=True)
    refresh_home(call.client, call.env, call.me)


def suggest_follow_up(call: Call) -> None:
    """Picking a customer in the visit form fills the next follow-up from the level's cadence."""
    view = call.body.get("view") or {}
    if view.get("callback_id") != Callback.VISIT_LOG:
        return
    values = form_values(call.body)
    customer_id = int_of(values, Field.CUSTOMER.value)
    if customer_id is None:
        return
    customer = customers.get_customer(call.env, call.me, customer_id)
    visited_on = values.get(Field.VISITED_ON.value) or call.me.today(call.env)
    updated = views.visit_modal(
        call.lang,
        today=visited_on,
        metadata=json.loads(view.get("private_metadata") or "{}"),
        customer=customer,
        note=text_of(values, Field.NOTE.value),
        follow_up=visits.suggestion_for(customer, visited_on),
        opportunities=_open_ones(call, customer),
        opportunity=int_of(values, Field.OPPORTUNITY.value),
    )
    call.client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)


def _visit_draft(call: Call) -> VisitDraft:
    values = form_values(call.body)
    customer_id = chosen_customer(values)
    satisfaction = int_of(values, Field.SATISFACTION.value)
    return VisitDraft(
        customer_id=customer_id,
        kind=text_of(values, Field.KIND.value) or "call",
        visited_on=values.get(Field.VISITED_ON.value) or call.me.today(call.env),
        note=text_of(values, Field.NOTE.value),
        satisfaction=satisfaction,
        next_follow_up=values.get(Field.NEXT_FOLLOW_UP.value),
        opportunity_id=int_of(values, Field.OPPORTUNITY.value),
    )


def submit_visit(call: Call) -> None:
    logged = visits.log_visit(call.env, call.me, _visit_draft(call))
    call.hand_over(Logged(logged.visit.id or 0))
    call.ack(response_action="clear")


def confirm_visit(call: Call) -> None:
    logged = visits.logged_visit(call.env, call.me, call.handed(Logged).visit_id)
    call.tell(views.visit_logged(call.lang, logged))
    refresh_home(call.client, call.env, call.me)
