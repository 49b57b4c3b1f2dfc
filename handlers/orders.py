"""`/order`: log a purchase in a modal; the first order marks the customer as dealt."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot.errors import InvalidInput
from bot.i18n import N_
from bot.messaging.home import refresh_home
from bot.rules.commands import OneLineOrder, split_one_line_order
from bot.services import customers, orders
from bot.services.orders import OrderDraft
from bot.views import customers as customer_views
from bot.views import orders as views
from bot.views.ids import Action, Callback, Command, Field
from bot.views.text import unescape_slack
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import chosen_customer, form_values, text_of


@dataclass(frozen=True)
class OpenForm:
    """The form opens in the lazy step, for a customer or empty."""

    customer_id: int | None = None


@dataclass(frozen=True)
class Logged:
    order_id: int
    first_order: bool


def register(app: App, kit: Kit) -> None:
    app.command(Command.ORDER)(
        ack=listener(kit, order_command), lazy=[lazy(kit, open_order_form_for_command, when_deferred=True)]
    )
    app.action(Action.ORDER_OPEN)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_order_form_for_button)])
    app.view(Callback.ORDER_LOG)(
        ack=listener(kit, submit_order), lazy=[lazy(kit, confirm_order, when_deferred=True)]
    )


def order_command(call: Call) -> None:
    """`/order` opens the form; `/order name` opens it for that customer, or lists the matches;
    `/order name: 12800 dyed yarn` logs it in the ack, with the form's checks."""
    text = unescape_slack(call.text)
    if not text:
        call.hand_over(OpenForm())
        return
    one_line = split_one_line_order(text)
    if one_line is not None:
        _log_one_line(call, one_line)
        return
    found = customers.resolve_one(call.env, call.me, text)
    if not isinstance(found, list):
        call.hand_over(OpenForm(found.id))
    else:
        call.ack(**customer_views.search_results(call.lang, text, found))


USAGE = N_(
    "Name the customer, then the amount, an optional currency code and the product: "
    "/order Acme: 12800 dyed yarn. /order alone opens the form."
)


def _log_one_line(call: Call, one_line: OneLineOrder) -> None:
    if not one_line.customer_query or not one_line.amount:
        raise InvalidInput(USAGE)
    found = customers.resolve_one(call.env, call.me, one_line.customer_query)
    if isinstance(found, list):
        call.ack(**customer_views.search_results(call.lang, one_line.customer_query, found))
        return
    if one_line.currency and one_line.currency != call.me.currency:
        message = N_("An order in %(currency)s needs its rate: open the form with /order %(name)s.")
        raise InvalidInput(message, currency=one_line.currency, name=found.name)
    today = call.me.today(call.env)
    draft = OrderDraft(found.id or 0, one_line.amount, one_line.currency, today, one_line.product)
    logged = orders.log_order(call.env, call.me, draft)
    call.ack(**views.order_logged(call.lang, logged, call.me.currency))


def _open_form(call: Call, customer: customers.Customer | None) -> None:
    view = views.order_modal(
        call.lang,
        today=call.me.today(call.env),
        base_currency=call.me.currency,
        metadata=call.metadata(),
        customer=customer,
    )
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def open_order_form_for_command(call: Call) -> None:
    customer_id = call.handed(OpenForm).customer_id
    _open_form(call, customers.get_customer(call.env, call.me, customer_id) if customer_id else None)


def open_order_form_for_button(call: Call) -> None:
    value = call.action_value
    _open_form(call, customers.get_customer(call.env, call.me, int(value)) if value.isdigit() else None)


def submit_order(call: Call) -> None:
    values = form_values(call.body)
    customer_id = chosen_customer(values)
    draft = OrderDraft(
        customer_id=customer_id,
        amount=text_of(values, Field.AMOUNT.value),
        currency=text_of(values, Field.CURRENCY.value),
        rate=text_of(values, Field.RATE.value),
        ordered_on=values.get(Field.ORDERED_ON.value) or call.me.today(call.env),
        product=text_of(values, Field.PRODUCT.value),
    )
    logged = orders.log_order(call.env, call.me, draft)
    call.hand_over(Logged(logged.order.id or 0, logged.first_order))
    call.ack(response_action="clear")


def confirm_order(call: Call) -> None:
    handed = call.handed(Logged)
    logged = orders.logged_order(call.env, call.me, handed.order_id, first_order=handed.first_order)
    call.tell(views.order_logged(call.lang, logged, call.me.currency))
    refresh_home(call.client, call.env, call.me)
