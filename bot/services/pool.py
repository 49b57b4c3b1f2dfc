"""The public pool (公海): claim, release and assign, each written to the ownership history (locks, which
hold a customer back from the recycle, are in bot/services/recycle.py).

Every change of owner is a conditional UPDATE in the database ("if it is still in the pool", "if it is
still Mei's"), never a lock in Python, so it holds across web processes. A claim first counts itself
on the claimer's row (a write), which makes one person's concurrent claims take turns: the holding cap
and the daily limit are then checked on numbers no other claim of theirs can change meanwhile.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import events
from bot.env import Env
from bot.errors import InvalidInput, NotAllowed, NotFound, Person, UserError
from bot.i18n import N_, Moment
from bot.rules import pool as rules
from bot.rules.access import may_work_on
from bot.services import opportunities_release, snapshots
from bot.services import settings as settings_service
from bot.services.customers import get_customer, standing
from bot.services.opportunities_release import LOSE
from bot.services.people import Actor
from store import merge as merge_store
from store import moves as moves_store
from store import pool as pool_store
from store.models import MOVE_ASSIGN, MOVE_RECYCLE, MOVE_RELEASE, Customer

RELEASE_REASONS = ("not_interested", "wrong_contact", "duplicate", "handed_over", "other")
NOTE_LIMIT = 500


class AlreadyClaimed(UserError):
    """Someone else owns the customer now (a race lost, or a stale button)."""

    def __init__(self, name: str, owner_id: str) -> None:
        super().__init__(N_("%(owner)s claimed %(name)s first."), name=name, owner=Person(owner_id))
        self.owner_id = owner_id


class OwnedBySomeone(UserError):
    """The customer is not in the pool: it belongs to someone."""

    def __init__(self, name: str, owner_id: str) -> None:
        super().__init__(
            N_("%(name)s belongs to %(owner)s; it is not in the pool."), name=name, owner=Person(owner_id)
        )
        self.name = name
        self.owner_id = owner_id


class AlreadyYours(UserError):
    def __init__(self, name: str) -> None:
        super().__init__(N_("%(name)s is already yours."), name=name)


class ClaimRefused(UserError):
    """A pool rule refused the claim; the message names the rule and when it frees up."""


@dataclass(frozen=True)
class CustomerClaimed(events.Event):
    """A customer left the pool for its claimer (the announcements showing it are brought up to date)."""

    workspace_id: str
    customer_id: int
    by: str = ""  # the claimer; empty when an undo puts a customer back with its owner
    previous_owner_id: str | None = None  # who had it before it went back to the pool


@dataclass(frozen=True)
class Claimed:
    customer_id: int
    name: str
    claims_left_today: int
    holding: int
    holding_cap: int
    updates: tuple[str, ...] = ()  # the queued updates of the announcements showing the customer


def claim(env: Env, actor: Actor, customer_id: int) -> Claimed:
    """Claim a pool customer for `actor`: the checks in PRODUCT.md's order, then the atomic write. A
    merged duplicate's old Claim button claims its survivor."""
    try:
        return _claim(env, actor, customer_id)
    except NotFound:
        survivor = _survivor(env, actor, customer_id)
        if survivor is None:
            raise
        return _claim(env, actor, survivor)


def _claim(env: Env, actor: Actor, customer_id: int) -> Claimed:
    now = env.clock.now()
    ws, me = actor.workspace_id, actor.user_id
    # One Core transaction of prebuilt statements: the claim is the pool's hottest path.
    with env.db.connection() as session:
        claims = pool_store.count_claim(session=session, workspace_id=ws, user_id=me, day=actor.today(env))
        facts = pool_store.claim_facts(session=session, workspace_id=ws, user_id=me, customer_id=customer_id)
        if facts is None or claims is None:
            raise NotFound(N_("That customer no longer exists."))
        pool_rules, holding = _check_claim(env, actor, facts, claims - 1)
        if not pool_store.take_from_pool(
            session=session, workspace_id=ws, customer_id=customer_id, user_id=me, now=now
        ):
            _refuse_owned(_now_owned(session, ws, customer_id, facts), me, raced=True)
        claimed = CustomerClaimed(ws, customer_id, me, facts.previous_owner_id)
        updates = events.publish(env, session, claimed)
    left = max(0, pool_rules.daily_claim_limit - claims)
    return Claimed(customer_id, facts.name, left, holding + 1, pool_rules.holding_cap, updates)


def _survivor(env: Env, actor: Actor, customer_id: int) -> int | None:
    with env.db.session() as session:
        return merge_store.survivor_of(
            session=session, workspace_id=actor.workspace_id, customer_id=customer_id
        )


def claim_refusal(env: Env, actor: Actor, customer_id: int) -> UserError | None:
    """Why `actor` may not claim this pool customer now (a card offers no Claim then, and says why), or
    None when a claim would pass its checks. Reads only: nothing is counted."""
    ws, me = actor.workspace_id, actor.user_id
    with env.db.connection() as session:
        claims = pool_store.claims_so_far(session=session, workspace_id=ws, user_id=me, day=actor.today(env))
        facts = pool_store.claim_facts(session=session, workspace_id=ws, user_id=me, customer_id=customer_id)
    if facts is None or claims is None:
        return None  # a person not recorded yet, or a customer gone: the press itself says so
    try:
        _check_claim(env, actor, facts, claims)
    except UserError as refused:
        return refused
    return None


def _check_claim(
    env: Env, actor: Actor, facts: pool_store.ClaimFacts, claims_before: int
) -> tuple[rules.PoolRules, int]:
    """The claim's checks in PRODUCT.md's order; the rules and the person's holding when they pass."""
    pool_rules = settings_service.from_stored(facts.settings).pool_rules()
    holding = facts.holding_all if pool_rules.dealt_count_in_cap else facts.holding_not_dealt
    _refuse_owned(facts, actor.user_id, raced=False)
    check = rules.ClaimFacts(
        now=env.clock.now(),
        timezone=actor.timezone,
        may_claim=not actor.is_guest,
        holding=holding,
        claims_today=claims_before,
        last_let_go_at=facts.lost_at,
    )
    refusal = rules.check_claim(pool_rules, check)
    if refusal is not None:
        raise _refusal_error(refusal, pool_rules, facts, holding, actor)
    return pool_rules, holding


def _now_owned(
    session: pool_store.Executor, workspace_id: str, customer_id: int, facts: pool_store.ClaimFacts
) -> pool_store.ClaimFacts:
    owner = pool_store.owner_of(session=session, workspace_id=workspace_id, customer_id=customer_id)
    return dataclasses.replace(facts, owner_id=owner)


def _refuse_owned(facts: pool_store.ClaimFacts, me: str, *, raced: bool) -> None:
    """A customer someone owns is not in the pool: say who has it (the winner, after a race)."""
    if facts.owner_id is None:
        return
    if facts.owner_id == me:
        raise AlreadyYours(facts.name)  # a double click: the first click claimed it
    if raced:
        raise AlreadyClaimed(facts.name, facts.owner_id)
    raise OwnedBySomeone(facts.name, facts.owner_id)


def _refusal_error(
    refusal: rules.Refusal,
    pool_rules: rules.PoolRules,
    facts: pool_store.ClaimFacts,
    holding: int,
    actor: Actor,
) -> ClaimRefused:
    when = Moment(refusal.frees_at, actor.timezone) if refusal.frees_at else None
    if refusal.rule is rules.ClaimRule.NOT_ALLOWED:
        return ClaimRefused(N_("You cannot claim customers from the pool."))
    if refusal.rule is rules.ClaimRule.HOLDING_CAP:
        message = (
            N_(
                "You hold %(count)s customers, the most one rep may hold (%(cap)s). Release one with /release to claim another."
            )
            if pool_rules.dealt_count_in_cap
            else N_(
                "You hold %(count)s customers who have not ordered yet, the most one rep may hold (%(cap)s). "
                "Release one with /release to claim another."
            )
        )
        return ClaimRefused(message, count=holding, cap=pool_rules.holding_cap)
    if refusal.rule is rules.ClaimRule.DAILY_LIMIT:
        return ClaimRefused(
            N_(
                "You have claimed %(limit)s customers today, the daily limit. You can claim again from %(when)s."
            ),
            limit=pool_rules.daily_claim_limit,
            when=when,
        )
    assert facts.lost_at is not None
    lost_on = Moment(facts.lost_at, actor.timezone, with_time=False)
    return ClaimRefused(
        _COOLDOWN_MESSAGES.get(facts.lost_by or "", _COOLDOWN_MESSAGES[MOVE_RELEASE]),
        name=facts.name,
        day=lost_on,
        when=when,
    )


_COOLDOWN_MESSAGES = {
    MOVE_RELEASE: N_("You released %(name)s on %(day)s; you can claim it again from %(when)s."),
    MOVE_RECYCLE: N_(
        "%(name)s went back to the pool from you on %(day)s; you can claim it again from %(when)s."
    ),
    MOVE_ASSIGN: N_("%(name)s was reassigned from you on %(day)s; you can claim it again from %(when)s."),
}


def record_move(
    session: pool_store.Executor,
    actor: Actor,
    customer_id: int,
    kind: str,
    now: datetime,
    *,
    from_owner: str | None,
    to_owner: str | None,
    reason: str = "",
    note: str = "",
    undo: str | None = None,
) -> None:
    """Write one move of the ownership history, made by `actor` (`undo`: what it changed, as it was)."""
    moves_store.add_move(
        session=session,
        workspace_id=actor.workspace_id,
        customer_id=customer_id,
        kind=kind,
        actor_id=actor.user_id,
        from_owner_id=from_owner,
        to_owner_id=to_owner,
        reason=reason,
        note=note,
        at=now,
        undo=undo,
    )


# -- release -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomerReleased(events.Event):
    """A customer went back to the pool from its owner (announced in the pool channel, if one is set)."""

    workspace_id: str
    customer_id: int
    channel: str | None


@dataclass(frozen=True)
class Released:
    customer_id: int
    name: str
    previous_owner_id: str
    channel: str | None = None  # the pool channel it is announced in (None: no channel is set)
    announcements: tuple[str, ...] = ()  # the announcement queued with the release


def check_release(env: Env, actor: Actor, customer_id: int) -> Customer:
    """The customer, if `actor` may release it now (before the form opens)."""
    customer = get_customer(env, actor, customer_id)
    customer_id = customer.id or 0
    if customer.owner_id is None:
        raise InvalidInput(N_("%(name)s is already in the pool."), name=customer.name)
    where = standing(env, actor, customer)
    if not may_work_on(where):
        raise NotAllowed(
            N_("%(name)s belongs to %(owner)s. Only the owner, their manager and admins can release it."),
            name=customer.name,
            owner=Person(customer.owner_id),
        )
    if customer.locked_by and not (actor.is_admin or where.manages_owner):
        raise NotAllowed(
            N_("%(name)s is locked by %(manager)s. Ask them to unlock it before releasing it."),
            name=customer.name,
            manager=Person(customer.locked_by),
        )
    return customer


def release_note(reason: str, note: str) -> str:
    """The release's note, tidied, once the reason and note are checked."""
    note = " ".join(note.split())
    if reason not in RELEASE_REASONS:
        raise InvalidInput(N_("Choose why you release this customer."), field="reason")
    if reason == "other" and not note:
        raise InvalidInput(N_("Say in a few words why, so the next owner knows."), field="note")
    if len(note) > NOTE_LIMIT:
        raise InvalidInput(
            N_("This is too long: at most %(limit)s characters."), field="note", limit=NOTE_LIMIT
        )
    return note


def release(
    env: Env, actor: Actor, customer_id: int, *, reason: str, note: str, opportunities: str = LOSE
) -> Released:
    note = release_note(reason, note)
    opportunities_release.check_choice(opportunities)
    customer = check_release(env, actor, customer_id)
    with env.db.session() as session:
        return release_in(
            session, env, actor, customer, reason=reason, note=note, opportunities=opportunities
        )


def release_in(
    session: Session,
    env: Env,
    actor: Actor,
    customer: Customer,
    *,
    reason: str,
    note: str,
    opportunities: str = LOSE,
) -> Released:
    """The release in the caller's transaction (an approval carries it out with its decision), with
    what becomes of the customer's open opportunities (bot.services.opportunities_release)."""
    customer_id, owner = customer.id or 0, customer.owner_id
    assert owner is not None
    channel = settings_service.load_in(session, actor.workspace_id).pool_channel
    now = env.clock.now()
    if not move(session, actor.workspace_id, customer_id, owner, None, now):
        raise InvalidInput(
            N_("%(name)s changed hands a moment ago; nothing was released."), name=customer.name
        )
    record_move(
        session,
        actor,
        customer_id,
        MOVE_RELEASE,
        now,
        from_owner=owner,
        to_owner=None,
        reason=reason,
        note=note,
        undo=snapshots.snapshot(customer, snapshots.RELEASED_FIELDS),
    )
    opportunities_release.with_release(session, env, actor, customer_id, opportunities)
    released = CustomerReleased(actor.workspace_id, customer_id, channel)
    keys = events.publish(env, session, released)
    return Released(customer_id, customer.name, owner, channel, keys)


def move(
    session: Session,
    workspace_id: str,
    customer_id: int,
    expected: str | None,
    new: str | None,
    now: datetime,
) -> bool:
    """Give the customer to `new` if `expected` still owns it (a conditional UPDATE)."""
    return pool_store.move_owner(
        session=session,
        workspace_id=workspace_id,
        customer_id=customer_id,
        expected_owner=expected,
        new_owner=new,
        now=now,
    )
