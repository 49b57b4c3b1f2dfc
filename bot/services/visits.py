"""Visits: validation, logging, and what a visit does to the customer's follow-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.env import Env
from bot.errors import Checks, InvalidInput, NotFound
from bot.i18n import N_
from bot.rules.followups import follow_up_after_visit, suggested_follow_up
from bot.rules.pool import recycle_clock_after_visit
from bot.services.customers import get_customer, require_work_access
from bot.services.people import Actor
from store import activity
from store import opportunities as opportunity_store
from store.models import VISIT_KINDS, Customer, Visit

NOTE_LIMIT = 3000
FOLLOW_UP_HORIZON = timedelta(days=2 * 366)
BACKDATE_LIMIT = timedelta(days=366)


@dataclass(frozen=True)
class VisitDraft:
    customer_id: int
    kind: str
    visited_on: date
    note: str = ""
    satisfaction: int | None = None
    next_follow_up: date | None = None
    opportunity_id: int | None = None  # the opportunity it was about, one of the customer's open ones


@dataclass(frozen=True)
class VisitLogged:
    customer: Customer
    visit: Visit


def check_note(note: str) -> None:
    if len(note.strip()) > NOTE_LIMIT:
        raise InvalidInput(
            N_("The note is %(length)s characters long; keep it under %(limit)s."),
            field="note",
            length=len(note.strip()),
            limit=NOTE_LIMIT,
        )


def validate_visit(draft: VisitDraft, *, today: date) -> VisitDraft:
    """The draft with its note tidied; every wrong field flagged at once (InvalidFields for several)."""
    note = draft.note.strip()
    checks = Checks()
    with checks.field():
        if draft.kind not in VISIT_KINDS:
            raise InvalidInput(
                N_("Choose how you were in touch: call, on-site visit, email, message or meeting."),
                field="kind",
            )
    with checks.field():
        check_note(note)
    with checks.field():
        _check_visit_day(draft.visited_on, today)
    with checks.field():
        if draft.satisfaction is not None and not 1 <= draft.satisfaction <= 5:
            raise InvalidInput(N_("Satisfaction is a number from 1 to 5."), field="satisfaction")
    with checks.field():
        _check_follow_up(draft.next_follow_up, today)
    checks.done()
    return VisitDraft(
        draft.customer_id, draft.kind, draft.visited_on, note, draft.satisfaction, draft.next_follow_up,
        draft.opportunity_id,
    )  # fmt: skip


def _check_visit_day(visited_on: date, today: date) -> None:
    if visited_on > today:
        raise InvalidInput(
            N_("The visit date is in the future. Log a visit once it has happened."), field="visited_on"
        )
    if visited_on < today - BACKDATE_LIMIT:
        raise InvalidInput(N_("The visit date is more than a year ago."), field="visited_on")


def _check_follow_up(follow_up: date | None, today: date) -> None:
    if follow_up is not None and follow_up < today:
        raise InvalidInput(N_("The next follow-up date is in the past."), field="next_follow_up")
    if follow_up is not None and follow_up > today + FOLLOW_UP_HORIZON:
        raise InvalidInput(N_("The next follow-up is more than two years away."), field="next_follow_up")


def log_visit(env: Env, actor: Actor, draft: VisitDraft) -> VisitLogged:
    today = actor.today(env)
    clean = validate_visit(draft, today=today)
    customer = get_customer(env, actor, clean.customer_id)
    require_work_access(env, actor, customer)
    visit = Visit(
        workspace_id=actor.workspace_id,
        customer_id=customer.id or 0,
        author_id=actor.user_id,
        kind=clean.kind,
        visited_on=clean.visited_on,
        note=clean.note,
        satisfaction=clean.satisfaction,
        next_follow_up=clean.next_follow_up,
        created_at=env.clock.now(),
        opportunity_id=clean.opportunity_id,
    )
    with env.db.session() as session:
        if clean.opportunity_id is not None:
            _require_open_opportunity_of(session, actor.workspace_id, clean.opportunity_id, customer.id or 0)
        updated = _record_visit(session, visit, clean, env, actor.timezone)
    return VisitLogged(customer=updated, visit=visit)


def _require_open_opportunity_of(session: Session, workspace_id: str, number: int, customer_id: int) -> None:
    found = opportunity_store.get_opportunity(session, workspace_id=workspace_id, number=number)
    if found is None or found.customer_id != customer_id or found.closed_at is not None:
        raise InvalidInput(
            N_("That opportunity is not one of this customer's open ones."), field="opportunity"
        )


def log_follow_up_call(
    session: Session, env: Env, actor: Actor, customer: Customer, satisfaction: int, note: str
) -> Visit:
    """The follow-up call (回访) that closes a complaint, logged as a visit in the caller's transaction
    by whoever closes it (the complaint's rights were checked): a call today with the rating."""
    today = actor.today(env)
    draft = VisitDraft(customer.id or 0, "call", today, note[:NOTE_LIMIT], satisfaction)
    visit = Visit(
        workspace_id=actor.workspace_id,
        customer_id=draft.customer_id,
        author_id=actor.user_id,
        kind=draft.kind,
        visited_on=today,
        note=draft.note,
        satisfaction=satisfaction,
        created_at=env.clock.now(),
    )
    _record_visit(session, visit, draft, env, timezone=actor.timezone)
    return visit


def _record_visit(session: Session, visit: Visit, draft: VisitDraft, env: Env, timezone: str) -> Customer:
    # The customer is locked before the visit row is written: the row's foreign key takes a share of the
    # customer's row, and two visits each holding that share and then asking for the lock deadlock.
    fresh = session.get(Customer, visit.customer_id, with_for_update=True)
    assert fresh is not None
    activity.add_visit(session=session, visit=visit)
    if fresh.last_visit_on is None or fresh.last_visit_on < draft.visited_on:
        fresh.last_visit_on = draft.visited_on
    if draft.satisfaction is not None and (
        fresh.last_satisfaction_on is None or fresh.last_satisfaction_on <= draft.visited_on
    ):
        fresh.last_satisfaction, fresh.last_satisfaction_on = draft.satisfaction, draft.visited_on
    if fresh.owner_id is not None:
        assert fresh.owned_since is not None
        fresh.recycle_clock_from = recycle_clock_after_visit(
            fresh.recycle_clock_from, fresh.owned_since, draft.visited_on, timezone
        )
    fresh.next_follow_up = follow_up_after_visit(
        current=fresh.next_follow_up, chosen=draft.next_follow_up, visited_on=draft.visited_on
    )
    fresh.updated_at = env.clock.now()
    session.flush()
    return fresh


def suggestion_for(customer: Customer, visited_on: date) -> date:
    return suggested_follow_up(customer.level, visited_on)


def one_line_draft(customer: Customer, note: str, today: date, kind: str | None = None) -> VisitDraft:
    """A visit logged in one line: today, a call unless its type was named, the follow-up suggested from
    the level's cadence."""
    if not note.strip():
        raise InvalidInput(N_("Write a note after the colon: /visit Acme: called about the renewal"))
    return VisitDraft(
        customer_id=customer.id or 0,
        kind=kind or "call",
        visited_on=today,
        note=note,
        next_follow_up=suggestion_for(customer, today),
    )


def logged_visit(env: Env, actor: Actor, visit_id: int) -> VisitLogged:
    """A visit just logged, with its customer as it is now (for the confirmation)."""
    with env.db.session() as session:
        visit = session.get(Visit, visit_id)
    if visit is None or visit.workspace_id != actor.workspace_id:
        raise NotFound(N_("That visit no longer exists."))
    return VisitLogged(customer=get_customer(env, actor, visit.customer_id), visit=visit)
