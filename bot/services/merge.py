"""Merging duplicates: a manager (customers of their team) or an admin merges one customer into
another, the survivor. The survivor keeps its own details where it has them, takes the duplicate's
where it has none, and takes those the person chose; the duplicate's visits, orders, complaints and
history move to the survivor, whose facts are then read again from the records it now has. The
duplicate's row is kept aside, whole, naming its survivor: its old buttons, links and its name in a
search lead to the survivor. Both histories record the merge.

Decisions: the survivor is the customer whose card the merge started from (start from the other card
to keep the other one). The survivor keeps its owner; one in the pool takes the duplicate's owner. The
duplicate's owner, when another, hears of it by DM. Levels are ranked again by the nightly tiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sqlmodel import Session

from bot import events
from bot.env import Env
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.rules import names
from bot.rules.access import may_merge, may_see_contact
from bot.services.corrections import refresh_order_facts, refresh_visit_facts
from bot.services.customers import get_customer
from bot.services.customers_card import standing_in
from bot.services.customers_edit import EDITABLE
from bot.services.people import Actor
from store import contacts as contact_store
from store import customers as customer_store
from store import merge as store
from store.models import Customer, CustomerChange

MERGED, MERGED_INTO = "merged", "merged_into"  # the history's field names on each side
_OWNERSHIP = ("owner_id", "owned_since", "recycle_clock_from", "recycle_extended_until", "pool_since")


@dataclass(frozen=True)
class CustomerMerged(events.Event):
    """A duplicate merged into its survivor; the duplicate's owner hears of it unless they merged it or
    own the survivor."""

    workspace_id: str
    survivor_id: int
    survivor_name: str
    duplicate_name: str
    by: str
    by_locale: str
    owner_id: str | None  # the survivor's owner after the merge
    taken_from: str | None  # the duplicate's owner, when another person


@dataclass(frozen=True)
class MergePreview:
    survivor: Customer
    duplicate: Customer
    choices: tuple[str, ...]  # details both have, differently: the person chooses which stays
    filled: tuple[str, ...]  # details only the duplicate has: the survivor takes them
    show_contact: bool


@dataclass(frozen=True)
class Merged:
    survivor_id: int
    moved: dict[str, int]
    updates: tuple[str, ...]


def preview(env: Env, actor: Actor, survivor_id: int, duplicate_id: int) -> MergePreview:
    """Both customers side by side, for one who may merge them; refused before the form goes on."""
    survivor = get_customer(env, actor, survivor_id)
    duplicate = get_customer(env, actor, duplicate_id)
    if survivor.id == duplicate.id:
        raise InvalidInput(
            N_("Choose another customer: %(name)s cannot be merged into itself."),
            field="customer",
            name=survivor.name,
        )
    with env.db.session() as session:
        _require_may_merge(session, actor, survivor, duplicate)
        show_contact = may_see_contact(standing_in(session, actor, survivor))
    both = [name for name in EDITABLE if getattr(survivor, name) and getattr(duplicate, name)]
    choices = tuple(name for name in both if getattr(survivor, name) != getattr(duplicate, name))
    filled = tuple(name for name in EDITABLE if getattr(duplicate, name) and not getattr(survivor, name))
    return MergePreview(survivor, duplicate, choices, filled, show_contact)


def refuse(name: str) -> NoReturn:
    raise NotAllowed(
        N_("Only admins, and managers for their team's customers, can merge %(name)s."), name=name
    )


def _require_may_merge(session: Session, actor: Actor, *customers: Customer) -> None:
    for customer in customers:
        if not may_merge(standing_in(session, actor, customer)):
            refuse(customer.name)


def merge(
    env: Env,
    actor: Actor,
    survivor_id: int,
    duplicate_id: int,
    *,
    take: frozenset[str],
    shown: dict[str, str],
) -> Merged:
    """Merge `duplicate_id` into `survivor_id`, taking the details named in `take` from the duplicate.
    `shown`: each customer's `updated_at` as the form showed it; a change since refuses the merge."""
    now = env.clock.now()
    with env.db.session() as session:
        pair = store.lock_pair(
            session=session, workspace_id=actor.workspace_id, ids=(survivor_id, duplicate_id)
        )
        survivor, duplicate = _still_as_shown(pair, survivor_id, duplicate_id, shown)
        _require_may_merge(session, actor, survivor, duplicate)
        taken_from = duplicate.owner_id if duplicate.owner_id not in (None, survivor.owner_id) else None
        changed = _take_details(session, actor, survivor, duplicate, take, now)
        moved = _move_everything(session, actor, survivor, duplicate, changed, now)
        fresh = session.get(Customer, survivor_id, populate_existing=True)
        assert fresh is not None
        refresh_visit_facts(session, fresh, now)
        refresh_order_facts(session, fresh, actor.today(env), now)
        updates = events.publish(
            env,
            session,
            CustomerMerged(
                actor.workspace_id, survivor_id, fresh.name, duplicate.name, actor.user_id, actor.locale,
                fresh.owner_id, taken_from if taken_from != actor.user_id else None,
            ),
        )  # fmt: skip
    return Merged(survivor_id, moved, updates)


def _move_everything(
    session: Session,
    actor: Actor,
    survivor: Customer,
    duplicate: Customer,
    changed: dict[str, tuple[str, str]],
    now: datetime,
) -> dict[str, int]:
    """The duplicate's story, search terms and history to the survivor; its row set aside."""
    ws, survivor_id, duplicate_id = actor.workspace_id, survivor.id or 0, duplicate.id or 0
    moved = store.move_story(session=session, workspace_id=ws, from_id=duplicate_id, to_id=survivor_id)
    terms = names.search_terms(duplicate.name)
    store.move_terms(session=session, workspace_id=ws, from_id=duplicate_id, to_id=survivor_id, terms=terms)
    _record(session, actor, survivor, duplicate, changed, now)
    store.set_aside(session=session, customer=duplicate, survivor_id=survivor_id, values={"updated_at": now})
    contact_store.sync_from_rows(session=session, workspace_id=ws, customer_ids=[survivor_id], now=now)
    return moved


def _still_as_shown(
    pair: dict[int, Customer], survivor_id: int, duplicate_id: int, shown: dict[str, str]
) -> tuple[Customer, Customer]:
    if survivor_id not in pair or duplicate_id not in pair:
        raise NotFound(N_("One of these customers was merged or removed meanwhile. Start the merge again."))
    survivor, duplicate = pair[survivor_id], pair[duplicate_id]
    for customer in (survivor, duplicate):
        if shown.get(str(customer.id)) != customer.updated_at.isoformat():
            raise InvalidInput(
                N_("%(name)s changed while you were merging. Start the merge again to see the change."),
                name=customer.name,
            )
    return survivor, duplicate


def _take_details(
    session: Session,
    actor: Actor,
    survivor: Customer,
    duplicate: Customer,
    take: frozenset[str],
    now: datetime,
) -> dict[str, tuple[str, str]]:
    """The survivor's details the duplicate fills in or the person chose, and the owner of one in the
    pool; {field: (old, new)} of the details changed."""
    changed = {
        name: (getattr(survivor, name), getattr(duplicate, name))
        for name in EDITABLE
        if getattr(duplicate, name)
        and getattr(duplicate, name) != getattr(survivor, name)
        and (name in take or not getattr(survivor, name))
    }
    for name, (_old, new) in changed.items():
        setattr(survivor, name, new)
    if "name" in changed:
        survivor.name_key = names.name_key(survivor.name)
        customer_store.replace_terms(
            session=session, workspace_id=actor.workspace_id, customer_id=survivor.id or 0,
            terms=names.search_terms(survivor.name),
        )  # fmt: skip
    if "phone" in changed:
        survivor.phone_key = names.phone_key(survivor.phone, actor.country) if survivor.phone else None
    if survivor.owner_id is None and duplicate.owner_id is not None:
        for name in _OWNERSHIP:
            setattr(survivor, name, getattr(duplicate, name))
    survivor.updated_at = now
    session.add(survivor)
    session.flush()
    return changed


def _record(
    session: Session,
    actor: Actor,
    survivor: Customer,
    duplicate: Customer,
    changed: dict[str, tuple[str, str]],
    now: datetime,
) -> None:
    """Both histories: the survivor's says what it took in (and each detail it took), the duplicate's
    where it went."""
    ws = actor.workspace_id

    def change(customer: Customer, field: str, old: str, new: str) -> CustomerChange:
        return CustomerChange(
            workspace_id=ws, customer_id=customer.id or 0, field=field, old_value=old, new_value=new,
            actor_id=actor.user_id, at=now,
        )  # fmt: skip

    session.add(change(survivor, MERGED, duplicate.name, str(duplicate.id)))
    session.add_all(change(survivor, name, old, new) for name, (old, new) in changed.items())
    session.add(change(duplicate, MERGED_INTO, "", survivor.name))
