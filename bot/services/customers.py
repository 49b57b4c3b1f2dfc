"""Customers: create with the duplicate check, search, find one and who may work on it (the card is
bot/services/customers_card.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.env import Env
from bot.errors import Checks, InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.rules import names
from bot.rules.access import may_work_on
from bot.services.customers_card import CARD_HISTORY as CARD_HISTORY
from bot.services.customers_card import ChurnRisk as ChurnRisk
from bot.services.customers_card import CustomerCard as CustomerCard
from bot.services.customers_card import card_of as card_of
from bot.services.customers_card import standing as standing
from bot.services.customers_card import standing_in
from bot.services.people import Actor
from store import contacts as contact_store
from store import customers as customer_store
from store import merge as merge_store
from store import people as people_store
from store.models import LEVELS, Person
from store.models import Customer as Customer  # handlers name the rows this service returns

OWNER_ME = "me"
OWNER_POOL = "pool"
DUPLICATE_LIMIT = 10
SEARCH_LIMIT = 20
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

FIELD_LIMITS = {
    "name": 150,
    "contact_person": 100,
    "phone": 40,
    "email": 254,
    "region": 60,
    "industry": 60,
    "products": 300,
    "tags": 300,
    "source": 60,
}


@dataclass
class CustomerDraft:
    """What the New customer modal collects, as typed."""

    name: str
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    region: str = ""
    industry: str = ""
    products: str = ""
    tags: str = ""
    source: str = ""
    level: str = "C"
    owner: str = OWNER_ME

    def cleaned(self) -> CustomerDraft:
        values = {name: " ".join(str(getattr(self, name) or "").split()) for name in FIELD_LIMITS}
        return CustomerDraft(**values, level=(self.level or "C").upper(), owner=self.owner or OWNER_ME)


def validate_draft(draft: CustomerDraft) -> CustomerDraft:
    """The draft with spaces tidied; InvalidInput (InvalidFields for several) flags every wrong field."""
    clean = draft.cleaned()
    checks = Checks()
    for name, limit in FIELD_LIMITS.items():
        with checks.field():
            _check_field(clean, name, limit)
    with checks.field():
        if clean.level not in LEVELS:
            raise InvalidInput(N_("The level must be A, B or C."), field="level")
    checks.done()
    return clean


def _check_field(clean: CustomerDraft, name: str, limit: int) -> None:
    value = getattr(clean, name)
    if name == "name" and not names.name_key(value):
        raise InvalidInput(N_("Give the customer a name (letters or digits)."), field="name")
    check_text(name, value, limit)


def check_text(name: str, value: str, limit: int) -> None:
    """A typed value within its length; an e-mail or a phone that looks like one (customers and their
    contacts alike)."""
    if len(value) > limit:
        raise InvalidInput(N_("This is too long: at most %(limit)s characters."), field=name, limit=limit)
    if name == "email" and value and not _EMAIL.match(value):
        raise InvalidInput(N_("That does not look like an e-mail address (name@example.com)."), field="email")
    if name == "phone" and value and not re.search(r"\d{5,}", re.sub(r"[\s\-().]", "", value)):
        raise InvalidInput(N_("That does not look like a phone number."), field="phone")


@dataclass(frozen=True)
class DuplicateMatch:
    customer_id: int
    name: str
    owner_id: str | None
    same_phone: bool


def find_duplicates(env: Env, actor: Actor, draft: CustomerDraft) -> list[DuplicateMatch]:
    """Existing customers that the draft probably duplicates (PRODUCT.md's shared check)."""
    key = names.name_key(draft.name)
    phone = names.phone_key(draft.phone, actor.country) if draft.phone else None
    with env.db.session() as session:
        rows = customer_store.duplicate_candidates(
            session=session,
            workspace_id=actor.workspace_id,
            prefixes=names.key_prefixes(key),
            key=key,
            phone_key=phone,
            limit=DUPLICATE_LIMIT * 3,
        )
        phoned = (
            contact_store.with_phone(session=session, workspace_id=actor.workspace_id, phone_key=phone)
            if phone
            else set()
        )
    matches = [
        DuplicateMatch(
            customer_id=row.id or 0,
            name=row.name,
            owner_id=row.owner_id,
            same_phone=bool(phone and row.phone_key == phone) or row.id in phoned,
        )
        for row in rows
        if names.is_duplicate_key(key, row.name_key) or (phone and row.phone_key == phone) or row.id in phoned
    ]
    return matches[:DUPLICATE_LIMIT]


def owner_choices(env: Env, actor: Actor) -> list[Person]:
    """Whom this person may give a new customer to, besides themselves and the pool."""
    if not (actor.is_admin or actor.is_manager):
        return []
    with env.db.session() as session:
        if actor.is_admin:
            people = people_store.list_people(session=session, workspace_id=actor.workspace_id)
        else:
            people = people_store.list_team(
                session=session, workspace_id=actor.workspace_id, manager_id=actor.user_id
            )
    return [p for p in people if p.user_id != actor.user_id and not p.is_guest and not p.is_deleted]


def _owner_for(env: Env, actor: Actor, choice: str) -> str | None:
    if choice == OWNER_ME:
        return actor.user_id
    if not (actor.is_admin or actor.is_manager):
        raise NotAllowed(
            N_("Only managers and admins can give a new customer to someone else."), field="owner"
        )
    if choice == OWNER_POOL:
        return None
    allowed = {p.user_id for p in owner_choices(env, actor)}
    if choice not in allowed:
        raise NotAllowed(N_("You can give customers only to people in your team."), field="owner")
    return choice


def create_customer(env: Env, actor: Actor, draft: CustomerDraft, *, confirmed_duplicates: bool) -> Customer:
    """Save a new customer. Unless confirmed, refuses when it looks like a duplicate."""
    clean = validate_draft(draft)
    owner_id = _owner_for(env, actor, clean.owner)
    if not confirmed_duplicates and (matches := find_duplicates(env, actor, clean)):
        raise PossibleDuplicates(matches)
    now = env.clock.now()
    customer = Customer(
        workspace_id=actor.workspace_id,
        name=clean.name,
        name_key=names.name_key(clean.name),
        contact_person=clean.contact_person,
        phone=clean.phone,
        phone_key=names.phone_key(clean.phone, actor.country) if clean.phone else None,
        email=clean.email,
        region=clean.region,
        industry=clean.industry,
        products=clean.products,
        tags=clean.tags,
        source=clean.source,
        level=clean.level,
        owner_id=owner_id,
        owned_since=now if owner_id else None,
        recycle_clock_from=now if owner_id else None,
        pool_since=None if owner_id else now,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    with env.db.session() as session:
        added = customer_store.add_customer(
            session=session, customer=customer, terms=names.search_terms(clean.name)
        )
        contact_store.sync_from_rows(
            session=session, workspace_id=actor.workspace_id, customer_ids=[added.id or 0], now=now
        )
        return added


class PossibleDuplicates(Exception):
    """The draft matches existing customers; the person decides whether to save anyway."""

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        super().__init__(f"{len(matches)} possible duplicates")
        self.matches = matches


def search(env: Env, *, workspace_id: str, query: str, limit: int = SEARCH_LIMIT) -> list[Customer]:
    """Customers matching what was typed, best first: the whole name, its start, a word, any part.

    Two index ranges fetch candidates with their names; they are ranked on those alone, and only the
    winners are loaded whole.
    """
    terms = names.query_terms(query)
    key = names.query_key(query)
    if not terms:
        return []
    with env.db.session() as session:
        hits: list[customer_store.NameHit] = []
        # "Acme Ltd" is stored under the key "acme": look for the name with its suffix dropped too.
        for prefix in dict.fromkeys(p for p in (key, names.name_key(query)) if p):
            hits += customer_store.hits_by_key_prefix(
                session=session, workspace_id=workspace_id, prefix=prefix, limit=limit
            )
        best = _best_hits(hits, key, terms, limit)
        # Names that start with the query outrank any match on a later word: look further only if needed.
        for term in terms[:3]:
            if len(best) >= limit:
                break
            hits += customer_store.hits_by_term_prefix(
                session=session, workspace_id=workspace_id, prefix=term, limit=limit * 4
            )
            best = _best_hits(hits, key, terms, limit)
        loaded = customer_store.get_customers(session=session, workspace_id=workspace_id, ids=best)
    return [loaded[customer_id] for customer_id in best if customer_id in loaded]


def _best_hits(
    hits: Sequence[customer_store.NameHit], key: str, terms: Sequence[str], limit: int
) -> list[int]:
    ranks: dict[int, tuple[int, int, str]] = {}
    for hit in hits:
        rank = _rank(hit, key, terms)
        if rank is not None:
            ordering = (rank, len(hit.name), hit.name)
            ranks[hit.customer_id] = min(ranks.get(hit.customer_id, ordering), ordering)
    return sorted(ranks, key=lambda customer_id: (ranks[customer_id], customer_id))[:limit]


def _rank(hit: customer_store.NameHit, key: str, terms: Sequence[str]) -> int | None:
    """0 the whole name, 1 the start of the name, 2 the start of a word, 3 any part (Chinese)."""
    if any(term not in hit.name_key and term not in names.query_key(hit.name) for term in terms[1:]):
        return None
    if hit.name_key == key or hit.name_key == names.name_key(key):
        return 0
    if hit.name_key.startswith(key):
        return 1
    if hit.term and names.is_cjk_start(hit.term) and not hit.name_key.startswith(hit.term):
        return 3
    return 2


def resolve_one(env: Env, actor: Actor, query: str) -> Customer | list[Customer]:
    """The customer meant by `query`: one when the match is unique (or exact), else the candidates."""
    query = query.strip()
    key = names.name_key(query)
    with env.db.session() as session:
        same_name = customer_store.customers_by_key(
            session=session, workspace_id=actor.workspace_id, key=key, limit=2
        )
    if len(same_name) == 1:
        return same_name[0]  # the whole name, typed: no need to rank candidates
    matches = search(env, workspace_id=actor.workspace_id, query=query)
    if not matches:
        with env.db.session() as session:  # the name of a duplicate merged into another
            survivors = merge_store.survivors_named(session=session, workspace_id=actor.workspace_id, key=key)
        if len(set(survivors)) == 1:
            return get_customer(env, actor, survivors[0])
        raise NotFound(
            N_("No customer matches “%(query)s”. Check the spelling, or add it with /customer."), query=query
        )
    exact = [
        c for c in matches if c.name_key == names.name_key(query) or c.name.casefold() == query.casefold()
    ]
    if len(exact) == 1:
        return exact[0]
    if len(matches) == 1:
        return matches[0]
    return matches


def get_customer(env: Env, actor: Actor, customer_id: int) -> Customer:
    with env.db.session() as session:
        customer = customer_store.get_customer(
            session=session, workspace_id=actor.workspace_id, customer_id=customer_id
        )
    if customer is None:
        raise NotFound(N_("That customer no longer exists."))
    return customer


def require_work_access(env: Env, actor: Actor, customer: Customer) -> None:
    if may_work_on(standing(env, actor, customer)):
        return
    if customer.owner_id is None:
        raise NotAllowed(
            N_("%(name)s is in the pool. Claim it before logging visits or orders."), name=customer.name
        )
    raise NotAllowed(
        N_("%(name)s belongs to someone else. Only the owner, their manager and admins can log it."),
        name=customer.name,
    )


def card(env: Env, actor: Actor, customer_id: int) -> CustomerCard:
    return card_of(env, actor, get_customer(env, actor, customer_id))


CHOICES = 50  # regions or industries offered at once


def values_in_use(env: Env, actor: Actor, field: str, typed: str) -> list[str]:
    """The forms' choices for region or industry: what was typed (a new value), then the values in
    use that contain it, the most used first."""
    typed = " ".join(typed.split())[: FIELD_LIMITS[field]]
    with env.db.session() as session:
        used = customer_store.values_in_use(
            session=session, workspace_id=actor.workspace_id, field=field, typed=typed, limit=CHOICES
        )
    fresh = [typed] if typed and typed.casefold() not in {value.casefold() for value in used} else []
    return fresh + used


def workable(env: Env, actor: Actor, found: Sequence[Customer]) -> frozenset[int]:
    """Of these customers, the ones this person may log visits and orders on (a pick list offers
    *Log here* on those only)."""
    with env.db.session() as session:
        return frozenset(
            c.id for c in found if c.id is not None and may_work_on(standing_in(session, actor, c))
        )
