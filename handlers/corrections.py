"""Correcting or deleting a visit or an order from its line on the customer card (the "⋯" menu)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from slack_bolt import App

from bot.services import corrections, customers
from bot.services.corrections import RecordRef
from bot.services.orders import OrderDraft
from bot.services.visits import VisitDraft
from bot.views import corrections as views
from bot.views.ids import Action, Callback, Field
from handlers.customers import card_message
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import form_values, int_of, text_of


@dataclass(frozen=True)
class Corrected:
    customer_id: int


def register(app: App, kit: Kit) -> None:
    app.action(Action.RECORD_MENU)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_correction_form)])
    for callback, submit in (
        (Callback.CORRECT_VISIT, submit_visit),
        (Callback.CORRECT_ORDER, submit_order),
        (Callback.DELETE_RECORD, submit_delete),
    ):
        app.view(callback)(ack=listener(kit, submit), lazy=[lazy(kit, show_card, when_deferred=True)])


def open_correction_form(call: Call) -> None:
    """Correct… or Delete… from the menu; refused before the form opens for one who may not."""
    what, _, text = call.action_value.partition(":")
    ref = RecordRef.parse(text)
    found = corrections.open_correction(call.env, call.me, ref)
    metadata = {**call.metadata(), "record": str(ref), "shown": corrections.shown_columns(found.record)}
    name = found.customer.name
    if what == views.DELETE:
        view = views.delete_record_modal(call.lang, name, found.record, metadata)
    else:
        view = views.correct_modal(call.lang, name, found.record, call.me.currency, metadata)
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def _ref(call: Call) -> RecordRef:
    return RecordRef.parse(str(call.view_metadata().get("record") or ""))


def _day(call: Call, name: str) -> date:
    picked = form_values(call.body).get(name)
    return picked if isinstance(picked, date) else call.me.today(call.env)


def submit_visit(call: Call) -> None:
    values = form_values(call.body)
    typed = VisitDraft(
        customer_id=0,
        kind=text_of(values, Field.KIND.value),
        visited_on=_day(call, Field.VISITED_ON.value),
        note=text_of(values, Field.NOTE.value),
        satisfaction=int_of(values, Field.SATISFACTION.value),
    )
    shown = call.view_metadata().get("shown") or {}
    done = corrections.correct_visit(call.env, call.me, _ref(call).id, shown, typed)
    call.hand_over(Corrected(done.customer_id))
    call.ack(response_action="clear")


def submit_order(call: Call) -> None:
    values = form_values(call.body)
    typed = OrderDraft(
        customer_id=0,
        amount=text_of(values, Field.AMOUNT.value),
        currency=text_of(values, Field.CURRENCY.value),
        rate=text_of(values, Field.RATE.value),
        ordered_on=_day(call, Field.ORDERED_ON.value),
        product=text_of(values, Field.PRODUCT.value),
    )
    shown = call.view_metadata().get("shown") or {}
    done = corrections.correct_order(call.env, call.me, _ref(call).id, shown, typed)
    call.hand_over(Corrected(done.customer_id))
    call.ack(response_action="clear")


def submit_delete(call: Call) -> None:
    reason = text_of(form_values(call.body), Field.REASON.value)
    done = corrections.delete_record(call.env, call.me, _ref(call), reason)
    call.hand_over(Corrected(done.customer_id))
    call.ack(response_action="clear")


def show_card(call: Call) -> None:
    """The card as it is now: the corrected facts, and the change in its history."""
    card = customers.card(call.env, call.me, call.handed(Corrected).customer_id)
    call.tell(card_message(call, card))
