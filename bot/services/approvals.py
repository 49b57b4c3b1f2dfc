"""Managers stay in control: a rep's release or mark lost of a customer who ordered, or of level A (the
workspace's settings say which), and any level a rep sets by hand, go to the rep's manager (the admins
for a rep with none) for approval, as requests for more days do. Approved, the change is made by the
approver in the transaction that records the decision: both happen, or neither. The rep hears the
decision by DM.

Managers and admins act without asking. One request waits per customer at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot import events
from bot.env import Env
from bot.errors import InvalidInput, NotFound
from bot.i18n import N_
from bot.services import pool, tiers
from bot.services import settings as settings_service
from bot.services.customers import get_customer, require_work_access
from bot.services.opportunities_release import LOSE, check_choice
from bot.services.people import Actor, directory
from bot.services.recycle import require_decider
from store import approvals as store
from store.models import (
    APPROVAL_LEVEL,
    APPROVAL_LOST,
    APPROVAL_RELEASE,
    EXTENSION_APPROVED,
    EXTENSION_DECLINED,
    ApprovalRequest,
    Customer,
)

AUTOMATIC = "auto"  # a level request's detail for "back to automatic"


@dataclass(frozen=True)
class ApprovalAsked(events.Event):
    """A rep asked; each approver gets the request with Approve and Decline."""

    request: ApprovalRequest
    customer: Customer
    approvers: tuple[Actor, ...]


@dataclass(frozen=True)
class ApprovalDecided(events.Event):
    """The decision: the rep who asked hears of it."""

    request: ApprovalRequest
    customer: Customer
    asker: Actor | None  # None when the rep has left the workspace's directory


@dataclass(frozen=True)
class Asked:
    request_id: int
    kind: str
    name: str
    approvers: tuple[str, ...]
    keys: tuple[str, ...]  # the approvers' messages in the outbox


@dataclass(frozen=True)
class Decided:
    request: ApprovalRequest
    customer: Customer
    keys: tuple[str, ...]  # the rep's message, and a release's announcement


def needs_approval(env: Env, actor: Actor, customer: Customer, kind: str) -> bool:
    if actor.is_admin or actor.is_manager:
        return False
    if kind == APPROVAL_LEVEL:
        return True
    settings = settings_service.load(env, actor.workspace_id)
    return (settings.approve_ordered and customer.dealt_at is not None) or (
        settings.approve_level_a and customer.level == "A"
    )


def release(
    env: Env, actor: Actor, customer_id: int, *, reason: str, note: str, opportunities: str = LOSE
) -> pool.Released | Asked:
    """Released at once, or asked for when it needs the manager's approval (with what becomes of the
    customer's open opportunities, carried out with the approval)."""
    note = pool.release_note(reason, note)
    check_choice(opportunities)
    customer = pool.check_release(env, actor, customer_id)
    if not needs_approval(env, actor, customer, APPROVAL_RELEASE):
        return pool.release(
            env, actor, customer.id or 0, reason=reason, note=note, opportunities=opportunities
        )
    return _ask(env, actor, customer, APPROVAL_RELEASE, detail=reason, note=note, opportunities=opportunities)


def mark_lost(env: Env, actor: Actor, customer_id: int, reason: str) -> Customer | Asked:
    text = tiers.lost_reason(reason)
    customer = get_customer(env, actor, customer_id)
    require_work_access(env, actor, customer)
    if not needs_approval(env, actor, customer, APPROVAL_LOST):
        return tiers.mark_lost(env, actor, customer.id or 0, text)
    if customer.lost_at is not None:
        raise InvalidInput(N_("%(name)s is already marked lost."), name=customer.name)
    return _ask(env, actor, customer, APPROVAL_LOST, note=text)


def set_level(env: Env, actor: Actor, customer_id: int, level: str | None) -> Customer | Asked:
    """A level by hand: set by a manager or an admin; asked for by a rep (so that no rep stretches
    their own recycle window by lowering a level)."""
    tiers.check_level(level)
    customer = get_customer(env, actor, customer_id)
    require_work_access(env, actor, customer)
    if not needs_approval(env, actor, customer, APPROVAL_LEVEL):
        return tiers.set_level(env, actor, customer.id or 0, level)
    return _ask(env, actor, customer, APPROVAL_LEVEL, detail=level or AUTOMATIC)


def _ask(
    env: Env,
    actor: Actor,
    customer: Customer,
    kind: str,
    *,
    detail: str = "",
    note: str = "",
    opportunities: str = LOSE,
) -> Asked:
    approvers = directory(env, actor.workspace_id).approvers_for(actor.user_id)
    request = ApprovalRequest(
        workspace_id=actor.workspace_id, customer_id=customer.id or 0, kind=kind, detail=detail, note=note,
        opportunities=opportunities, asked_by=actor.user_id, asked_at=env.clock.now(),
    )  # fmt: skip
    with env.db.session() as session:
        if store.pending(session=session, workspace_id=actor.workspace_id, customer_id=customer.id or 0):
            raise InvalidInput(
                N_("A request about %(name)s already waits for a manager; the answer comes first."),
                name=customer.name,
            )
        session.add(request)
        session.flush()
        keys = events.publish(env, session, ApprovalAsked(request, customer, approvers))
        session.expunge(request)
    return Asked(request.id or 0, kind, customer.name, tuple(a.user_id for a in approvers), keys)


def request_of(env: Env, actor: Actor, request_id: int) -> ApprovalRequest:
    with env.db.session() as session:
        request = store.get(session=session, workspace_id=actor.workspace_id, request_id=request_id)
    if request is None:
        raise NotFound(N_("That request no longer exists."))
    return request


def customer_of(env: Env, actor: Actor, request: ApprovalRequest) -> Customer:
    return get_customer(env, actor, request.customer_id)


def decide(env: Env, actor: Actor, request_id: int, *, approve: bool) -> Decided:
    """Approve (the change made now, by the approver) or decline; refused when decided already or when
    the customer changed hands since it was asked (nothing is written then)."""
    request = request_of(env, actor, request_id)
    customer = get_customer(env, actor, request.customer_id)
    people = directory(env, actor.workspace_id)
    require_decider(people, actor, request.asked_by, customer.name)
    now = env.clock.now()
    status = EXTENSION_APPROVED if approve else EXTENSION_DECLINED
    with env.db.session() as session:
        if not store.decide(
            session=session, request_id=request_id, status=status, decided_by=actor.user_id, now=now
        ):
            raise InvalidInput(N_("This request was already decided; the rep has the answer."))
        done = _carry_out(session, env, actor, request, customer) if approve else ()
        decided = store.get(session=session, workspace_id=actor.workspace_id, request_id=request_id)
        assert decided is not None
        told = events.publish(
            env, session, ApprovalDecided(decided, customer, people.by_id(request.asked_by))
        )
        session.expunge(decided)
    return Decided(decided, customer, (*told, *done))


def _carry_out(
    session: Session, env: Env, actor: Actor, request: ApprovalRequest, customer: Customer
) -> tuple[str, ...]:
    """The change asked for, made by the approver; the release's announcement to send."""
    if customer.owner_id != request.asked_by:
        raise InvalidInput(
            N_("%(name)s changed hands since this was asked; nothing was done. Decline it instead."),
            name=customer.name,
        )
    if request.kind == APPROVAL_RELEASE:
        pool.check_release(env, actor, customer.id or 0)
        released = pool.release_in(
            session, env, actor, customer, reason=request.detail, note=request.note,
            opportunities=request.opportunities,
        )  # fmt: skip
        return released.announcements
    if request.kind == APPROVAL_LOST:
        tiers.mark_lost_in(session, env, actor, customer, request.note)
    else:
        level = None if request.detail == AUTOMATIC else request.detail
        tiers.set_level_in(session, env, actor, customer.id or 0, level)
    return ()
