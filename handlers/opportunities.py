"""`/deal`: *New opportunity* (the form), `/deal mine` (mine; a manager's team's; an admin's: everyone's,
by stage), `/deal name` (that customer's), and the card's buttons: *Next stage*, *Set stage*, *Won*
(writes the order), *Lost* (a reason from a list and words), *Log visit*. Each change is written in
the ack from the version the card was drawn at; the card is drawn again in the lazy twin. A card
older than the opportunity is refused and drawn as it is now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import App

from bot.errors import ChangedMeanwhile, InvalidInput
from bot.i18n import N_
from bot.messaging.home import refresh_home
from bot.services import (
    customers,
    opportunities,
    opportunities_card,
    opportunities_edit,
    opportunities_reminders,
)
from bot.services.opportunities import OpportunityDraft
from bot.views import customers as customer_views
from bot.views import opportunities as views
from bot.views.ids import Action, Callback, Command, Field
from bot.views.text import say, unescape_slack
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import chosen_customer, form_values, int_of, text_of

MINE = ("mine", "我的")


@dataclass(frozen=True)
class OpenForm:
    customer_id: int | None = None


@dataclass(frozen=True)
class Changed:
    """The opportunity changed in the ack (or found changed by someone else): its card is drawn again."""

    number: int


def register(app: App, kit: Kit) -> None:
    app.command(Command.DEAL)(
        ack=listener(kit, deal_command), lazy=[lazy(kit, open_form, when_deferred=True)]
    )
    app.action(Action.OPPORTUNITY_NEW)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_form_for_button)])
    app.view(Callback.OPPORTUNITY_NEW)(
        ack=listener(kit, submit_new), lazy=[lazy(kit, show_card, when_deferred=True)]
    )
    app.action(Action.OPPORTUNITY_VIEW)(ack=listener(kit, view_card), lazy=[lazy(kit, show_card)])
    for action, change in (
        (Action.OPPORTUNITY_NEXT, next_stage),
        (Action.OPPORTUNITY_SET_STAGE, set_stage),
        (Action.OPPORTUNITY_WON, won),
    ):
        app.action(action)(ack=listener(kit, change), lazy=[lazy(kit, redraw_card, when_deferred=True)])
    app.action(Action.OPPORTUNITY_LOST)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_lost_form)])
    app.action(Action.OPPORTUNITY_EDIT)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_edit_form)])
    app.view(Callback.OPPORTUNITY_EDIT)(
        ack=listener(kit, submit_edit), lazy=[lazy(kit, show_card, when_deferred=True)]
    )
    app.action(Action.OPPORTUNITY_SNOOZE)(
        ack=listener(kit, snooze), lazy=[lazy(kit, say_snoozed, when_deferred=True)]
    )
    app.view(Callback.OPPORTUNITY_LOST)(
        ack=listener(kit, submit_lost), lazy=[lazy(kit, show_card, when_deferred=True)]
    )


def deal_command(call: Call) -> None:
    text = unescape_slack(call.text).strip()
    if not text:
        call.hand_over(OpenForm())
        return
    if text.lower() in MINE:
        title = call.lang.gettext("Open opportunities")
        call.ack(**views.listing(call.lang, title, opportunities_card.open_for(call.env, call.me),
                                 base_currency=call.me.currency))  # fmt: skip
        return
    found = customers.resolve_one(call.env, call.me, text)
    if isinstance(found, list):
        call.ack(**customer_views.search_results(call.lang, text, found))
        return
    title = say(call.lang, N_("Opportunities of %(name)s"), name=found.name)
    cards = opportunities_card.of_customer(call.env, call.me, found.id or 0)
    call.ack(**views.listing(call.lang, title, cards, base_currency=call.me.currency, new_for=found.id))


def _open_form(call: Call, customer_id: int | None) -> None:
    customer = customers.get_customer(call.env, call.me, customer_id) if customer_id else None
    view = views.new_modal(
        call.lang,
        stages=opportunities.stages(call.env, call.me.workspace_id),
        today=call.me.today(call.env),
        base_currency=call.me.currency,
        metadata=call.metadata(),
        customer=customer,
    )
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def open_form(call: Call) -> None:
    _open_form(call, call.handed(OpenForm).customer_id)


def open_form_for_button(call: Call) -> None:
    value = call.action_value
    _open_form(call, int(value) if value.isdigit() else None)


def submit_new(call: Call) -> None:
    values = form_values(call.body)
    draft = _draft(values, chosen_customer(values), int_of(values, Field.STAGE.value))
    opened = opportunities.open_opportunity(call.env, call.me, draft)
    call.hand_over(Changed(opened.id))
    call.ack(response_action="clear")


def view_card(call: Call) -> None:
    number = call.action_value
    if not number.isdigit():
        raise InvalidInput(N_("That opportunity no longer exists."))
    call.hand_over(Changed(int(number)))
    call.ack()


def _seen(value: str) -> tuple[int, int]:
    """The opportunity and the version a button or select was drawn at ("12:3", "12:3:5")."""
    parts = value.split(":")
    if len(parts) < 2 or not all(part.isdigit() for part in parts):
        raise InvalidInput(N_("That opportunity no longer exists."))
    return int(parts[0]), int(parts[1])


def _value_of(call: Call) -> str:
    action = (call.body.get("actions") or [{}])[0]
    chosen = action.get("selected_option") or {}
    return str(chosen.get("value") or action.get("value") or "")


def _change(call: Call, do: Callable[[int, int], object]) -> None:
    number, version = _seen(_value_of(call))
    try:
        do(number, version)
    except ChangedMeanwhile as error:
        call.hand_over(Changed(number))
        call.refuse_later(str(say(call.lang, error.message)))
        call.ack()
        return
    call.hand_over(Changed(number))
    call.ack()


def next_stage(call: Call) -> None:
    _change(
        call, lambda number, version: opportunities.move_next(call.env, call.me, number, seen_version=version)
    )


def set_stage(call: Call) -> None:
    stage = _value_of(call).split(":")[-1]

    def move(number: int, version: int) -> None:
        opportunities.move(call.env, call.me, number, seen_version=version, stage_id=int(stage))

    _change(call, move)


def won(call: Call) -> None:
    _change(
        call, lambda number, version: opportunities.mark_won(call.env, call.me, number, seen_version=version)
    )


def redraw_card(call: Call) -> None:
    changed = call.handed(Changed)
    shown = opportunities_card.card(call.env, call.me, changed.number)
    call.tell(
        views.card(call.lang, shown, base_currency=call.me.currency, today=call.me.today(call.env)),
        replace=True,
    )
    refresh_home(call.client, call.env, call.me)


def show_card(call: Call) -> None:
    changed = call.handed(Changed)
    shown = opportunities_card.card(call.env, call.me, changed.number)
    call.tell(views.card(call.lang, shown, base_currency=call.me.currency, today=call.me.today(call.env)))


def open_lost_form(call: Call) -> None:
    number, version = _seen(call.action_value)
    view = views.lost_modal(call.lang, number=number, version=version, metadata=call.metadata())
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def submit_lost(call: Call) -> None:
    number, version = _seen(str(call.view_metadata().get("o", "")))
    values = form_values(call.body)
    opportunities.mark_lost(
        call.env, call.me, number, seen_version=version,
        reason_key=text_of(values, Field.REASON.value), words=text_of(values, Field.NOTE.value),
    )  # fmt: skip
    call.hand_over(Changed(number))
    call.ack(response_action="clear")


@dataclass(frozen=True)
class Snoozed:
    number: int
    until: date


def snooze(call: Call) -> None:
    """A morning reminder's *Snooze*: the opportunity is left out of the reminders for a few days."""
    number, days = _seen(call.action_value)
    until = opportunities_reminders.snooze(call.env, call.me, number, days)
    call.hand_over(Snoozed(number, until))
    call.ack()


def say_snoozed(call: Call) -> None:
    snoozed = call.handed(Snoozed)
    call.tell(views.snoozed(call.lang, snoozed.number, snoozed.until))


def open_edit_form(call: Call) -> None:
    number, _version = _seen(call.action_value)
    deal = opportunities.get_opportunity(call.env, call.me, number)
    view = views.edit_modal(call.lang, deal, base_currency=call.me.currency, metadata=call.metadata())
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def submit_edit(call: Call) -> None:
    number, version = _seen(str(call.view_metadata().get("o", "")))
    values = form_values(call.body)
    draft = _draft(values, 0, None)  # its customer and stage are kept
    opportunities_edit.edit_opportunity(call.env, call.me, number, seen_version=version, draft=draft)
    call.hand_over(Changed(number))
    call.ack(response_action="clear")


def _draft(values: dict[str, Any], customer_id: int, stage_id: int | None) -> OpportunityDraft:
    """What the *New opportunity* or *Edit* form holds."""
    return OpportunityDraft(
        customer_id=customer_id,
        title=text_of(values, Field.TITLE.value),
        amount=text_of(values, Field.AMOUNT.value),
        currency=text_of(values, Field.CURRENCY.value),
        rate=text_of(values, Field.RATE.value),
        stage_id=stage_id,
        probability=text_of(values, Field.PROBABILITY.value),
        expected_close_on=values.get(Field.CLOSE_ON.value),
        products=text_of(values, Field.PRODUCTS.value),
        next_step=text_of(values, Field.NEXT_STEP.value),
    )
