"""Correcting a visit or an order: the "⋯" menu on its line, the forms filled in, the delete with its
reason, and the lines these leave in the customer's history."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.i18n import N_, Lang
from bot.rules import money
from bot.services.corrections import DELETED, ORDER, VISIT, RecordRef
from bot.services.corrections import REASON_LIMIT as DELETE_REASON_LIMIT
from bot.services.orders import PRODUCT_LIMIT
from bot.views import blocks as b
from bot.views import labels
from bot.views.ids import Action, Callback, Field
from bot.views.orders import amount_blocks
from bot.views.text import Mrkdwn, clip, day, escape, mention, say
from bot.views.visits import kind_block, note_blocks
from store.models import CustomerChange, Order, Visit

SHOWN_IN_HISTORY = 80

CORRECT, DELETE = "correct", "delete"


def record_menu(lang: Lang, ref: RecordRef) -> dict[str, Any]:
    """The "⋯" of a visit's or an order's line on the card, for one who may correct it."""
    _ = lang.gettext
    return b.overflow(
        Action.RECORD_MENU,
        [b.option(_("Correct…"), f"{CORRECT}:{ref}"), b.option(_("Delete…"), f"{DELETE}:{ref}")],
    )


def _modal(
    lang: Lang, title: str, callback: str, blocks: list[Any], metadata: dict[str, Any]
) -> dict[str, Any]:
    _ = lang.gettext
    return b.modal(
        title=title,
        blocks=blocks,
        callback_id=callback,
        submit=_("Save"),
        close=_("Cancel"),
        private_metadata=json.dumps(metadata, ensure_ascii=False),
    )


def correct_modal(
    lang: Lang, name: str, record: Visit | Order, base_currency: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    if isinstance(record, Visit):
        return correct_visit_modal(lang, name, record, metadata)
    return correct_order_modal(lang, name, record, base_currency, metadata)


def correct_visit_modal(lang: Lang, name: str, visit: Visit, metadata: dict[str, Any]) -> dict[str, Any]:
    _ = lang.gettext
    intro = say(
        lang,
        N_("Correct the visit to %(name)s of %(day)s. The customer's history keeps what it said before."),
        name=name,
        day=day(visit.visited_on, lang),
    )
    blocks = [
        b.section(intro),
        kind_block(lang, visit.kind),
        b.input_block(
            Field.VISITED_ON.value, _("Date"), b.date_picker(Field.VISITED_ON.value, visit.visited_on)
        ),
        *note_blocks(lang, visit.note, visit.satisfaction),
    ]
    return _modal(lang, _("Correct visit"), Callback.CORRECT_VISIT, blocks, metadata)


def correct_order_modal(
    lang: Lang, name: str, order: Order, base_currency: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    _ = lang.gettext
    intro = say(
        lang,
        N_("Correct the order from %(name)s of %(day)s. The customer's history keeps what it said before."),
        name=name,
        day=day(order.ordered_on, lang),
    )
    amount = str(money.from_minor(order.amount_minor, order.currency))
    rate = order.rate if order.currency != base_currency else ""
    blocks = [
        b.section(intro),
        *amount_blocks(lang, base_currency, amount=amount, currency=order.currency, rate=rate),
        b.input_block(
            Field.ORDERED_ON.value, _("Date"), b.date_picker(Field.ORDERED_ON.value, order.ordered_on)
        ),
        b.input_block(
            Field.PRODUCT.value,
            _("Product"),
            b.text_input(Field.PRODUCT.value, initial=order.product, max_length=PRODUCT_LIMIT),
            optional=True,
        ),
    ]
    return _modal(lang, _("Correct order"), Callback.CORRECT_ORDER, blocks, metadata)


def delete_record_modal(
    lang: Lang, name: str, record: Visit | Order, metadata: dict[str, Any]
) -> dict[str, Any]:
    _ = lang.gettext
    if isinstance(record, Visit):
        question = say(
            lang,
            N_("Delete the visit to %(name)s of %(day)s (%(kind)s)? It stays in the customer's history, with your reason."),
            name=name, day=day(record.visited_on, lang), kind=labels.kind(record.kind, lang),
        )  # fmt: skip
    else:
        question = say(
            lang,
            N_("Delete the order from %(name)s of %(day)s (%(amount)s)? It stays in the customer's history, with your reason."),
            name=name, day=day(record.ordered_on, lang), amount=labels.amount(record.amount_minor, record.currency, lang),
        )  # fmt: skip
    reason = b.text_input(Field.REASON.value, multiline=True, max_length=DELETE_REASON_LIMIT)
    blocks = [b.section(question), b.input_block(Field.REASON.value, _("Why?"), reason)]
    title = _("Delete visit") if isinstance(record, Visit) else _("Delete order")
    return _modal(lang, title, Callback.DELETE_RECORD, blocks, metadata) | {
        "submit": b.plain(_("Delete"), 24)
    }


# -- the history ------------------------------------------------------------------------------------

FIELD_NAMES = {
    "kind": N_("the type"),
    "visited_on": N_("the date"),
    "ordered_on": N_("the date"),
    "note": N_("the note"),
    "satisfaction": N_("the satisfaction"),
    "amount": N_("the amount"),
    "rate": N_("the rate"),
    "product": N_("the product"),
}
_CORRECTED = {
    VISIT: N_("%(actor)s corrected a visit: %(field)s from “%(old)s” to “%(new)s”"),
    ORDER: N_("%(actor)s corrected an order: %(field)s from “%(old)s” to “%(new)s”"),
}


def record_change_line(lang: Lang, change: CustomerChange) -> Mrkdwn:
    """A visit or an order corrected (one field) or deleted (with the reason), as a sentence."""
    kind = change.record.partition(":")[0]
    actor = mention(change.actor_id)
    if change.field == DELETED:
        return _deleted_line(lang, kind, actor, change)
    field = lang.gettext(FIELD_NAMES.get(change.field, change.field))
    old, new = _shown(lang, change.field, change.old_value), _shown(lang, change.field, change.new_value)
    return say(lang, _CORRECTED.get(kind, _CORRECTED[VISIT]), actor=actor, field=field, old=old, new=new)


def _shown(lang: Lang, field: str, value: str) -> str:
    if not value:
        return "—"
    if field in ("visited_on", "ordered_on"):
        return day(date.fromisoformat(value), lang)
    if field == "kind":
        return labels.kind(value, lang)
    if field == "amount":
        minor, _, currency = value.partition(" ")
        return labels.amount(int(minor), currency, lang)
    if field == "satisfaction":
        return f"{value}/5"
    return clip(value, SHOWN_IN_HISTORY)


def _deleted_line(lang: Lang, kind: str, actor: str, change: CustomerChange) -> Mrkdwn:
    kept = json.loads(change.old_value or "{}")
    if kind == ORDER:
        text = say(
            lang, N_("%(actor)s deleted the order of %(day)s (%(amount)s)"), actor=actor,
            day=_kept_day(lang, kept.get("ordered_on")),
            amount=labels.amount(int(kept.get("amount_minor") or 0), str(kept.get("currency") or "CNY"), lang),
        )  # fmt: skip
    else:
        text = say(
            lang, N_("%(actor)s deleted the visit of %(day)s (%(kind)s)"), actor=actor,
            day=_kept_day(lang, kept.get("visited_on")), kind=labels.kind(str(kept.get("kind") or ""), lang),
        )  # fmt: skip
    return Mrkdwn(text + " — “" + escape(clip(change.reason, SHOWN_IN_HISTORY)) + "”")


def _kept_day(lang: Lang, value: Any) -> str:
    return day(date.fromisoformat(value), lang) if isinstance(value, str) and value else "—"
