"""Opportunities (商机): opened on a customer, moved through the workspace's stages, won (writing the
order as /order does) or lost with a reason. Each change is made only from the version the person saw:
of two people moving one opportunity at once, one moves it and the other is told, nothing written.

Who may: the opportunity's owner, their manager and admins (as for the customer's visits and orders);
opening one needs the same rights on the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from bot import events
from bot.env import Env
from bot.errors import ChangedMeanwhile, InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.rules import money
from bot.rules import opportunities as rules
from bot.rules.access import may_work_on
from bot.services import orders
from bot.services.customers import get_customer, require_work_access
from bot.services.customers_card import standing_towards
from bot.services.opportunity_drafts import OpportunityDraft as OpportunityDraft
from bot.services.opportunity_drafts import ValidOpportunity, open_stage, validate_new
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


@dataclass(frozen=True)
class OpportunityChanged(events.Event):
    """An opportunity was opened or changed (`change`, one of the history's): the deals channel hears of
    it, in the change's transaction."""

    opportunity: Opportunity
    customer_name: str
    change: str


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
    tiers_store.refresh_stages(
        session=session,
        customer_ids=[customer_id],
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


def _require_change_rights(session: Session, actor: Actor, opportunity: Opportunity) -> None:
    if not may_work_on(standing_towards(session, actor, opportunity.owner_id)):
        raise NotAllowed(
            N_("This opportunity is someone else's. Only its owner, their manager and admins can change it.")
        )


def move(env: Env, actor: Actor, number: int, *, seen_version: int, stage_id: int) -> Opportunity:
    """To another open stage, with that stage's probability."""
    with env.db.session() as session:
        current = _movable(session, actor, number)
        target = open_stage(stages_in(session, actor.workspace_id), stage_id)
        return _move_to(session, env, actor, current, seen_version, target)


def move_next(env: Env, actor: Actor, number: int, *, seen_version: int) -> Opportunity:
    """To the open stage after its own (*Next* on the card), read in the same transaction."""
    with env.db.session() as session:
        current = _movable(session, actor, number)
        found = stages_in(session, actor.workspace_id)
        following = rules.next_open_stage(rule_stages(found), current.stage_id)
        if following is None:
            raise InvalidInput(N_("This is the last open stage: its next step is Won."))
        target = next(stage for stage in found if stage.id == following.id)
        return _move_to(session, env, actor, current, seen_version, target)


def _movable(session: Session, actor: Actor, number: int) -> Opportunity:
    current = current_for_change(session, actor, number)
    if current.closed_at is not None:
        raise InvalidInput(N_("This opportunity is closed: it can no longer move."))
    return current


def _move_to(
    session: Session,
    env: Env,
    actor: Actor,
    current: Opportunity,
    seen_version: int,
    target: OpportunityStage,
) -> Opportunity:
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
