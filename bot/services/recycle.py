"""More days before a recycle: the owner asks, their manager (or the admins, for a rep with no manager)
approves or declines; managers and admins may also extend straight from the digest. Every extension is
written to the customer's history; the latest request and its decision show on the card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import notify
from bot.env import Env
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_, lang
from bot.rules.pool import Holding, Recycle, extended_until, recycle_at
from bot.services import settings as settings_service
from bot.services.customers import get_customer
from bot.services.people import Actor, Directory, directory
from bot.views import recycle as views
from store import recycle as recycle_store
from store.models import EXTENSION_APPROVED, EXTENSION_DECLINED, Customer, ExtensionRequest

REQUEST = "extension_request"
DECISION = "extension_decision"


def holding_of(customer: Customer | recycle_store.NearlyDue) -> Holding | None:
    if customer.owner_id is None or customer.owned_since is None:
        return None
    return Holding(
        level=customer.level,
        owned_since=customer.owned_since,
        clock_from=customer.recycle_clock_from or customer.owned_since,
        dealt=customer.dealt_at is not None,
        locked=customer.locked_by is not None,
        extended_until=customer.recycle_extended_until,
    )


def next_recycle(env: Env, customer: Customer) -> Recycle | None:
    holding = holding_of(customer)
    if holding is None:
        return None
    return recycle_at(settings_service.load(env, customer.workspace_id).pool_rules(), holding)


@dataclass(frozen=True)
class Asked:
    request: ExtensionRequest
    customer: Customer
    approvers: tuple[str, ...]
    keys: tuple[str, ...]  # the approvers' messages in the outbox


def ask(env: Env, actor: Actor, customer_id: int) -> Asked:
    customer = get_customer(env, actor, customer_id)
    if customer.owner_id != actor.user_id:
        raise NotAllowed(N_("Only the owner of %(name)s can ask for more days."), name=customer.name)
    recycle = next_recycle(env, customer)
    if recycle is None:
        raise InvalidInput(N_("%(name)s is not due to go back to the pool."), name=customer.name)
    now = env.clock.now()
    approvers = directory(env, actor.workspace_id).approvers_for(actor.user_id)
    request = ExtensionRequest(
        workspace_id=actor.workspace_id,
        customer_id=customer_id,
        asked_by=actor.user_id,
        recycle_at=recycle.at,
        asked_at=now,
    )
    with env.db.session() as session:
        pending = recycle_store.pending_request(
            session=session, workspace_id=actor.workspace_id, customer_id=customer_id
        )
        if pending is not None:
            raise InvalidInput(
                N_("You have already asked for more days for %(name)s; the answer will come here."),
                name=customer.name,
            )
        session.add(request)
        session.flush()
        keys = tuple(
            notify.enqueue(
                env,
                workspace_id=actor.workspace_id,
                kind=REQUEST,
                recipient=approver.user_id,
                subject=str(request.id),
                period="",
                message=views.extension_request(approver.lang, request, customer, approver.timezone),
                session=session,
            )
            for approver in approvers
        )
    return Asked(request, customer, tuple(a.user_id for a in approvers), keys)


@dataclass(frozen=True)
class Decided:
    request: ExtensionRequest
    customer: Customer
    approved: bool
    until: datetime | None
    key: str  # the owner's message in the outbox


def _require_decider(people: Directory, actor: Actor, owner_id: str, name: str) -> None:
    if actor.is_admin:
        return
    owner = people.by_id(owner_id)
    if not (actor.is_manager and owner is not None and owner.manager_id == actor.user_id):
        raise NotAllowed(N_("Only the manager of %(name)s's owner, or an admin, can decide this."), name=name)


def decide(env: Env, actor: Actor, request_id: int, *, approve: bool) -> Decided:
    request = request_of(env, actor, request_id)
    customer = get_customer(env, actor, request.customer_id)
    people = directory(env, actor.workspace_id)
    _require_decider(people, actor, request.asked_by, customer.name)
    now = env.clock.now()
    days = settings_service.load(env, actor.workspace_id).extension_days if approve else None
    until = None
    with env.db.session() as session:
        status = EXTENSION_APPROVED if approve else EXTENSION_DECLINED
        if not recycle_store.decide_request(
            session=session,
            request_id=request_id,
            status=status,
            decided_by=actor.user_id,
            days=days,
            now=now,
        ):
            raise InvalidInput(N_("This request was already decided; the owner has the answer."))
        if approve and days is not None:
            until = extended_until(days, request.recycle_at, customer.recycle_extended_until, now)
            recycle_store.extend(
                session=session,
                workspace_id=actor.workspace_id,
                customer_id=customer.id or 0,
                owner_id=request.asked_by,
                until=until,
                days=days,
                actor_id=actor.user_id,
                now=now,
            )
        decided = session.get(ExtensionRequest, request_id)
        assert decided is not None
        key = _tell_owner(env, session, people, decided, customer, until)
        session.expunge(decided)
    return Decided(decided, customer, approve, until, key)


def _tell_owner(
    env: Env,
    session: Session,
    people: Directory,
    request: ExtensionRequest,
    customer: Customer,
    until: datetime | None,
) -> str:
    """The owner hears the decision, queued in the transaction that records it."""
    owner = people.by_id(request.asked_by)
    reader, zone = (owner.lang, owner.timezone) if owner else (lang("en"), "UTC")
    return notify.enqueue(
        env,
        workspace_id=request.workspace_id,
        kind=DECISION,
        recipient=request.asked_by,
        subject=str(request.id),
        period="",
        message=views.extension_decided(reader, request, customer, until, zone),
        session=session,
    )


def extend_now(env: Env, actor: Actor, customer_id: int) -> tuple[Customer, datetime]:
    """A manager or admin extends the recycle clock straight away (the digest's Extend)."""
    customer = get_customer(env, actor, customer_id)
    if customer.owner_id is None:
        raise InvalidInput(N_("%(name)s is already in the pool."), name=customer.name)
    _require_decider(directory(env, actor.workspace_id), actor, customer.owner_id, customer.name)
    recycle = next_recycle(env, customer)
    now = env.clock.now()
    days = settings_service.load(env, actor.workspace_id).extension_days
    until = extended_until(days, recycle.at if recycle else now, customer.recycle_extended_until, now)
    with env.db.session() as session:
        done = recycle_store.extend(
            session=session,
            workspace_id=actor.workspace_id,
            customer_id=customer_id,
            owner_id=customer.owner_id,
            until=until,
            days=days,
            actor_id=actor.user_id,
            now=now,
        )
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
