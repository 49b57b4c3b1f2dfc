"""A new or edited opportunity as typed (`OpportunityDraft`) and its checks: every wrong field flagged
at once, in the person's language, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.errors import Checks, InvalidInput, required_text
from bot.i18n import N_
from bot.rules import money
from bot.rules import opportunities as rules
from bot.services import orders
from store.models import OpportunityStage

_PROBABILITY_ERRORS = {
    "not_a_number": N_("The probability is a whole percent, like 40."),
    "out_of_range": N_("The probability is a percent from 0 to 100."),
}
_CLOSE_ERRORS = {
    "in_the_past": N_("The expected close date has passed. Choose today or a later day."),
    "too_far": N_("The expected close date is more than three years away."),
}


@dataclass(frozen=True)
class OpportunityDraft:
    """What the *New opportunity* form holds, as typed."""

    customer_id: int
    title: str
    amount: str
    expected_close_on: date | None
    currency: str = ""
    rate: str = ""
    stage_id: int | None = None  # None: the first open stage
    probability: str = ""  # "": the stage's
    products: str = ""
    next_step: str = ""


@dataclass(frozen=True)
class ValidOpportunity:
    title: str
    amount: Decimal
    currency: str
    rate: Decimal
    stage: OpportunityStage
    probability: int
    expected_close_on: date
    products: str
    next_step: str


def validate_new(
    draft: OpportunityDraft,
    found: list[OpportunityStage],
    *,
    base_currency: str,
    today: date,
    new: bool = True,
) -> ValidOpportunity:
    """The opportunity as it will be stored; every wrong field flagged at once. A new one's close date is
    today or later; an edited one's may have passed (it slipped)."""
    checks = Checks()
    title = products = next_step = ""
    with checks.field():
        title = required_text(
            draft.title, field="title", missing=N_("Give the opportunity a title."),
            limit=rules.TITLE_LIMIT, one_line=True,
        )  # fmt: skip
    currency = (draft.currency or base_currency).strip().upper()
    amount, rate = Decimal(0), Decimal(1)
    with checks.field():
        if not money.is_currency_code(currency):
            raise InvalidInput(N_("Choose a currency such as CNY or USD."), field="currency")
        amount = orders.amount_in(draft.amount, currency)
    with checks.field():
        if money.is_currency_code(currency):
            rate = orders.rate_to_base(draft.rate, currency, base_currency)
    stage = open_stage(found, draft.stage_id)
    probability = stage.probability
    with checks.field():
        probability = _probability(draft.probability, stage.probability)
    close_on = draft.expected_close_on or today
    with checks.field():
        _check_close(draft.expected_close_on, today, new=new)
    with checks.field():
        products = _words(draft.products, "products")
    with checks.field():
        next_step = _words(draft.next_step, "next_step")
    checks.done()
    return ValidOpportunity(title, amount, currency, rate, stage, probability, close_on, products, next_step)


def open_stage(found: list[OpportunityStage], stage_id: int | None) -> OpportunityStage:
    usable = [stage for stage in found if stage.retired_at is None and stage.outcome == rules.OPEN]
    if stage_id is None:
        return usable[0]
    chosen = next((stage for stage in usable if stage.id == stage_id), None)
    if chosen is None:
        raise InvalidInput(N_("Choose one of the open stages."), field="stage")
    return chosen


def _probability(text: str, default: int) -> int:
    if not text.strip():
        return default
    problem = rules.probability_problem(text)
    if problem:
        raise InvalidInput(_PROBABILITY_ERRORS[problem], field="probability")
    return int(text.strip().rstrip("%").strip())


def _check_close(close_on: date | None, today: date, *, new: bool) -> None:
    if close_on is None:
        raise InvalidInput(N_("Choose the expected close date."), field="expected_close_on")
    problem = rules.close_date_problem(close_on, today, new=new)
    if problem:
        raise InvalidInput(_CLOSE_ERRORS[problem], field="expected_close_on")


def _words(text: str, field: str) -> str:
    clean = text.strip()
    if len(clean) > rules.WORDS_LIMIT:
        raise InvalidInput(
            N_("This is too long: at most %(limit)s characters."), field=field, limit=rules.WORDS_LIMIT
        )
    return clean
