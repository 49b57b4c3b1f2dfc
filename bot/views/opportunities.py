"""Opportunities (商机): the *New opportunity* form, the card with its buttons, and the *Lost* form."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from bot.i18n import N_, Lang
from bot.rules import money
from bot.rules import opportunities as rules
from bot.services.opportunities_card import OpportunityCard
from bot.services.opportunities_reminders import NeedsAttention
from bot.views import blocks as b
from bot.views import labels
from bot.views.blocks import customer_picker
from bot.views.ids import Action, Callback, Field
from bot.views.orders import amount_blocks
from bot.views.text import day, escape, mention, say
from store.models import Customer, Opportunity, OpportunityChange, OpportunityStage

LOST_REASONS = {
    "price": N_("Price"),
    "competitor": N_("Went with a competitor"),
    "no_budget": N_("No budget"),
    "no_decision": N_("No decision"),
    "timing": N_("Not now"),
    "other": N_("Other"),
    "released": N_("Released with the customer"),  # given by a release, not offered in the form
}
CHANGES = {
    "created": N_("opened it in %(stage)s"),
    "moved": N_("moved it to %(stage)s"),
    "edited": N_("edited it"),
    "won": N_("won it"),
    "lost": N_("lost it: %(note)s"),
    "reopened": N_("reopened it in %(stage)s"),
}
HISTORY_SHOWN = 5
DEFAULT_CLOSE = timedelta(days=30)


def stage_name(stage: OpportunityStage | None, lang: Lang) -> str:
    """The workspace's name for the stage, or the default's in the reader's language."""
    if stage is None:
        return "—"
    return stage.name or lang.gettext(rules.STAGE_NAMES.get(stage.key, stage.key))


def _open_stages(stages: list[OpportunityStage]) -> list[OpportunityStage]:
    return [stage for stage in stages if stage.outcome == rules.OPEN and stage.retired_at is None]


def new_modal(
    lang: Lang,
    *,
    stages: list[OpportunityStage],
    today: date,
    base_currency: str,
    metadata: dict[str, Any],
    customer: Customer | None = None,
) -> dict[str, Any]:
    _ = lang.gettext
    blocks = [
        b.input_block(Field.CUSTOMER.value, _("Customer"), customer_picker(lang, customer)),
        b.input_block(
            Field.TITLE.value, _("Title"), b.text_input(Field.TITLE.value, max_length=rules.TITLE_LIMIT)
        ),
        *amount_blocks(lang, base_currency),
        *_stage_blocks(lang, stages),
        *_plan_blocks(lang, today),
    ]
    return b.modal(
        title=_("New opportunity"),
        blocks=blocks,
        callback_id=Callback.OPPORTUNITY_NEW,
        submit=_("Open"),
        close=_("Cancel"),
        private_metadata=json.dumps(metadata, ensure_ascii=False),
    )


def _stage_blocks(lang: Lang, stages: list[OpportunityStage]) -> list[dict[str, Any]]:
    """The stage (the open ones, each with its probability) and the probability if not the stage's."""
    _ = lang.gettext
    opened = _open_stages(stages)
    stage_options = [b.option(f"{stage_name(s, lang)} · {s.probability}%", str(s.id)) for s in opened]
    return [
        b.input_block(
            Field.STAGE.value,
            _("Stage"),
            b.static_select(Field.STAGE.value, stage_options, initial=str(opened[0].id) if opened else None),
        ),
        b.input_block(
            Field.PROBABILITY.value,
            _("Probability (%)"),
            b.text_input(Field.PROBABILITY.value, max_length=4, placeholder="40"),
            optional=True,
            hint=_("Leave it empty to take the stage's."),
        ),
    ]


def _plan_blocks(lang: Lang, today: date) -> list[dict[str, Any]]:
    """When it should close, what is sold, and what comes next."""
    _ = lang.gettext
    words = rules.WORDS_LIMIT
    return [
        b.input_block(
            Field.CLOSE_ON.value,
            _("Expected close"),
            b.date_picker(Field.CLOSE_ON.value, today + DEFAULT_CLOSE),
        ),
        b.input_block(
            Field.PRODUCTS.value,
            _("Products"),
            b.text_input(Field.PRODUCTS.value, max_length=words),
            optional=True,
        ),
        b.input_block(
            Field.NEXT_STEP.value,
            _("Next step"),
            b.text_input(Field.NEXT_STEP.value, max_length=words),
            optional=True,
        ),
    ]


def seen(number: int, version: int) -> str:
    """A button's value: the opportunity and the version it was drawn at."""
    return f"{number}:{version}"


def card(lang: Lang, shown: OpportunityCard, *, base_currency: str, today: date) -> dict[str, Any]:
    """The card, as a message: what the opportunity is, where it stands, its recent history, and the
    buttons for those who may change it."""
    deal = shown.opportunity
    stages = {stage.id: stage for stage in shown.stages}
    headline = say(lang, N_("#%(number)s %(title)s · %(customer)s"), number=deal.id, title=deal.title,
                   customer=shown.customer_name)  # fmt: skip
    blocks = [
        b.section(f"*{headline}*"),
        b.fields(*_facts(lang, shown, stages, base_currency, today)),
    ]
    if deal.next_step:
        blocks.append(b.section(say(lang, N_("*Next step:* %(step)s"), step=deal.next_step)))
    history = [_change_line(lang, change, stages) for change in shown.history[-HISTORY_SHOWN:]]
    blocks.append(b.context("\n".join(history)))
    if shown.can_change:
        blocks.append(_buttons(lang, shown, stages))
    return b.message(headline, blocks)


def _facts(
    lang: Lang, shown: OpportunityCard, stages: dict[int, OpportunityStage], base_currency: str, today: date
) -> list[str]:
    deal = shown.opportunity
    _ = lang.gettext
    amount = labels.amount(deal.amount_minor, deal.currency, lang)
    if deal.currency != base_currency:
        amount = f"{amount} ≈ {labels.amount(deal.amount_base_minor, base_currency, lang)}"
    weighted = rules.weighted_minor(deal.amount_base_minor, deal.probability)
    close = day(deal.expected_close_on, lang)
    if deal.closed_at is None and deal.expected_close_on < today:
        close = say(lang, N_("%(day)s (slipped)"), day=close)
    days_in_stage = (today - deal.stage_since.date()).days
    in_stage = lang.ngettext("%(count)s day", "%(count)s days", days_in_stage) % {"count": days_in_stage}
    stage = f"{stage_name(stages.get(deal.stage_id), lang)} · {deal.probability}%"
    return [
        _fact(lang, N_("Stage"), escape(stage)),
        _fact(lang, N_("Amount"), escape(amount)),
        _fact(lang, N_("Weighted"), escape(labels.amount(weighted, base_currency, lang))),
        _fact(lang, N_("Expected close"), escape(close)),
        _fact(lang, N_("In this stage"), escape(in_stage)),
        _fact(lang, N_("Owner"), mention(deal.owner_id)),
        _fact(lang, N_("Visits"), _visits(lang, shown)),
    ]


def _visits(lang: Lang, shown: OpportunityCard) -> str:
    if not shown.visits:
        return escape(lang.gettext("none yet"))
    return say(
        lang, N_("%(count)s, the last on %(day)s"), count=shown.visits, day=day(shown.last_visit, lang)
    )


def _fact(lang: Lang, label: str, value: str) -> str:
    return f"*{escape(lang.gettext(label))}*\n{value}"


def _change_line(lang: Lang, change: OpportunityChange, stages: dict[int, OpportunityStage]) -> str:
    what = say(lang, CHANGES.get(change.change, change.change), stage=stage_name(stages.get(change.to_stage_id), lang),
               note=change.note or "—")  # fmt: skip
    who = mention(change.actor_id) if change.actor_id else escape(lang.gettext("Tidewater"))
    return f"{day(change.at.date(), lang)} · {who} {what}"


def _buttons(lang: Lang, shown: OpportunityCard, stages: dict[int, OpportunityStage]) -> dict[str, Any]:
    _ = lang.gettext
    deal = shown.opportunity
    value = seen(deal.id, deal.version)
    elements = []
    if shown.next_stage_id is not None:
        following = stage_name(stages.get(shown.next_stage_id), lang)
        elements.append(b.button(_("Next: %(stage)s") % {"stage": following}, Action.OPPORTUNITY_NEXT, value))
    elements.append(b.button(_("Won"), Action.OPPORTUNITY_WON, value, style="primary"))
    elements.append(b.button(_("Lost"), Action.OPPORTUNITY_LOST, value, style="danger"))
    choices = [
        b.option(stage_name(stage, lang), f"{value}:{stage.id}")
        for stage in _open_stages(shown.stages)
        if stage.id != deal.stage_id
    ]
    if choices:
        elements.append(b.static_select(Action.OPPORTUNITY_SET_STAGE, choices, placeholder=_("Set stage")))
    elements.append(b.button(_("Edit"), Action.OPPORTUNITY_EDIT, value))
    elements.append(b.button(_("Log visit"), Action.OPPORTUNITY_VISIT, str(deal.id)))
    return b.actions(*elements, block_id=f"opportunity.{deal.id}")


def lost_modal(lang: Lang, *, number: int, version: int, metadata: dict[str, Any]) -> dict[str, Any]:
    _ = lang.gettext
    reasons = [b.option(_(text), key) for key, text in LOST_REASONS.items() if key in rules.LOST_REASON_KEYS]
    blocks = [
        b.input_block(
            Field.REASON.value, _("Why was it lost?"), b.static_select(Field.REASON.value, reasons)
        ),
        b.input_block(
            Field.NOTE.value,
            _("In a few words"),
            b.text_input(Field.NOTE.value, multiline=True, max_length=rules.WORDS_LIMIT),
            optional=True,
            hint=_("Needed when the reason is Other."),
        ),
    ]
    return b.modal(
        title=_("Opportunity lost"),
        blocks=blocks,
        callback_id=Callback.OPPORTUNITY_LOST,
        submit=_("Mark lost"),
        close=_("Cancel"),
        private_metadata=json.dumps({**metadata, "o": seen(number, version)}, ensure_ascii=False),
    )


def listing(
    lang: Lang, title: str, cards: list[OpportunityCard], *, base_currency: str, new_for: int | None = None
) -> dict[str, Any]:
    """Several opportunities, each a short line, grouped by stage in the stages' order; with *New
    opportunity* for the customer `new_for` (a customer's listing)."""
    new = (
        [b.actions(b.button(lang.gettext("New opportunity"), Action.OPPORTUNITY_NEW, str(new_for)))]
        if new_for
        else []
    )
    if not cards:
        text = say(lang, N_("%(title)s: no open opportunities."), title=title)
        return b.message(text, [b.section(text), *new])
    stages = {stage.id: stage for stage in cards[0].stages}
    order = {stage.id: stage.position for stage in cards[0].stages}
    blocks = [b.section(f"*{escape(title)}*")]
    for shown in sorted(
        cards, key=lambda c: (order.get(c.opportunity.stage_id, 0), c.opportunity.expected_close_on)
    ):
        deal = shown.opportunity
        line = say(
            lang, N_("#%(number)s %(title)s · %(customer)s · %(stage)s · %(amount)s · close %(day)s"),
            number=deal.id, title=deal.title, customer=shown.customer_name,
            stage=stage_name(stages.get(deal.stage_id), lang),
            amount=labels.amount(deal.amount_base_minor, base_currency, lang), day=day(deal.expected_close_on, lang),
        )  # fmt: skip
        blocks.append(
            b.section(line, accessory=b.button(lang.gettext("Open"), Action.OPPORTUNITY_VIEW, str(deal.id)))
        )
    return b.message(title, [*blocks[:49], *new])


REMINDER_ROWS = 10  # each two blocks


def reminder(lang: Lang, rows: list[NeedsAttention], today: date) -> dict[str, Any]:
    """The morning's opportunities that need their owner: slipped past their close date, or idle."""
    _ = lang.gettext
    total = rows[0].total if rows else 0
    title = say(lang, N_("%(count)s of your opportunities need you"), count=total)
    blocks: list[b.Block] = [b.section(f":dart: *{title}*")]
    for row in rows[:REMINDER_ROWS]:
        deal = row.opportunity
        if deal.expected_close_on < today:
            why = say(
                lang,
                N_("expected to close %(day)s: the date has passed"),
                day=day(deal.expected_close_on, lang),
            )
        else:
            days_in_stage = (today - deal.stage_since.date()).days
            why = say(lang, N_("%(days)s days in %(stage)s, which allows %(allowed)s"), days=days_in_stage,
                      stage=stage_name(row.stage, lang), allowed=row.stage.idle_days if row.stage else 0)  # fmt: skip
        line = say(lang, N_("#%(number)s %(title)s · %(customer)s"), number=deal.id, title=deal.title,
                   customer=row.customer_name)  # fmt: skip
        blocks.append(b.section(f"*{line}*\n{why}"))
        snoozes = [b.button(_("Snooze %(days)s days") % {"days": days}, Action.OPPORTUNITY_SNOOZE, f"{deal.id}:{days}")
                   for days in rules.SNOOZE_DAYS]  # fmt: skip
        blocks.append(
            b.actions(
                b.button(_("Open"), Action.OPPORTUNITY_VIEW, str(deal.id), style="primary"),
                b.button(_("Log visit"), Action.OPPORTUNITY_VISIT, str(deal.id)),
                *snoozes,
                block_id=f"opportunity_reminder.{deal.id}",
            )
        )
    if total > REMINDER_ROWS:
        blocks.append(b.context(say(lang, N_("…and %(count)s more."), count=total - REMINDER_ROWS)))
    return b.message(title, blocks)


def snoozed(lang: Lang, number: int, until: date) -> dict[str, Any]:
    text = say(
        lang,
        N_("#%(number)s is left out of your reminders until %(day)s."),
        number=number,
        day=day(until, lang),
    )
    return b.message(text, [b.section(text)])


def channel_post(
    lang: Lang,
    deal: Opportunity,
    customer_name: str,
    stages: list[OpportunityStage],
    currency: str,
    *,
    won: bool,
) -> dict[str, Any]:
    """A post in the deals channel: a won opportunity celebrated, or a big new one announced; drawn
    again as the opportunity changes (its stage, amount, and whether it was won or lost since)."""
    named = {stage.id: stage for stage in stages}
    amount = labels.amount(deal.amount_base_minor, currency, lang)
    if won:
        headline = say(lang, N_(":tada: %(owner)s won #%(number)s %(title)s with %(customer)s: %(amount)s!"),
                       owner=mention(deal.owner_id), number=deal.id, title=deal.title, customer=customer_name,
                       amount=amount)  # fmt: skip
    else:
        headline = say(lang, N_(":dart: %(owner)s opened #%(number)s %(title)s with %(customer)s: %(amount)s"),
                       owner=mention(deal.owner_id), number=deal.id, title=deal.title, customer=customer_name,
                       amount=amount)  # fmt: skip
    now = say(lang, N_("Now: %(stage)s · %(probability)s%% · expected close %(day)s"),
              stage=stage_name(named.get(deal.stage_id), lang), probability=deal.probability,
              day=day(deal.expected_close_on, lang))  # fmt: skip
    return b.message(headline, [b.section(headline), b.context(now)])


def edit_modal(
    lang: Lang, deal: Opportunity, *, base_currency: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    """*Edit*: the form filled in as the opportunity stands (its stage moves with the card's buttons)."""
    _ = lang.gettext
    words = rules.WORDS_LIMIT
    amount = str(money.from_minor(deal.amount_minor, deal.currency))
    rate = "" if deal.currency == base_currency else deal.rate
    blocks = [
        b.input_block(Field.TITLE.value, _("Title"),
                      b.text_input(Field.TITLE.value, initial=deal.title, max_length=rules.TITLE_LIMIT)),
        *amount_blocks(lang, base_currency, amount=amount, currency=deal.currency, rate=rate),
        b.input_block(Field.PROBABILITY.value, _("Probability (%)"),
                      b.text_input(Field.PROBABILITY.value, initial=str(deal.probability), max_length=4)),
        b.input_block(Field.CLOSE_ON.value, _("Expected close"),
                      b.date_picker(Field.CLOSE_ON.value, deal.expected_close_on)),
        b.input_block(Field.PRODUCTS.value, _("Products"),
                      b.text_input(Field.PRODUCTS.value, initial=deal.products, max_length=words), optional=True),
        b.input_block(Field.NEXT_STEP.value, _("Next step"),
                      b.text_input(Field.NEXT_STEP.value, initial=deal.next_step, max_length=words), optional=True),
    ]  # fmt: skip
    return b.modal(
        title=_("Edit opportunity"),
        blocks=blocks,
        callback_id=Callback.OPPORTUNITY_EDIT,
        submit=_("Save"),
        close=_("Cancel"),
        private_metadata=json.dumps({**metadata, "o": seen(deal.id, deal.version)}, ensure_ascii=False),
    )
