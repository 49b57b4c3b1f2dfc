"""Contacts: the people of a customer's buying chain (name, title or role, phone, e-mail, a note; one
of them primary), added, corrected, made primary or removed by those who may edit the customer. Each
change is kept in the customer's history (a removed contact whole, as JSON). The primary contact's
name, phone and e-mail are kept on the customer's row too, in the same transaction (store.contacts)."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.env import Env
from bot.errors import Checks, InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.rules import names
from bot.rules.access import may_edit
from bot.services.customers import check_text, get_customer
from bot.services.customers_card import standing_in
from bot.services.people import Actor
from store import contacts as store
from store.models import Contact, Customer, CustomerChange

LIMITS = {"name": 100, "title": 100, "phone": 40, "email": 254, "note": 300}
# The history's field names: a contact added, changed, removed, made primary (its name as the value).
ADDED, CHANGED, REMOVED, PRIMARY = "contact_added", "contact_changed", "contact_removed", "contact_primary"


@dataclass(frozen=True)
class ContactDraft:
    name: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""
    note: str = ""
    primary: bool = False

    def cleaned(self) -> ContactDraft:
        tidied: dict[str, Any] = {f: " ".join(getattr(self, f).split()) for f in LIMITS}
        return replace(self, **tidied)


@dataclass(frozen=True)
class ContactSaved:
    customer_id: int


def validate(draft: ContactDraft) -> ContactDraft:
    """Every wrong field flagged at once; a contact needs a name, a phone or an e-mail."""
    clean = draft.cleaned()
    checks = Checks()
    with checks.field():
        if not (clean.name or clean.phone or clean.email):
            raise InvalidInput(N_("Give the contact a name, a phone or an e-mail."), field="name")
    for name, limit in LIMITS.items():
        with checks.field():
            check_text(name, getattr(clean, name), limit)
    checks.done()
    return clean


def draft_of(contact: Contact) -> ContactDraft:
    return ContactDraft(**{f.name: getattr(contact, f.name) for f in fields(ContactDraft) if f.name != "primary"},
                        primary=contact.is_primary)  # fmt: skip


def open_contacts(env: Env, actor: Actor, customer_id: int) -> Customer:
    """The customer, for one who may edit its contacts; refused before a form opens otherwise."""
    customer = get_customer(env, actor, customer_id)
    with env.db.session() as session:
        _require_may_edit(session, actor, customer)
    return customer


def open_contact(env: Env, actor: Actor, contact_id: int) -> tuple[Customer, Contact]:
    with env.db.session() as session:
        contact = _contact(session, actor, contact_id)
        customer = get_customer(env, actor, contact.customer_id)
        _require_may_edit(session, actor, customer)
        session.expunge(contact)
    return customer, contact


def _contact(session: Session, actor: Actor, contact_id: int) -> Contact:
    contact = store.get(session=session, workspace_id=actor.workspace_id, contact_id=contact_id)
    if contact is None:
        raise NotFound(N_("That contact no longer exists: it was removed, or its customer was merged."))
    return contact


def _require_may_edit(session: Session, actor: Actor, customer: Customer) -> None:
    if not may_edit(standing_in(session, actor, customer)):
        raise NotAllowed(
            N_("Only the owner, their manager and admins can change the contacts of %(name)s."),
            name=customer.name,
        )


def add(env: Env, actor: Actor, customer_id: int, draft: ContactDraft) -> ContactSaved:
    clean, now = validate(draft), env.clock.now()
    customer = get_customer(env, actor, customer_id)
    with env.db.session() as session:
        _require_may_edit(session, actor, customer)
        contact = Contact(
            workspace_id=actor.workspace_id, customer_id=customer.id or 0, **_columns(clean, actor),
            created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(contact)
        session.flush()
        first = (
            len(
                store.of_customer(
                    session=session, workspace_id=actor.workspace_id, customer_id=contact.customer_id
                )
            )
            == 1
        )
        _settle(session, contact, primary=clean.primary or first, now=now)
        _record(session, actor, contact, ADDED, "", _label(contact), now)
    return ContactSaved(contact.customer_id)


def edit(env: Env, actor: Actor, contact_id: int, shown: ContactDraft, typed: ContactDraft) -> ContactSaved:
    """Write what changed since the form opened; refused (nothing written) if someone changed it meanwhile."""
    clean, now = validate(typed), env.clock.now()
    with env.db.session() as session:
        contact = _contact(session, actor, contact_id)
        customer = get_customer(env, actor, contact.customer_id)
        _require_may_edit(session, actor, customer)
        if draft_of(contact) != shown.cleaned():
            raise InvalidInput(
                N_("Someone changed this contact while you were editing it. Open it again to see the change.")
            )
        before = _label(contact)
        for name, value in _columns(clean, actor).items():
            setattr(contact, name, value)
        contact.updated_at = now
        session.add(contact)
        session.flush()
        _settle(session, contact, primary=clean.primary or contact.is_primary, now=now)
        _record(session, actor, contact, CHANGED, before, _label(contact), now)
    return ContactSaved(contact.customer_id)


def remove(env: Env, actor: Actor, contact_id: int) -> ContactSaved:
    """Removed from the card; kept whole in the history. A removed primary hands over to the next."""
    now = env.clock.now()
    with env.db.session() as session:
        contact = _contact(session, actor, contact_id)
        _require_may_edit(session, actor, get_customer(env, actor, contact.customer_id))
        kept = json.dumps(contact.model_dump(mode="json"), ensure_ascii=False)
        _record(session, actor, contact, REMOVED, kept, _label(contact), now)
        session.delete(contact)
        session.flush()
        if contact.is_primary:
            store.make_primary(session=session, customer_id=contact.customer_id, contact_id=None)
        store.mirror_primary(session=session, customer_id=contact.customer_id, now=now)
    return ContactSaved(contact.customer_id)


def make_primary(env: Env, actor: Actor, contact_id: int) -> ContactSaved:
    now = env.clock.now()
    with env.db.session() as session:
        contact = _contact(session, actor, contact_id)
        _require_may_edit(session, actor, get_customer(env, actor, contact.customer_id))
        _settle(session, contact, primary=True, now=now)
        _record(session, actor, contact, PRIMARY, "", _label(contact), now)
    return ContactSaved(contact.customer_id)


def _columns(clean: ContactDraft, actor: Actor) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(clean, name) for name in LIMITS}
    values["phone_key"] = names.phone_key(clean.phone, actor.country) if clean.phone else None
    return values


def _settle(session: Session, contact: Contact, *, primary: bool, now: datetime) -> None:
    """One primary contact, and the customer's row showing it."""
    if primary:
        store.make_primary(session=session, customer_id=contact.customer_id, contact_id=contact.id)
    store.mirror_primary(session=session, customer_id=contact.customer_id, now=now)


def _label(contact: Contact) -> str:
    """A contact as the history names it: its name (or its title, phone or e-mail)."""
    return contact.name or contact.title or contact.phone or contact.email


def _record(
    session: Session, actor: Actor, contact: Contact, field: str, old: str, new: str, now: datetime
) -> None:
    session.add(
        CustomerChange(
            workspace_id=actor.workspace_id, customer_id=contact.customer_id, record=f"contact:{contact.id}",
            field=field, old_value=old, new_value=new, actor_id=actor.user_id, at=now,
        )
    )  # fmt: skip
