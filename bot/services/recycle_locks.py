"""Locks: a manager (for their team) or an admin keeps a customer from the nightly recycle, within the
owner's lock cap; unlocking lets the recycle rules apply again. Each is written to the history."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.env import Env
from bot.errors import InvalidInput, NotAllowed, Person
from bot.i18n import N_
from bot.rules.access import Standing, may_lock
from bot.services import settings as settings_service
from bot.services.customers import get_customer, standing
from bot.services.people import Actor
from bot.services.pool import record_move
from store import pool as pool_store
from store import recycle as recycle_store
from store.models import MOVE_LOCK, MOVE_UNLOCK, Customer


# -- locks: never recycled (within the owner's lock cap) --------------------------------------------
@dataclass(frozen=True)
class LockChanged:
    customer_id: int
    name: str
    locked: bool
    owner_id: str
    locks_used: int
    lock_cap: int


def _require_lock_rights(customer: Customer, where: Standing) -> str:
    if customer.owner_id is None:
        raise InvalidInput(
            N_("%(name)s is in the pool; only a customer with an owner can be locked."), name=customer.name
        )
    if not may_lock(where):
        raise NotAllowed(
            N_("Only the owner's manager and admins can lock or unlock %(name)s."), name=customer.name
        )
    return customer.owner_id


def set_lock(env: Env, actor: Actor, customer_id: int, *, locked: bool) -> LockChanged:
    """Lock a customer against the nightly recycle (within the owner's lock cap), or unlock it."""
    customer = get_customer(env, actor, customer_id)
    customer_id = customer.id or 0
    owner = _require_lock_rights(customer, standing(env, actor, customer))
    pool_rules = settings_service.load(env, actor.workspace_id).pool_rules()
    if locked and customer.dealt_at is not None and pool_rules.dealt_exempt:
        raise InvalidInput(
            N_("%(name)s has ordered, so it is never recycled: no lock is needed."), name=customer.name
        )
    now = env.clock.now()
    with env.db.session() as session:
        used = _locks_in_use(session, actor.workspace_id, owner, pool_rules.lock_cap if locked else None)
        changed = recycle_store.set_lock(
            session=session,
            workspace_id=actor.workspace_id,
            customer_id=customer_id,
            owner_id=owner,
            locked_by=actor.user_id if locked else None,
            now=now,
        )
        if not changed:
            message = N_("%(name)s is already locked.") if locked else N_("%(name)s is not locked.")
            raise InvalidInput(message, name=customer.name)
        kind = MOVE_LOCK if locked else MOVE_UNLOCK
        record_move(session, actor, customer_id, kind, now, from_owner=owner, to_owner=owner)
    used += 1 if locked else -1
    return LockChanged(customer_id, customer.name, locked, owner, used, pool_rules.lock_cap)


def _locks_in_use(session: Session, workspace_id: str, owner: str, cap: int | None) -> int:
    """The owner's locks, counted on their row held for the transaction; a new lock must fit `cap`."""
    pool_store.hold_person(session=session, workspace_id=workspace_id, user_id=owner)
    used = recycle_store.count_locked(session=session, workspace_id=workspace_id, owner_id=owner)
    if cap is not None and used >= cap:
        raise NotAllowed(
            N_(
                "%(owner)s already has %(count)s locked customers, the most allowed (%(cap)s). Unlock one first."
            ),
            owner=Person(owner),
            count=used,
            cap=cap,
        )
    return used
