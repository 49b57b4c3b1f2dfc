"""Editing a customer by hand: the Edit form's draft, the duplicate check when the name or phone
changes, and the write — only the fields changed, only if nobody changed them meanwhile, with the search
terms following the name and each change kept in the customer's history."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.env import Env
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_
from bot.rules import names
from bot.rules.access import may_edit
from bot.services.customers import (
    FIELD_LIMITS,
    CustomerDraft,
    PossibleDuplicates,
    find_duplicates,
    get_customer,
    standing,
    validate_draft,
)
from bot.services.customers_card import standing_in
from bot.services.people import Actor
from store import contacts as contact_store
from store import customers as customer_store
from store.models import Customer, CustomerChange

EDITABLE = tuple(FIELD_LIMITS)  # the New customer form's text fields; level and owner have their own ways
CHECKED_AGAIN = ("name", "phone")  # a change to either runs the duplicate check again


@dataclass(frozen=True)
class Edited:
    customer_id: int
    changed: tuple[str, ...]  # the fields written, in the form's order; empty when nothing changed


def draft_of(customer: Customer) -> CustomerDraft:
    """The customer's editable fields as the form shows them."""
    return CustomerDraft(**{name: str(getattr(customer, name) or "") for name in EDITABLE})


def open_edit(env: Env, actor: Actor, customer_id: int) -> tuple[Customer, CustomerDraft]:
    """The customer and its draft, for one who may edit it; NotAllowed before the form opens otherwise."""
    customer = get_customer(env, actor, customer_id)
    if not may_edit(standing(env, actor, customer)):
        raise _not_yours(customer.name)
    return customer, draft_of(customer)


def save_edit(
    env: Env, actor: Actor, customer_id: int, shown: CustomerDraft, typed: CustomerDraft, *, confirmed: bool
) -> Edited:
    """Write what changed between the form as shown and as submitted. PossibleDuplicates (unless
    confirmed) when a new name or phone matches another customer; InvalidInput when someone changed the
    same fields meanwhile (nothing is written)."""
    clean = validate_draft(dataclasses.replace(typed, level="C", owner=""))
    changed = {
        name: getattr(clean, name) for name in EDITABLE if getattr(clean, name) != getattr(shown, name)
    }
    if not changed:
        return Edited(customer_id, ())
    if not confirmed and set(changed) & set(CHECKED_AGAIN):
        others = [m for m in find_duplicates(env, actor, clean) if m.customer_id != customer_id]
        if others:
            raise PossibleDuplicates(others)
    _write(env, actor, customer_id, {name: getattr(shown, name) for name in changed}, changed)
    return Edited(customer_id, tuple(changed))


def _write(env: Env, actor: Actor, customer_id: int, before: dict[str, str], after: dict[str, str]) -> None:
    now = env.clock.now()
    values: dict[str, object] = {**after, "updated_at": now}
    if "name" in after:
        values["name_key"] = names.name_key(after["name"])
    if "phone" in after:
        values["phone_key"] = names.phone_key(after["phone"], actor.country) if after["phone"] else None
    with env.db.session() as session:
        customer = customer_store.get_customer(
            session=session, workspace_id=actor.workspace_id, customer_id=customer_id
        )
        if customer is None or not may_edit(standing_in(session, actor, customer)):
            raise _not_yours(customer.name if customer else "")
        ws = actor.workspace_id
        if not customer_store.update_if_unchanged(
            session=session, workspace_id=ws, customer_id=customer_id, shown=before, values=values
        ):
            raise InvalidInput(
                N_("Someone changed %(name)s while you were editing it. Open Edit again to see the change."),
                name=customer.name,
            )
        if set(after) & {"contact_person", "phone", "email"}:  # the primary contact follows
            contact_store.sync_from_rows(
                session=session, workspace_id=ws, customer_ids=[customer_id], now=now
            )
        if "name" in after:
            customer_store.replace_terms(
                session=session,
                workspace_id=ws,
                customer_id=customer_id,
                terms=names.search_terms(after["name"]),
            )
        session.add_all(
            CustomerChange(workspace_id=ws, customer_id=customer_id, field=name, old_value=before[name],
                           new_value=after[name], actor_id=actor.user_id, at=now)
            for name in after
        )  # fmt: skip


def _not_yours(name: str) -> NotAllowed:
    return NotAllowed(N_("Only the owner, their manager and admins can edit %(name)s."), name=name)
