"""The New customer modal, its duplicate confirmation, the customer card and search results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.errors import UserError
from bot.i18n import N_, Lang
from bot.rules.tiers import Value
from bot.services.corrections import ORDER, VISIT, RecordRef
from bot.services.customers import (
    FIELD_LIMITS,
    OWNER_ME,
    OWNER_POOL,
    CustomerCard,
    CustomerDraft,
    DuplicateMatch,
)
from bot.views import blocks as b
from bot.views import churn as churn_views
from bot.views import complaints as complaint_views
from bot.views import errors as error_views
from bot.views import labels
from bot.views.contacts import contact_blocks
from bot.views.corrections import record_menu
from bot.views.customer_history import NOTE_PREVIEW, history_lines
from bot.views.ids import Action, Callback, Field
from bot.views.recycle import decision_line
from bot.views.templating import render
from bot.views.text import Mrkdwn, clip, escape, mention, say
from store.models import (
    LEVELS,
    Customer,
    Person,
)


def level_options(lang: Lang) -> list[dict[str, Any]]:
    return [b.option(labels.level(level, lang), level) for level in LEVELS]


def owner_options(lang: Lang, people: Sequence[Person]) -> list[dict[str, Any]]:
    _ = lang.gettext
    options = [b.option(_("Me"), OWNER_ME), b.option(_("The pool (no owner)"), OWNER_POOL)]
    options += [b.option(person.name or person.user_id, person.user_id) for person in people]
    return options[:100]


# The text fields of the New customer form: (field, label, hint, multiline). Only the name is required.
TEXT_FIELDS = (
    (Field.NAME, N_("Customer name"), N_("Company or person, e.g. 上海华东贸易有限公司 or Acme Ltd"), False),
    (Field.CONTACT_PERSON, N_("Contact person"), None, False),
    (Field.PHONE, N_("Phone"), None, False),
    (Field.EMAIL, N_("Email"), None, False),
    (Field.REGION, N_("Region"), None, False),
    (Field.INDUSTRY, N_("Industry"), None, False),
    (Field.PRODUCTS, N_("Products of interest"), None, True),
    (Field.TAGS, N_("Tags"), N_("Separate tags with commas"), False),
    (Field.SOURCE, N_("Source"), N_("Where the lead came from: trade show, referral, website…"), False),
)


CHOSEN_FIELDS = (Field.REGION, Field.INDUSTRY)  # typed ahead among the values in use, or a new one


def text_field(
    lang: Lang, draft: CustomerDraft, field: Field, label: str, hint: str | None, multiline: bool
) -> b.Block:
    name = field.value
    initial = getattr(draft, name)
    if field in CHOSEN_FIELDS:
        chosen = b.option(initial, initial) if initial else None
        element = b.external_select(
            name, initial=chosen, placeholder=lang.gettext("Type to choose or add"), min_query_length=0
        )
        return b.input_block(name, lang.gettext(label), element, optional=True)
    element = b.text_input(name, initial=initial, multiline=multiline, max_length=FIELD_LIMITS[name])
    hint_text = lang.gettext(hint) if hint else None
    return b.input_block(name, lang.gettext(label), element, optional=field != Field.NAME, hint=hint_text)


def new_customer_modal(
    lang: Lang,
    *,
    owners: Sequence[Person] | None,
    metadata: dict[str, Any],
    draft: CustomerDraft | None = None,
) -> dict[str, Any]:
    """The form. `owners` is None for reps (they always own what they add)."""
    _ = lang.gettext
    d = draft or CustomerDraft(name="")
    blocks = [text_field(lang, d, *spec) for spec in TEXT_FIELDS]
    levels = b.static_select(Field.LEVEL.value, level_options(lang), initial=d.level)
    blocks.append(b.input_block(Field.LEVEL.value, _("Level"), levels))
    if owners is not None:
        select = b.static_select(Field.OWNER.value, owner_options(lang, owners), initial=d.owner or OWNER_ME)
        blocks.append(b.input_block(Field.OWNER.value, _("Owner"), select))
    return b.modal(
        title=_("New customer"),
        blocks=blocks,
        callback_id=Callback.CUSTOMER_NEW,
        submit=_("Save"),
        close=_("Cancel"),
        private_metadata=json.dumps(metadata, ensure_ascii=False),
    )


def duplicates_modal(
    lang: Lang,
    matches: Sequence[DuplicateMatch],
    metadata: dict[str, Any],
    callback: str = Callback.CUSTOMER_CONFIRM,
) -> dict[str, Any]:
    """Pushed over the form: lists each match with its owner; Back returns to the form."""
    _ = lang.gettext
    rows = "\n".join(
        render(
            "duplicate_row.md.j2",
            lang,
            name=match.name,
            owner=mention(match.owner_id) if match.owner_id else None,
            same_phone=match.same_phone,
        )
        for match in matches
    )
    blocks = [b.section(render("duplicates.md.j2", lang)), b.section(rows)]
    blocks.append(b.context(escape(_("Save anyway only if this is really a different customer."))))
    return b.modal(
        title=_("Possible duplicate"),
        blocks=blocks,
        callback_id=callback,
        submit=_("Save anyway"),
        close=_("Back"),
        private_metadata=json.dumps(metadata, ensure_ascii=False),
    )


def customer_card(
    lang: Lang, data: CustomerCard, *, claim_refusal: UserError | None = None
) -> dict[str, Any]:
    _ = lang.gettext
    customer = data.customer
    body = render(
        "customer_card.md.j2",
        lang,
        customer=customer,
        owner=labels.owner_mrkdwn(customer.owner_id, lang),
        level=labels.level(customer.level, lang) + (_(" (set by hand)") if customer.level_by_hand else ""),
        stage=labels.stage(customer.stage, lang),
        show_contact=data.show_contact,
        has_contacts=bool(data.contacts),
        order_count=data.order_count,
        revenue=labels.amount(data.revenue_minor, data.currency, lang),
    )
    blocks = [
        b.header(escape(customer.name)),
        b.section(body),
        *contact_blocks(lang, data.contacts, show_contact=data.show_contact, can_edit=data.can_work_on),
        *_card_notes(lang, data),
        *([b.context(error_views.mrkdwn(claim_refusal, lang))] if claim_refusal else []),
        *_card_history(lang, data),
    ]
    buttons = _card_buttons(lang, data, claimable=claim_refusal is None)
    if buttons:
        blocks.append(b.actions(*buttons))
    return b.message(_("Customer %(name)s") % {"name": escape(customer.name)}, blocks)


def _card_notes(lang: Lang, data: CustomerCard) -> list[dict[str, Any]]:
    """The card's one-line notes: locked, a request for more days, the value, lost, the churn risk."""
    customer = data.customer
    notes: list[str] = []
    if customer.locked_by:
        locked = N_(":lock: Locked by %(manager)s: never recycled.")
        notes.append(say(lang, locked, manager=mention(customer.locked_by)))
    if data.extension is not None:
        notes.append(":hourglass_flowing_sand: " + decision_line(lang, data.extension, data.timezone))
    if data.value is not None and data.value.orders_12m + data.value.lifetime:
        notes.append(value_line(lang, data.value, data.currency))
    if customer.lost_at is not None:
        notes.append(say(lang, N_(":x: Marked lost: %(reason)s"), reason=customer.lost_reason))
    if data.churn is not None:
        notes.append(churn_views.risk_line(lang, data.churn.band, data.churn.reasons))
    return [b.context(note) for note in notes]


def _card_history(lang: Lang, data: CustomerCard) -> list[dict[str, Any]]:
    """Recent visits, orders and complaints, and the ownership history."""
    _ = lang.gettext
    blocks = []
    if data.visits:
        blocks.append(b.section("*" + escape(_("Recent visits")) + "*"))
        blocks.extend(
            b.section(visit_line(lang, visit), accessory=_menu(lang, data, RecordRef(VISIT, visit.id or 0)))
            for visit in data.visits
        )
    if data.orders:
        blocks.append(b.section("*" + escape(_("Recent orders")) + "*"))
        blocks.extend(
            b.section(order_line(lang, order), accessory=_menu(lang, data, RecordRef(ORDER, order.id or 0)))
            for order in data.orders
        )
    if data.complaints:
        blocks.append(b.section(complaint_views.complaints_on_card(lang, data.complaints)))
    if data.moves or data.changes:
        lines = history_lines(lang, data.moves, data.changes, data.timezone, show_contact=data.show_contact)
        blocks.append(b.section("*" + escape(_("History")) + "*\n" + "\n".join(lines)))
    return blocks


def _menu(lang: Lang, data: CustomerCard, ref: RecordRef) -> dict[str, Any] | None:
    return record_menu(lang, ref) if str(ref) in data.correctable else None


def visit_line(lang: Lang, visit: Any) -> str:
    return render(
        "visit_line.md.j2",
        lang,
        visit=visit,
        kind=labels.kind(visit.kind, lang),
        author=mention(visit.author_id),
        note=clip(visit.note, NOTE_PREVIEW),
    )


def order_line(lang: Lang, order: Any) -> str:
    return render(
        "order_line.md.j2",
        lang,
        order=order,
        amount=labels.amount(order.amount_minor, order.currency, lang),
        product=order.product,
    )


def search_results(
    lang: Lang,
    query: str,
    customers: Sequence[Customer],
    *,
    action: str = Action.CUSTOMER_VIEW,
    label: str = N_("View"),
) -> dict[str, Any]:
    """Several customers match: each with a button that does what was asked (view, claim, release)."""
    _ = lang.gettext
    intro = escape(
        _("%(count)s customers match “%(query)s”. Pick one:") % {"count": len(customers), "query": query}
    )
    blocks: list[b.Block] = [b.section(intro)]
    for customer in customers[:20]:
        line = f"*{escape(customer.name)}* · {labels.owner_mrkdwn(customer.owner_id, lang)} · {escape(labels.level(customer.level, lang))}"
        blocks.append(b.section(line, accessory=b.button(_(label), action, str(customer.id))))
    return b.message(intro, blocks)


def value_line(lang: Lang, value: Value, currency: str) -> Mrkdwn:
    return say(
        lang,
        N_(
            "Last 12 months: %(revenue)s in %(orders)s orders · average order %(average)s · "
            "lifetime value about %(lifetime)s (%(years)s years)"
        ),
        revenue=labels.amount(value.revenue_12m, currency, lang),
        orders=value.orders_12m,
        average=labels.amount(value.average_order, currency, lang),
        lifetime=labels.rough_amount(value.lifetime, currency, lang),
        years=f"{value.years:.1f}".rstrip("0").rstrip("."),
    )


def _level_picker(lang: Lang, customer: Customer) -> dict[str, Any]:
    _ = lang.gettext
    value = str(customer.id)
    options = [b.option(labels.level(level, lang), f"{value}:{level}") for level in LEVELS]
    options.append(b.option(_("Automatic (from revenue)"), f"{value}:auto"))
    return b.static_select(Action.CUSTOMER_LEVEL, options, placeholder=_("Set level"))


def _card_buttons(lang: Lang, data: CustomerCard, *, claimable: bool = True) -> list[dict[str, Any]]:
    _ = lang.gettext
    customer = data.customer
    value = str(customer.id)
    last = [b.button(_("File complaint"), Action.COMPLAINT_NEW, value)]  # anyone may file one
    last += [b.button(_("Add contact"), Action.CONTACT_ADD, value)] if data.can_work_on else []
    edit = [b.button(_("Edit"), Action.CUSTOMER_EDIT, value)] if data.can_work_on else []
    edit += [b.button(_("Merge…"), Action.CUSTOMER_MERGE, value)] if data.can_merge else []
    edit += [b.button(_("Undo"), Action.CUSTOMER_UNDO, value)] if data.can_undo else []
    if customer.owner_id is None:
        claim = [b.button(_("Claim"), Action.POOL_CLAIM, value, style="primary")] if claimable else []
        return [*claim, *edit, *last]
    buttons = []
    if data.can_work_on:
        buttons += [
            b.button(_("Log visit"), Action.VISIT_OPEN, value, style="primary"),
            b.button(_("Log order"), Action.ORDER_OPEN, value),
            b.button(_("Release"), Action.CUSTOMER_RELEASE, value),
            _level_picker(lang, customer),
        ]
        if customer.lost_at is None:
            buttons.append(b.button(_("Mark lost"), Action.CUSTOMER_MARK_LOST, value))
    if data.can_lock and customer.locked_by:
        buttons.append(b.button(_("Unlock"), Action.CUSTOMER_UNLOCK, value))
    elif data.can_lock and data.lock_needed:  # a customer never recycled needs no lock
        buttons.append(b.button(_("Lock"), Action.CUSTOMER_LOCK, value))
    return [*buttons, *edit, *last]


def mark_lost_modal(lang: Lang, customer: Customer, metadata: dict[str, Any]) -> dict[str, Any]:
    _ = lang.gettext
    intro = say(lang, N_("Why is %(name)s lost? A new order undoes it."), name=customer.name)
    return b.modal(
        title=_("Mark lost"),
        blocks=[
            b.section(intro),
            b.input_block(Field.REASON.value, _("Reason"), b.text_input(Field.REASON.value, max_length=300)),
        ],
        callback_id=Callback.MARK_LOST,
        submit=_("Mark lost"),
        close=_("Cancel"),
        private_metadata=json.dumps({**metadata, "customer": customer.id}),
    )
