"""The pool's assign: a manager or admin gives a customer to a rep in their team (`/assign`, the digest's
Reassign), within the rep's holding cap; the rep hears of it, the announcements are brought up to date."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot import events
from bot.env import Env
from bot.errors import InvalidInput, NotAllowed, NotFound, Person
from bot.i18n import N_
from bot.rules import pool as rules
from bot.rules.access import may_work_on
from bot.services import settings as settings_service
from bot.services.customers import get_customer, standing
from bot.services.people import Actor
from bot.services.pool import move, record_move
from store import people as people_store
from store import pool as pool_store
from store.models import MOVE_ASSIGN, Customer


# -- assign ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomerAssigned(events.Event):
    """A manager or admin gave a customer to a rep (who hears of it by DM, unless they gave it to
    themselves, and so does the rep it was taken from; the announcements showing it are brought up to
    date)."""

    workspace_id: str
    customer_id: int
    name: str
    by: str
    by_locale: str  # the DM's language when the new owner's is not known
    to: str
    taken_from: str | None = None  # the previous owner; None: it came from the pool


@dataclass(frozen=True)
class Assigned:
    customer_id: int
    name: str
    previous_owner_id: str | None
    new_owner_id: str
    messages: tuple[str, ...] = ()  # the new owner's DM and the announcements' updates, queued with it


def _check_assign(env: Env, actor: Actor, customer: Customer, rep_id: str) -> None:
    """May `actor` give this customer to `rep_id` (before any write)?"""
    if customer.owner_id == rep_id:
        raise InvalidInput(N_("%(name)s already belongs to %(rep)s."), name=customer.name, rep=Person(rep_id))
    if customer.owner_id is not None and not may_work_on(standing(env, actor, customer)):
        raise NotAllowed(
            N_("%(name)s belongs to %(owner)s, who is not in your team."),
            name=customer.name,
            owner=Person(customer.owner_id),
        )


def assign(env: Env, actor: Actor, customer_id: int, rep_id: str) -> Assigned:
    """A manager gives a pool customer, or one of their team's, to someone in their team; admins to anyone."""
    if not (actor.is_admin or actor.is_manager):
        raise NotAllowed(
            N_("Only managers and admins can assign customers. Reps claim them from the pool with /claim.")
        )
    customer = get_customer(env, actor, customer_id)
    customer_id = customer.id or 0
    _check_assign(env, actor, customer, rep_id)
    pool_rules = settings_service.load(env, actor.workspace_id).pool_rules()
    now = env.clock.now()
    with env.db.session() as session:
        _require_assignable(session, actor, rep_id)
        _require_room(session, actor.workspace_id, rep_id, customer, pool_rules)
        if not move(session, actor.workspace_id, customer_id, customer.owner_id, rep_id, now):
            raise InvalidInput(
                N_("%(name)s changed hands a moment ago; nothing was assigned."), name=customer.name
            )
        record_move(
            session, actor, customer_id, MOVE_ASSIGN, now, from_owner=customer.owner_id, to_owner=rep_id
        )
        assigned = CustomerAssigned(
            actor.workspace_id,
            customer_id,
            customer.name,
            actor.user_id,
            actor.locale,
            rep_id,
            customer.owner_id,
        )
        messages = events.publish(env, session, assigned)
    return Assigned(customer_id, customer.name, customer.owner_id, rep_id, messages)


def _require_room(
    session: Session, workspace_id: str, rep_id: str, customer: Customer, pool_rules: rules.PoolRules
) -> None:
    """The rep's holding cap, counted on their row held for the transaction (one assignment at a time)."""
    pool_store.hold_person(session=session, workspace_id=workspace_id, user_id=rep_id)
    held = pool_store.count_holding(
        session=session, workspace_id=workspace_id, owner_id=rep_id, dealt_count=pool_rules.dealt_count_in_cap
    )
    counts = customer.dealt_at is None or pool_rules.dealt_count_in_cap
    if counts and held >= pool_rules.holding_cap:
        raise NotAllowed(
            N_("%(rep)s already holds %(count)s customers, the most one rep may hold (%(cap)s)."),
            rep=Person(rep_id),
            count=held,
            cap=pool_rules.holding_cap,
        )


def _require_assignable(session: Session, actor: Actor, rep_id: str) -> None:
    rep = people_store.get_person(session=session, workspace_id=actor.workspace_id, user_id=rep_id)
    if rep is None or rep.is_deleted or rep.is_guest:
        raise NotFound(
            N_("%(rep)s has not used Tidewater yet. Ask them to open it once, then try again."),
            rep=Person(rep_id),
        )
    if actor.is_admin or rep_id == actor.user_id or rep.manager_id == actor.user_id:
        return
    raise NotAllowed(
        N_("%(rep)s is not in your team. Managers assign customers to their own team."), rep=Person(rep_id)
    )
