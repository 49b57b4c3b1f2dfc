"""The order modal and its confirmation."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.i18n import Lang
from bot.rules.money import COMMON_CURRENCIES
from bot.services.orders import PRODUCT_LIMIT, OrderLogged
from bot.views import blocks as b
from bot.views import labels
from bot.views.blocks import customer_picker
from bot.views.ids import Callback, Field
from bot.views.templating import render
from store.models import Customer


def order_modal(
    lang: Lang, *, today: date, base_currency: str, metadata: dict[str, Any], customer: Customer | None = None
) -> dict[str, Any]:
    _ = lang.gettext
    blocks = [
        b.input_block(Field.CUSTOMER.value, _("Customer"), customer_picker(lang, customer)),
        *amount_blocks(lang, base_currency),
        b.input_block(Field.ORDERED_ON.value, _("Date"), b.date_picker(Field.ORDERED_ON.value, today)),
        b.input_block(
            Field.PRODUCT.value,
            _("Product"),
            b.text_input(Field.PRODUCT.value, max_length=PRODUCT_LIMIT),
            optional=True,
        ),
    ]
    return b.modal(
        title=_("Log an order"),
        blocks=blocks,
        callback_id=Callback.ORDER_LOG,
        submit=_("Log order"),
        close=_("Cancel"),
        private_metadata=json.dumps(metadata, ensure_ascii=False),
    )


def amount_blocks(
    lang: Lang, base_currency: str, *, amount: str = "", currency: str = "", rate: str = ""
) -> list[dict[str, Any]]:
    """The amount, its currency (the workspace's first) and the rate for another currency; filled in
    when an order is corrected."""
    _ = lang.gettext
    currencies = [base_currency] + [code for code in COMMON_CURRENCIES if code != base_currency]
    if currency and currency not in currencies:
        currencies.append(currency)
    return [
        b.input_block(
            Field.AMOUNT.value,
            _("Amount"),
            b.text_input(Field.AMOUNT.value, initial=amount, max_length=32, placeholder="1200.00"),
        ),
        b.input_block(
            Field.CURRENCY.value,
            _("Currency"),
            b.static_select(
                Field.CURRENCY.value, [b.option(c, c) for c in currencies], initial=currency or base_currency
            ),
        ),
        b.input_block(
            Field.RATE.value,
            _("Rate to %(currency)s") % {"currency": base_currency},
            b.text_input(Field.RATE.value, initial=rate, max_length=32),
            optional=True,
            hint=_("Only for another currency: how many %(currency)s one unit is worth.")
            % {"currency": base_currency},
        ),
    ]


def order_logged(lang: Lang, logged: OrderLogged, base_currency: str) -> dict[str, Any]:
    """The confirmation; an order in another currency shows both amounts (US$5,000.00 ≈ CN¥35,617.28)."""
    order = logged.order
    amount = labels.amount(order.amount_minor, order.currency, lang)
    if order.currency != base_currency:
        amount = (
            f"{labels.unambiguous_amount(order.amount_minor, order.currency, lang)} ≈ "
            f"{labels.unambiguous_amount(order.amount_base_minor, base_currency, lang)}"
        )
    body = render(
        "order_logged.md.j2",
        lang,
        customer=logged.customer,
        order=order,
        amount=amount,
        product=order.product,
        first_order=logged.first_order,
    )
    return b.message(body, [b.section(body)])
