"""Recycling: owned customers going back to the pool when their owner lets them slip.

Which customers go back soon (`due_soon`: the warnings, the Home and the digest read this one
selection), the nightly move itself (`recycle_due`), and what holds a customer back: more days (the
owner asks, their manager, or the admins for a rep with no manager, approves or declines; managers and
admins may also extend straight from the digest) and locks. Every extension and lock is written to the
customer's history; the latest request and its decision show on the card.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import events
from bot.env import Env
from bot.errors import InvalidInput, NotAllowed, NotFound, required_text
from bot.i18n import N_
from bot.rules.pool import PoolRules
from bot.rules.recycle import Holding, Recycle, days_without_visit, extended_until, recycle_at
from bot.services import settings as settings_service
from bot.services.customers import get_customer
from bot.services.home_types import Warned
from bot.services.people import Actor, Directory, directory
from bot.services.settings import WorkspaceSettings
from store import recycle as recycle_store
from store.models import (
    EXTENSION_APPROVED,
    EXTENSION_DECLINED,
    LEVELS,
    Customer,
    ExtensionRequest,
)
from store.sql import Bind


def holding_of(
    customer: Customer | recycle_store.NearlyDue, opportunity_moved_at: datetime | None = None
) -> Holding | None:
    """What decides the customer's recycle; None in the pool (or in rows older than the claim's history).
    A customer row does not say when its open opportunities last moved: the caller passes it."""
    if customer.owner_id is None or customer.owned_since is None:
        return None
    clock_from = customer.recycle_clock_from or customer.owned_since
    dealt, locked = customer.dealt_at is not None, customer.locked_by is not None
    if isinstance(customer, recycle_store.NearlyDue):
        opportunity_moved_at = customer.opportunity_moved_at
    return Holding(
        customer.level, customer.owned_since, clock_from, dealt, locked, customer.recycle_extended_until,
        opportunity_moved_at,
    )  # fmt: skip


def next_recycle(env: Env, customer: Customer) -> Recycle | None:
    if customer.owner_id is None or customer.dealt_at is not None:
        moved = None  # in the pool, or dealt: no first-order clock for an opportunity to hold off
    else:
        with env.db.session() as session:
            moved = recycle_store.opportunity_moved_at_of(session=session, customer_id=customer.id or 0)
    holding = holding_of(customer, moved)
    if holding is None:
        return None
    return recycle_at(settings_service.load(env, customer.workspace_id).pool_rules(), holding)


def sql_rules(rules: PoolRules) -> recycle_store.RecycleRules:
    """The pool rules as the recycle's SQL reads them."""
    return recycle_store.RecycleRules(
        days_without_visit={level: days_without_visit(rules, level) for level in LEVELS},
        days_to_first_order=rules.days_to_first_order,
        dealt_exempt=rules.dealt_exempt,
        opportunity_spares_days=rules.opportunity_spares_days,
    )


# -- back in the pool soon -------------------------------------------------------------------------------
def soon_in(
    bind: Bind,
    workspace_id: str,
    rules: PoolRules,
    now: datetime,
    within: timedelta,
    owners: Collection[str] | None,
) -> list[Warned]:
    """The customers (of `owners`; None: everyone's) going back to the pool within the window, in a
    transaction the caller has open: the recycle's own SQL selects, the pure rule gives each one's
    exact time and reason, soonest first."""
    assert isinstance(bind, Session)
    found = recycle_store.nearly_due(
        session=bind,
        workspace_id=workspace_id,
        rules=sql_rules(rules),
        after=now,
        by=now + within,
        owners=None if owners is None else list(owners),
    )
    due = []
    for customer in found:
        holding = holding_of(customer)
        recycle = recycle_at(rules, holding) if holding else None
        if recycle is not None and now < recycle.at <= now + within:
            due.append(Warned(customer, recycle, customer.asked))
    return sorted(due, key=lambda warned: (warned.recycle.at, warned.customer.name, warned.customer.id))


def due_soon(
    env: Env,
    workspace_id: str,
    *,
    owners: Collection[str] | None,
    within: timedelta,
    rules: PoolRules | None = None,
) -> dict[str, list[Warned]]:
    """Per owner (of `owners`; None: every owner), the customers going back to the pool within
    `within`, soonest first (the recycle warnings and the digest)."""
    rules = rules or settings_service.load(env, workspace_id).pool_rules()
    by_owner: dict[str, list[Warned]] = defaultdict(list)
    with env.db.session() as session:
        for warned in soon_in(session, workspace_id, rules, env.clock.now(), within, owners):
            by_owner[warned.customer.owner_id or ""].append(warned)
    return by_owner


# -- the nightly recycle -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Recycled(events.Event):
    """A night's customers moved back to the pool (announced in the pool channel, if one is set)."""

    workspace_id: str
    channel: str | None
    customer_ids: tuple[int, ...]


@dataclass(frozen=True)
class RecycledFromOwners(events.Event):
    """The same run's customers by previous owner: each owner hears of theirs in one message."""

    workspace_id: str
    lost: tuple[tuple[str, str, str], ...]  # (previous owner, customer's name, reason)


@dataclass(frozen=True)
class RecycleRun:
    moved: tuple[int, ...]
    announcements: tuple[str, ...]  # queued in the transaction that moved them
    told: tuple[str, ...] = ()  # the previous owners' messages, queued in it too


def recycle_due(env: Env, workspace_id: str, settings: WorkspaceSettings) -> RecycleRun:
    """Move every customer due back to the pool, set-based, and announce them in the same transaction:
    a crash in between leaves both undone (the next run does them), never the customers moved and
    unannounced."""
    rules = sql_rules(settings.pool_rules())
    with env.db.session() as session:
        moves = recycle_store.recycle_due(
            session=session, workspace_id=workspace_id, rules=rules, now=env.clock.now()
        )
        moved = tuple(move.customer_id for move in moves)
        if not moved:
            return RecycleRun((), ())
        keys = events.publish(env, session, Recycled(workspace_id, settings.pool_channel, moved))
        lost = tuple((m.previous_owner_id, m.name, m.reason) for m in moves)
        told = events.publish(env, session, RecycledFromOwners(workspace_id, lost))
    return RecycleRun(moved, tuple(keys), tuple(told))


# -- more days -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExtensionAsked(events.Event):
    """An owner asked for more days (their approvers hear of it, each in their language and zone)."""

    request: ExtensionRequest
    customer: Customer
    approvers: tuple[Actor, ...]


@dataclass(frozen=True)
class Asked:
    request: ExtensionRequest
    customer: Customer
    approvers: tuple[str, ...]
    keys: tuple[str, ...]  # the approvers' messages in the outbox


ASK_REASON_LIMIT = 300


def check_ask(env: Env, actor: Actor, customer_id: int) -> Customer:
    """The customer, if `actor` may ask for more days for it now (before the form opens)."""
    customer = get_customer(env, actor, customer_id)
    _askable(env, actor, customer)
    return customer


def ask(env: Env, actor: Actor, customer_id: int, reason: str) -> Asked:
    """More days asked for, with why (the approver reads it)."""
    text = required_text(
        reason, field="reason", limit=ASK_REASON_LIMIT, one_line=True,
        missing=N_("Say why you need more days; your manager reads it."),
    )  # fmt: skip
    customer = get_customer(env, actor, customer_id)
    customer_id = customer.id or 0
    recycle = _askable(env, actor, customer)
    now = env.clock.now()
    approvers = tuple(directory(env, actor.workspace_id).approvers_for(actor.user_id))
    request = ExtensionRequest(
        workspace_id=actor.workspace_id,
        customer_id=customer_id,
        asked_by=actor.user_id,
        recycle_at=recycle.at,
        asked_at=now,
        reason=text,
    )
    with env.db.session() as session:
        _refuse_asked_twice(session, actor.workspace_id, customer)
        session.add(request)
        session.flush()
        keys = events.publish(env, session, ExtensionAsked(request, customer, approvers))
    return Asked(request, customer, tuple(a.user_id for a in approvers), keys)


def _askable(env: Env, actor: Actor, customer: Customer) -> Recycle:
    """When the customer goes back to the pool: only its owner asks for more days, and only if it is due."""
    if customer.owner_id != actor.user_id:
        raise NotAllowed(N_("Only the owner of %(name)s can ask for more days."), name=customer.name)
    recycle = next_recycle(env, customer)
    if recycle is None:
        raise InvalidInput(N_("%(name)s is not due to go back to the pool."), name=customer.name)
    return recycle


def _refuse_asked_twice(session: Session, workspace_id: str, customer: Customer) -> None:
    pending = recycle_store.pending_request(
        session=session, workspace_id=workspace_id, customer_id=customer.id or 0
    )
    if pending is not None:
        raise InvalidInput(
            N_("You have already asked for more days for %(name)s; the answer will come here."),
            name=customer.name,
        )


@dataclass(frozen=True)
class ExtensionDecided(events.Event):
    """A request for more days was approved (`until` set) or declined: the owner hears of it."""

    request: ExtensionRequest
    customer: Customer
    until: datetime | None
    owner: Actor | None  # None when the owner has left the workspace's directory


@dataclass(frozen=True)
class Decided:
    request: ExtensionRequest
    customer: Customer
    approved: bool
    until: datetime | None
    key: str  # the owner's message in the outbox


def require_decider(people: Directory, actor: Actor, owner_id: str, name: str) -> None:
    if actor.is_admin:
        return
    owner = people.by_id(owner_id)
    if not (actor.is_manager and owner is not None and owner.manager_id == actor.user_id):
        raise NotAllowed(N_("Only the manager of %(name)s's owner, or an admin, can decide this."), name=name)


def decide(env: Env, actor: Actor, request_id: int, *, approve: bool) -> Decided:
    request = request_of(env, actor, request_id)
    customer = get_customer(env, actor, request.customer_id)
    people = directory(env, actor.workspace_id)
    require_decider(people, actor, request.asked_by, customer.name)
    now = env.clock.now()
    days = settings_service.load(env, actor.workspace_id).extension_days if approve else None
    with env.db.session() as session:
        until = _record_decision(session, actor, Decision(request, customer, approve, days, now))
        decided = session.get(ExtensionRequest, request_id)
        assert decided is not None
        told = ExtensionDecided(decided, customer, until, people.by_id(request.asked_by))
        (key,) = events.publish(env, session, told)
        session.expunge(decided)
    return Decided(decided, customer, approve, until, key)


@dataclass(frozen=True)
class Decision:
    request: ExtensionRequest
    customer: Customer
    approve: bool
    days: int | None  # the extension's days (None: declined)
    at: datetime


def _record_decision(session: Session, actor: Actor, decision: Decision) -> datetime | None:
    """The decision (unless someone decided first) and, when approved, the extension; its end."""
    request, days, now = decision.request, decision.days, decision.at
    if not recycle_store.decide_request(
        session=session,
        request_id=request.id or 0,
        status=EXTENSION_APPROVED if decision.approve else EXTENSION_DECLINED,
        decided_by=actor.user_id,
        days=days,
        now=now,
    ):
        raise InvalidInput(N_("This request was already decided; the owner has the answer."))
    if not decision.approve or days is None:
        return None
    until = extended_until(days, request.recycle_at, decision.customer.recycle_extended_until, now)
    _extend(session, actor, decision.customer, request.asked_by, _Extension(days, until, now))
    return until


@dataclass(frozen=True)
class _Extension:
    days: int
    until: datetime  # the recycle held until then
    at: datetime


def _extend(session: Session, actor: Actor, customer: Customer, owner_id: str, extension: _Extension) -> bool:
    """Hold the customer's recycle if `owner_id` still owns it (False when not), written to its history."""
    return recycle_store.extend(
        session=session, workspace_id=actor.workspace_id, customer_id=customer.id or 0, owner_id=owner_id,
        until=extension.until, days=extension.days, actor_id=actor.user_id, now=extension.at,
    )  # fmt: skip


def extend_now(env: Env, actor: Actor, customer_id: int) -> tuple[Customer, datetime]:
    """A manager or admin extends the recycle clock straight away (the digest's Extend)."""
    customer = get_customer(env, actor, customer_id)
    customer_id = customer.id or 0
    if customer.owner_id is None:
        raise InvalidInput(N_("%(name)s is already in the pool."), name=customer.name)
    require_decider(directory(env, actor.workspace_id), actor, customer.owner_id, customer.name)
    recycle = next_recycle(env, customer)
    now = env.clock.now()
    days = settings_service.load(env, actor.workspace_id).extension_days
    until = extended_until(days, recycle.at if recycle else now, customer.recycle_extended_until, now)
    with env.db.session() as session:
        done = _extend(session, actor, customer, customer.owner_id, _Extension(days, until, now))
    if not done:
        raise NotAllowed(
            N_("%(name)s changed hands a moment ago. Open its card to see who has it."), name=customer.name
        )
    return customer, until


def latest_request(env: Env, workspace_id: str, customer_id: int) -> ExtensionRequest | None:
    with env.db.session() as session:
        return recycle_store.latest_request(
            session=session, workspace_id=workspace_id, customer_id=customer_id
        )


def request_of(env: Env, actor: Actor, request_id: int) -> ExtensionRequest:
    with env.db.session() as session:
        request = session.get(ExtensionRequest, request_id)
    if request is None or request.workspace_id != actor.workspace_id:
        raise NotFound(N_("That request no longer exists."))
    return request
