"""Opportunities (商机): opened on a customer, moved through the workspace's stages, won (writing the
order as /order does) or lost with a reason. Each change is made only from the version the person saw:
of two people moving one opportunity at once, one moves it and the other is told, nothing written.

Who may: the opportunity's owner, their manager and admins (as for the customer's visits and orders);
opening one needs the same rights on the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from bot import events
from bot.env import Env
from bot.errors import ChangedMeanwhile, Checks, InvalidInput, NotAllowed, NotFound, required_text
from bot.i18n import N_
from bot.rules import money
from bot.rules import opportunities as rules
from bot.rules.access import may_work_on
from bot.services import orders
from bot.services.customers import get_customer, require_work_access
from bot.services.customers_card import standing_towards
from bot.services.people import Actor
from bot.services.tiers import STAGE_RULES
from store import opportunities as store
from store import tiers as tiers_store
from store.models import (
    CHANGE_CREATED,
    CHANGE_LOST,
    CHANGE_MOVED,
    CHANGE_WON,
    Customer,
    Opportunity,
    OpportunityChange,
    OpportunityStage,
)

_PROBABILITY_ERRORS = {
    "not_a_number": N_("The probability is a whole percent, like 40."),
    "out_of_range": N_("The probability is a percent from 0 to 100."),
}
_CLOSE_ERRORS = {
    "in_the_past": N_("The expected close date has passed. Choose today or a later day."),
    "too_far": N_("The expected close date is more than three years away."),
}


@dataclass(frozen=True)
class OpportunityChanged(events.Event):
    """An opportunity was opened or changed (`change`, one of the history's): the deals channel hears of
    it, in the change's transaction."""

    opportunity: Opportunity
    customer_name: str
    change: str


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


def stages(env: Env, workspace_id: str) -> list[OpportunityStage]:
    """The workspace's stages in order, retired ones too; the defaults are written at first use."""
    with env.db.session() as session:
        return stages_in(session, workspace_id)


def stages_in(session: Session, workspace_id: str) -> list[OpportunityStage]:
    found = store.stages_of(session, workspace_id=workspace_id)
    if found:
        return found
    seeds = [store.StageSeed(s.key, s.probability, s.outcome, s.idle_days) for s in rules.DEFAULT_STAGES]
    store.add_stages(session, workspace_id=workspace_id, seeds=seeds)
    return store.stages_of(session, workspace_id=workspace_id)


def rule_stages(found: list[OpportunityStage]) -> list[rules.Stage]:
    return [
        rules.Stage(stage.id, stage.position, stage.probability, stage.outcome)
        for stage in found
        if stage.retired_at is None
    ]


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
    stage = _open_stage(found, draft.stage_id)
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


def _open_stage(found: list[OpportunityStage], stage_id: int | None) -> OpportunityStage:
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


def open_opportunity(env: Env, actor: Actor, draft: OpportunityDraft) -> Opportunity:
    """A new opportunity on a customer the person may work on; the customer's owner works it (a pool
    customer's: the admin who opens it)."""
    customer = get_customer(env, actor, draft.customer_id)
    require_work_access(env, actor, customer)
    today, now = actor.today(env), env.clock.now()
    with env.db.session() as session:
        valid = validate_new(
            draft, stages_in(session, actor.workspace_id), base_currency=actor.currency, today=today
        )
        number = store.next_number(session, workspace_id=actor.workspace_id, name=store.OPPORTUNITY_NUMBERS)
        opportunity = _new(actor, customer, number, valid, now)
        change = _change(opportunity, CHANGE_CREATED, actor, from_stage=None)
        store.add_opportunity(session, opportunity=opportunity, change=change)
        _restage(session, env, actor, customer.id or 0)  # a prospect with an open one is interested
        events.publish(env, session, OpportunityChanged(opportunity, customer.name, CHANGE_CREATED))
    return opportunity


def _restage(session: Session, env: Env, actor: Actor, customer_id: int) -> None:
    """The customer's lifecycle stage as its opportunities now make it (interested, or prospect again)."""
    tiers_store.refresh_stage(
        session=session,
        customer_id=customer_id,
        rules=STAGE_RULES,
        today=actor.today(env),
        now=env.clock.now(),
    )


def _new(actor: Actor, customer: Customer, number: int, valid: ValidOpportunity, now: Any) -> Opportunity:
    return Opportunity(
        workspace_id=actor.workspace_id, id=number, customer_id=customer.id or 0,
        owner_id=customer.owner_id or actor.user_id, title=valid.title,
        amount_minor=money.to_minor(valid.amount, valid.currency), currency=valid.currency, rate=str(valid.rate),
        amount_base_minor=money.convert_minor(valid.amount, valid.rate, actor.currency),
        stage_id=valid.stage.id, probability=valid.probability, expected_close_on=valid.expected_close_on,
        products=valid.products, next_step=valid.next_step, created_by=actor.user_id, created_at=now,
        updated_at=now, stage_since=now,
    )  # fmt: skip


def _change(
    opportunity: Opportunity, change: str, actor: Actor, *, from_stage: int | None, note: str = ""
) -> OpportunityChange:
    return OpportunityChange(
        workspace_id=opportunity.workspace_id, opportunity_id=opportunity.id, version=opportunity.version,
        change=change, owner_id=opportunity.owner_id, actor_id=actor.user_id, at=opportunity.updated_at,
        from_stage_id=from_stage,
        to_stage_id=opportunity.stage_id, amount_base_minor=opportunity.amount_base_minor,
        expected_close_on=opportunity.expected_close_on, note=note,
    )  # fmt: skip


def get_opportunity(env: Env, actor: Actor, number: int) -> Opportunity:
    with env.db.session() as session:
        found = store.get_opportunity(session, workspace_id=actor.workspace_id, number=number)
    if found is None:
        raise NotFound(N_("That opportunity no longer exists."))
    return found


def may_change(env: Env, actor: Actor, opportunity: Opportunity) -> bool:
    with env.db.session() as session:
        return may_work_on(standing_towards(session, actor, opportunity.owner_id))


def _require_change_rights(session: Session, actor: Actor, opportunity: Opportunity) -> None:
    if not may_work_on(standing_towards(session, actor, opportunity.owner_id)):
        raise NotAllowed(
            N_("This opportunity is someone else's. Only its owner, their manager and admins can change it.")
        )


def move(env: Env, actor: Actor, number: int, *, seen_version: int, stage_id: int) -> Opportunity:
    """To another open stage, with that stage's probability."""
    with env.db.session() as session:
        current = current_for_change(session, actor, number)
        if current.closed_at is not None:
            raise InvalidInput(N_("This opportunity is closed: it can no longer move."))
        target = _open_stage(stages_in(session, actor.workspace_id), stage_id)
        values = {"stage_id": target.id, "probability": target.probability, "stage_since": env.clock.now()}
        return apply_change(session, env, actor, current, seen_version, values, CHANGE_MOVED)


def next_stage_id(env: Env, actor: Actor, opportunity: Opportunity) -> int | None:
    """The open stage after the opportunity's; None from the last open one (its next step is *Won*)."""
    following = rules.next_open_stage(rule_stages(stages(env, actor.workspace_id)), opportunity.stage_id)
    return following.id if following else None


def closing_values(
    session: Session, env: Env, actor: Actor, current: Opportunity, outcome: str
) -> dict[str, Any]:
    """What closing an open opportunity as won or lost writes: that outcome's stage and probability."""
    require_open(current)
    stage = rules.stage_of_outcome(rule_stages(stages_in(session, actor.workspace_id)), outcome)
    assert stage is not None, "the stages keep one of each outcome"
    now = env.clock.now()
    return {"stage_id": stage.id, "probability": stage.probability, "stage_since": now, "closed_at": now}


def mark_won(
    env: Env, actor: Actor, number: int, *, seen_version: int
) -> tuple[Opportunity, orders.OrderLogged]:
    """Won: the order written as /order writes it (today, its amount, its products or title), in the
    same transaction; the customer becomes dealt and its level and stage follow."""
    with env.db.session() as session:
        current = current_for_change(session, actor, number)
        values = closing_values(session, env, actor, current, rules.WON)
        changed = apply_change(session, env, actor, current, seen_version, values, CHANGE_WON)
        customer = session.get(Customer, current.customer_id)
        assert customer is not None
        amount = money.from_minor(current.amount_minor, current.currency)
        valid = orders.ValidOrder(
            amount,
            current.currency,
            Decimal(current.rate),
            actor.today(env),
            current.products or current.title,
        )
        logged = orders.log_order_in(session, env, actor, customer, valid)
        store.note_order(
            session, workspace_id=actor.workspace_id, number=number, order_id=logged.order.id or 0
        )
        session.refresh(changed)
        return changed, logged


def mark_lost(
    env: Env, actor: Actor, number: int, *, seen_version: int, reason_key: str, words: str
) -> Opportunity:
    """Lost, with a reason from the list and the person's words (needed when the reason is *other*)."""
    if reason_key not in rules.LOST_REASON_KEYS:
        raise InvalidInput(N_("Choose why the opportunity was lost."), field="reason")
    text = words.strip()
    if reason_key == "other" and not text:
        raise InvalidInput(N_("Say in a few words why it was lost."), field="note")
    if len(text) > rules.WORDS_LIMIT:
        raise InvalidInput(
            N_("This is too long: at most %(limit)s characters."), field="note", limit=rules.WORDS_LIMIT
        )
    with env.db.session() as session:
        current = current_for_change(session, actor, number)
        values = closing_values(session, env, actor, current, rules.LOST)
        values.update(lost_reason_key=reason_key, lost_reason=text)
        lost_one = apply_change(session, env, actor, current, seen_version, values, CHANGE_LOST, note=text)
        _restage(session, env, actor, current.customer_id)
        return lost_one


def current_for_change(session: Session, actor: Actor, number: int) -> Opportunity:
    """The opportunity as it stands, once the person's right to change it is checked."""
    found = store.get_opportunity(session, workspace_id=actor.workspace_id, number=number)
    if found is None:
        raise NotFound(N_("That opportunity no longer exists."))
    _require_change_rights(session, actor, found)
    return found


def require_open(opportunity: Opportunity) -> None:
    if opportunity.closed_at is not None:
        raise InvalidInput(N_("This opportunity is closed already."))


def apply_change(
    session: Session,
    env: Env,
    actor: Actor,
    current: Opportunity,
    seen_version: int,
    values: dict[str, Any],
    change: str,
    *,
    note: str = "",
) -> Opportunity:
    """`values` written from the version the person saw, with the change in the history; refused with
    ChangedMeanwhile (nothing written) if someone changed it first."""
    now = env.clock.now()
    values = {**values, "updated_at": now}
    after = Opportunity.model_validate({**current.model_dump(), **values, "version": seen_version + 1})
    written = store.change_from(
        session, workspace_id=actor.workspace_id, number=current.id, seen_version=seen_version, values=values,
        change=_change(after, change, actor, from_stage=current.stage_id, note=note),
    )  # fmt: skip
    if not written:
        raise ChangedMeanwhile(
            N_(
                "Someone changed this opportunity a moment ago, so nothing was changed. Here it is as it is now."
            )
        )
    fresh = store.get_opportunity(session, workspace_id=actor.workspace_id, number=current.id)
    assert fresh is not None
    session.refresh(fresh)
    customer = session.get(Customer, fresh.customer_id)
    events.publish(env, session, OpportunityChanged(fresh, customer.name if customer else "", change))
    return fresh
