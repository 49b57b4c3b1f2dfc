"""Undo: the person who released a customer or marked it lost takes it back within UNDO_WINDOW, if
nothing happened to it since (nobody claimed it). The release or mark lost kept the fields it changed,
as they were (`snapshot`, in its history row); the undo puts them back in one conditional write and
adds an `undo` line to the history, which keeps the release too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from bot import events
from bot.env import Env
from bot.errors import InvalidInput, NotAllowed, NotFound, Person
from bot.i18n import N_
from bot.services import opportunities_release, snapshots
from bot.services.people import Actor
from bot.services.pool import CustomerClaimed, record_move
from store import moves as moves_store
from store.models import MOVE_CLAIM, MOVE_LOST, MOVE_RELEASE, MOVE_UNDO, Customer, OwnershipEvent


@dataclass(frozen=True)
class Undone:
    customer_id: int
    name: str
    kind: str  # what was undone: MOVE_RELEASE or MOVE_LOST
    updates: Sequence[str] = ()  # the announcements' updates to send at once (a release undone)


def undo(env: Env, actor: Actor, customer_id: int) -> Undone:
    """Undo the customer's latest move if it is `actor`'s release or mark lost of the last minutes."""
    now = env.clock.now()
    ws = actor.workspace_id
    with env.db.session() as session:
        customer = session.get(Customer, customer_id, with_for_update=True)
        if customer is None or customer.workspace_id != ws:
            raise NotFound(N_("That customer no longer exists."))
        last = moves_store.latest_move(session=session, workspace_id=ws, customer_id=customer_id)
        move = _undoable(last, customer, actor, now)
        restored = snapshots.restored(move.undo or "{}")
        back_to = _put_back(session, customer, move, restored, now)
        record_move(
            session, actor, customer_id, MOVE_UNDO, now, from_owner=None, to_owner=back_to, reason=move.kind
        )
        if move.kind == MOVE_RELEASE:
            opportunities_release.reopen_after_undo(session, env, actor, customer_id, move.at)
        updates = (
            events.publish(env, session, CustomerClaimed(ws, customer_id))
            if move.kind == MOVE_RELEASE
            else ()
        )
        return Undone(customer_id, customer.name, move.kind, updates)


def _undoable(last: OwnershipEvent | None, customer: Customer, actor: Actor, now: datetime) -> OwnershipEvent:
    if last is not None and last.kind == MOVE_CLAIM and last.to_owner_id:
        raise InvalidInput(
            N_("%(who)s claimed %(name)s meanwhile: the release stands."),
            who=Person(last.to_owner_id),
            name=customer.name,
        )
    if last is None or last.kind not in (MOVE_RELEASE, MOVE_LOST) or last.undo is None:
        raise InvalidInput(N_("%(name)s has changed since: there is nothing to undo."), name=customer.name)
    if last.actor_id != actor.user_id:
        raise NotAllowed(
            N_("Only %(who)s, who made this change, can undo it."), who=Person(last.actor_id or "")
        )
    if now - last.at > snapshots.UNDO_WINDOW:
        raise InvalidInput(N_("A change can be undone for 10 minutes only, and they have passed."))
    return last


def _put_back(
    session: Any, customer: Customer, move: OwnershipEvent, restored: dict[str, Any], now: datetime
) -> str | None:
    """The conditional write that undoes the move; the owner afterwards."""
    if move.kind == MOVE_RELEASE:
        still = col(Customer.owner_id).is_(None)
        values = {**restored, "owner_id": move.from_owner_id, "pool_since": None, "updated_at": now}
    else:
        still = col(Customer.lost_at).is_not(None)
        values = {**restored, "lost_at": None, "lost_reason": "", "updated_at": now}
    done = session.execute(sa.update(Customer).where(col(Customer.id) == customer.id, still).values(**values))
    if done.rowcount != 1:
        raise InvalidInput(N_("%(name)s has changed since: there is nothing to undo."), name=customer.name)
    return move.from_owner_id if move.kind == MOVE_RELEASE else customer.owner_id
