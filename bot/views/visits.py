"""The visit modal, the one-line candidates, and the confirmation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.i18n import Lang
from bot.services.visits import NOTE_LIMIT, VisitLogged
from bot.views import blocks as b
from bot.views import labels
from bot.views.blocks import customer_picker
from bot.views.ids import Action, Callback, Field
from bot.views.templating import render
from bot.views.text import clip, escape
from store.models import VISIT_KINDS, Customer

CONFIRM_NOTE_PREVIEW = 500


def follow_up_block_id(customer_id: int | None) -> str:
    """A new block id per chosen customer, so Slack shows the new suggested date (it keeps typed values
    for a block id it has seen)."""
    return f"{Field.NEXT_FOLLOW_UP.value}.{customer_id or 0}"


def visit_modal(
    lang: Lang,
    *,
    today: date,
    metadata: dict[str, Any],
    customer: Customer | None = None,
    note: str = "",
    follow_up: date | None = None,
    opportunities: Sequence[tuple[int, str]] = (),
    opportunity: int | None = None,
) -> dict[str, Any]:
    """The visit form; with the customer's open opportunities (number, title) to name the one it was
    about (`opportunity`: chosen already, from its card)."""
    _ = lang.gettext
    picker = customer_picker(lang, customer)
    blocks = [
        b.input_block(Field.CUSTOMER.value, _("Customer"), picker, dispatch_action=True),
        kind_block(lang),
        b.input_block(Field.VISITED_ON.value, _("Date"), b.date_picker(Field.VISITED_ON.value, today)),
        *note_blocks(lang, note),
        b.input_block(
            follow_up_block_id(customer.id if customer else None),
            _("Next follow-up"),
            b.date_picker(Field.NEXT_FOLLOW_UP.value, follow_up),
            optional=True,
            hint=_("Suggested from the customer's level: A every 14 days, B 30, C 60."),
        ),
        *_opportunity_block(lang, opportunities, opportunity),
    ]
    return b.modal(
        title=_("Log a visit"),
        blocks=blocks,
        callback_id=Callback.VISIT_LOG,
        submit=_("Log visit"),
        close=_("Cancel"),
        private_metadata=json.dumps(metadata, ensure_ascii=False),
    )


def _opportunity_block(
    lang: Lang, opportunities: Sequence[tuple[int, str]], chosen: int | None
) -> list[dict[str, Any]]:
    if not opportunities:
        return []
    options = [b.option(escape(f"#{number} {title}"), str(number)) for number, title in opportunities]
    select = b.static_select(Field.OPPORTUNITY.value, options, initial=str(chosen) if chosen else None)
    return [b.input_block(Field.OPPORTUNITY.value, lang.gettext("Opportunity"), select, optional=True)]


def kind_block(lang: Lang, initial: str = "call") -> dict[str, Any]:
    kinds = [b.option(labels.kind(kind, lang), kind) for kind in VISIT_KINDS]
    return b.input_block(
        Field.KIND.value, lang.gettext("Type"), b.static_select(Field.KIND.value, kinds, initial=initial)
    )


def note_blocks(lang: Lang, note: str, satisfaction: int | None = None) -> list[dict[str, Any]]:
    """The visit's note and the customer's satisfaction, both optional."""
    _ = lang.gettext
    scores = [b.option(str(score), str(score)) for score in range(1, 6)]
    return [
        b.input_block(
            Field.NOTE.value,
            _("Note"),
            b.text_input(
                Field.NOTE.value, initial=clip(note, NOTE_LIMIT), multiline=True, max_length=NOTE_LIMIT
            ),
            optional=True,
        ),
        b.input_block(
            Field.SATISFACTION.value,
            _("Customer satisfaction (1–5)"),
            b.static_select(
                Field.SATISFACTION.value,
                scores,
                initial=str(satisfaction) if satisfaction else None,
                placeholder=_("Not asked"),
            ),
            optional=True,
        ),
    ]


def visit_logged(lang: Lang, logged: VisitLogged) -> dict[str, Any]:
    body = render(
        "visit_logged.md.j2",
        lang,
        customer=logged.customer,
        visit=logged.visit,
        kind=labels.kind(logged.visit.kind, lang),
        note=clip(logged.visit.note, CONFIRM_NOTE_PREVIEW),
    )
    return b.message(body, [b.section(body)])


def visit_candidates(
    lang: Lang,
    query: str,
    customers: list[Customer],
    note: str | None,
    kind: str | None = None,
    workable: frozenset[int] | None = None,
) -> dict[str, Any]:
    """Several customers match `/visit name: note`: one button each (the note rides in the value), on
    those the person may log (`workable`; None: all)."""
    _ = lang.gettext
    intro = escape(_("Several customers match “%(query)s”. Which one did you visit?") % {"query": query})
    blocks: list[b.Block] = [b.section(intro)]
    for customer in customers[:20]:
        line = f"*{escape(customer.name)}* · {labels.owner_mrkdwn(customer.owner_id, lang)}"
        if workable is not None and customer.id not in workable:
            blocks.append(b.section(line))
            continue
        if note is None:
            button = b.button(_("Choose"), Action.VISIT_OPEN, str(customer.id))
        else:
            value = json.dumps(
                {"c": customer.id, "n": note, **({"k": kind} if kind else {})}, ensure_ascii=False
            )
            button = b.button(_("Log here"), Action.VISIT_PICK, value)
        blocks.append(b.section(line, accessory=button))
    return b.message(intro, blocks)
