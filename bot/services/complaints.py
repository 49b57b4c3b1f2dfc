"""Complaints (投诉): filing, the handling steps, who may take them, and the SLA deadlines.

Anyone may file a complaint; only its assignee, the assignee's manager and admins change it (an
unassigned one — a pool customer's — belongs to the admins until assigned). Every step is a
conditional UPDATE from the statuses it allows, so two people pressing Resolve at once resolve it
once and the second is told who was quicker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from bot import events
from bot.env import Env
from bot.errors import InvalidInput, NotAllowed, NotFound, Person, Word, required_text
from bot.i18n import N_
from bot.rules import complaints as rules
from bot.rules.sla import Deadlines, deadlines
from bot.services import settings as settings_service
from bot.services import sla, visits
from bot.services.customers import get_customer
from bot.services.people import Actor, Directory, directory
from store import complaints as complaint_store
from store.models import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_CHANNELS,
    COMPLAINT_SEVERITIES,
    Complaint,
    ComplaintEvent,
    Customer,
)

FILED, ACKNOWLEDGED, NOTE, RESOLVED, REOPENED, CLOSED = (
    "filed",
    "acknowledged",
    "note",
    "resolved",
    "reopened",
    "closed",
)
REASSIGNED, TAKEN_OVER = "reassigned", "taken_over"
LIST_LIMIT = 20


@dataclass(frozen=True)
class ComplaintDraft:
    customer_id: int
    category: str
    severity: str
    description: str
    contact_channel: str = ""


def validate(draft: ComplaintDraft) -> ComplaintDraft:
    if draft.category not in COMPLAINT_CATEGORIES:
        raise InvalidInput(N_("Choose a category."), field="category")
    if draft.severity not in COMPLAINT_SEVERITIES:
        raise InvalidInput(N_("Choose how severe it is."), field="severity")
    description = _required_text(
        draft.description, "description", N_("Describe the complaint."), rules.DESCRIPTION_LIMIT
    )
    if draft.contact_channel and draft.contact_channel not in COMPLAINT_CHANNELS:
        raise InvalidInput(N_("Choose how the customer got in touch."), field="contact_channel")
    return replace(draft, description=description)


def file(env: Env, actor: Actor, draft: ComplaintDraft) -> Filed:
    """Record a complaint, assigned to the customer's owner (the admins' for a pool customer), with
    its SLA deadlines from now."""
    clean = validate(draft)
    customer = get_customer(env, actor, clean.customer_id)
    settings = settings_service.load(env, actor.workspace_id)
    now = env.clock.now()
    due = deadlines(
        sla.sla_clock(env, actor.workspace_id, settings), now, *settings.sla_hours(clean.severity)
    )
    complaint = _new_complaint(actor, clean, customer, due, now)
    complaint.sla_check_at = rules.next_check(complaint)
    complaint.card_to = settings.complaints_channel or _owner_or_admin(env, actor, customer)
    event = _step_event(actor, 0, FILED, now)
    with env.db.session() as session:  # the complaint and its card: both, or neither
        filed = complaint_store.add(session=session, complaint=complaint, event=event)
        keys = events.publish(env, session, ComplaintFiled(filed, customer.name))
    return Filed(filed, keys)


def _new_complaint(
    actor: Actor, clean: ComplaintDraft, customer: Customer, due: Deadlines, now: datetime
) -> Complaint:
    return Complaint(
        workspace_id=actor.workspace_id,
        customer_id=customer.id or 0,
        category=clean.category,
        severity=clean.severity,
        description=clean.description,
        contact_channel=clean.contact_channel,
        assignee_id=customer.owner_id,
        filed_by=actor.user_id,
        filed_at=now,
        respond_nudge_at=due.respond_nudge_at,
        respond_due_at=due.respond_due_at,
        resolve_nudge_at=due.resolve_nudge_at,
        resolve_due_at=due.resolve_due_at,
        updated_at=now,
    )


@dataclass(frozen=True)
class ComplaintFiled(events.Event):
    """A complaint was filed: its card and the first reply in its thread are due where it goes."""

    complaint: Complaint
    customer_name: str


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    keys: tuple[str, ...]  # its card and first reply, queued with it


def _owner_or_admin(env: Env, actor: Actor, customer: Customer) -> str | None:
    """Whose DMs a complaint's card goes to without a complaints channel: the owner's, else the first
    admin's."""
    if customer.owner_id:
        return customer.owner_id
    admins = sorted(admin.user_id for admin in directory(env, actor.workspace_id).admins)
    return admins[0] if admins else None


def _step_event(
    actor: Actor, complaint_id: int, kind: str, now: datetime, text: str = "", to: str | None = None
) -> ComplaintEvent:
    return ComplaintEvent(
        workspace_id=actor.workspace_id, complaint_id=complaint_id, kind=kind, actor_id=actor.user_id,
        text=text, to_user_id=to, at=now,
    )  # fmt: skip


@dataclass(frozen=True)
class Handling:
    """A complaint as it is now, with its customer and every step so far."""

    complaint: Complaint
    customer: Customer
    events: list[ComplaintEvent]


def get(env: Env, actor: Actor, complaint_id: int) -> Handling:
    with env.db.session() as session:
        complaint = _existing(session, actor, complaint_id)
        events = list(complaint_store.events(session=session, complaint_id=complaint_id))
        customer = session.get(Customer, complaint.customer_id)
    assert customer is not None
    return Handling(complaint, customer, events)


def _existing(session: Session, actor: Actor, complaint_id: int) -> Complaint:
    complaint = complaint_store.get(
        session=session, workspace_id=actor.workspace_id, complaint_id=complaint_id
    )
    if complaint is None:
        raise NotFound(N_("That complaint no longer exists."))
    return complaint


def may_change(people: Directory, actor: Actor, complaint: Complaint) -> bool:
    """Admins, the assignee and the assignee's manager (an unassigned complaint is the admins')."""
    if actor.is_admin or actor.user_id == complaint.assignee_id:
        return True
    assignee = None if complaint.assignee_id is None else people.by_id(complaint.assignee_id)
    return assignee is not None and assignee.manager_id == actor.user_id and actor.is_manager


def _require_change(env: Env, actor: Actor, complaint: Complaint) -> Directory:
    people = directory(env, actor.workspace_id)
    if not may_change(people, actor, complaint):
        raise NotAllowed(
            N_("Only the assignee, their manager and admins can change complaint #%(number)s."),
            number=complaint.id,
        )
    return people


@dataclass(frozen=True)
class StepTaken(events.Event):
    """A handling step was written: its reply in the card's thread and the card as it reads now are due
    (and a DM to a new assignee)."""

    complaint: Complaint  # as it reads after the step
    step: ComplaintEvent
    customer_name: str


@dataclass(frozen=True)
class Step:
    """What a handling step changed: the complaint as it is now and the step written."""

    complaint: Complaint
    event: ComplaintEvent
    keys: tuple[str, ...] = ()  # the step's reply, the card's update and any DM, queued with it


def _apply(
    env: Env,
    actor: Actor,
    complaint_id: int,
    *,
    allowed_from: tuple[str, ...],
    values: Mapping[str, object],
    kind: str,
    text: str = "",
    to_user_id: str | None = None,
    follow_up: tuple[int, str] | None = None,
) -> Step:
    """One handling step, if the complaint is still where this person saw it."""
    handling = _changeable(env, actor, complaint_id, allowed_from)
    complaint = handling.complaint
    now = env.clock.now()
    values = {**values, "sla_check_at": sla.next_check_after(complaint, values), "updated_at": now}
    event = _step_event(actor, complaint_id, kind, now, text, to_user_id)
    with env.db.session() as session:
        if not complaint_store.change(
            session=session, complaint=complaint, from_statuses=allowed_from, values=values, event=event
        ):
            raise _stale(get(env, actor, complaint_id))
        if follow_up is not None:
            visits.log_follow_up_call(session, env, actor, handling.customer, *follow_up)
        fresh = complaint_store.get(
            session=session, workspace_id=actor.workspace_id, complaint_id=complaint_id
        )
        assert fresh is not None
        keys = events.publish(env, session, StepTaken(fresh, event, handling.customer.name))
    return Step(fresh, event, keys)


def _changeable(env: Env, actor: Actor, complaint_id: int, allowed_from: tuple[str, ...]) -> Handling:
    """The complaint, if this person may change it and it is still where they saw it."""
    handling = get(env, actor, complaint_id)
    _require_change(env, actor, handling.complaint)
    if handling.complaint.status not in allowed_from:
        raise _stale(handling)
    return handling


def _stale(handling: Handling) -> InvalidInput:
    """Someone changed the complaint meanwhile: say what it is now."""
    last = handling.events[-1] if handling.events else None
    return InvalidInput(
        N_("Complaint #%(number)s is %(status)s now (by %(who)s): nothing was changed."),
        number=handling.complaint.id,
        status=Word(rules.STATUS_WORDS.get(handling.complaint.status, handling.complaint.status)),
        who=Person(last.actor_id) if last and last.actor_id else "Tidewater",
    )


def acknowledge(env: Env, actor: Actor, complaint_id: int) -> Step:
    now = env.clock.now()
    return _apply(
        env, actor, complaint_id, allowed_from=rules.ACKNOWLEDGE_FROM,
        values={"status": rules.ACKNOWLEDGED, "acknowledged_at": now}, kind=ACKNOWLEDGED,
    )  # fmt: skip


def add_note(env: Env, actor: Actor, complaint_id: int, text: str) -> Step:
    note = _required_text(text, "text", N_("Write the note."))
    handling = get(env, actor, complaint_id)
    return _apply(
        env, actor, complaint_id, allowed_from=(handling.complaint.status,), values={}, kind=NOTE, text=note
    )


def resolve(env: Env, actor: Actor, complaint_id: int, resolution: str) -> Step:
    text = _required_text(resolution, "resolution", N_("Say how it was resolved."))
    now = env.clock.now()
    return _apply(
        env, actor, complaint_id, allowed_from=rules.RESOLVE_FROM,
        values={"status": rules.RESOLVED, "resolved_at": now, "resolved_by": actor.user_id, "resolution": text},
        kind=RESOLVED, text=text,
    )  # fmt: skip


def reopen(env: Env, actor: Actor, complaint_id: int, reason: str) -> Step:
    """Back to work: the resolve clock starts again from now."""
    text = _required_text(reason, "text", N_("Say why it is reopened."))
    values: dict[str, object] = {"status": rules.REOPENED, "resolved_at": None, "closed_at": None}
    values.update(_resolve_clock_from_now(env, actor, get(env, actor, complaint_id).complaint))
    return _apply(
        env, actor, complaint_id, allowed_from=rules.REOPEN_FROM, values=values, kind=REOPENED, text=text
    )


def _resolve_clock_from_now(env: Env, actor: Actor, complaint: Complaint) -> dict[str, object]:
    settings = settings_service.load(env, actor.workspace_id)
    now = env.clock.now()
    _respond, resolve_hours = settings.sla_hours(complaint.severity)
    clock = sla.sla_clock(env, actor.workspace_id, settings)
    sla_done = rules.SlaStep(complaint.sla_done) & ~rules.RESOLVE_STEPS
    return {
        "resolve_nudge_at": clock.halfway(now, resolve_hours),
        "resolve_due_at": clock.add(now, resolve_hours),
        "resolve_breached_at": None,
        "sla_done": int(sla_done),
    }


def close(env: Env, actor: Actor, complaint_id: int, satisfaction: int | None, comment: str) -> Step:
    """Close after the follow-up call (回访): the customer's rating is required and the call is logged
    as a visit."""
    if satisfaction is None or not 1 <= satisfaction <= 5:
        raise InvalidInput(
            N_("Record the customer's satisfaction (1–5) from the follow-up call."), field="satisfaction"
        )
    text = comment.strip()[: rules.NOTE_LIMIT]
    note = f"#{complaint_id} · {text}" if text else f"#{complaint_id}"
    return _apply(
        env, actor, complaint_id, allowed_from=rules.CLOSE_FROM,
        values={"status": rules.CLOSED, "closed_at": env.clock.now(), "satisfaction": satisfaction},
        kind=CLOSED, text=text, follow_up=(satisfaction, note),
    )  # fmt: skip


def assignable_to(people: Directory, actor: Actor) -> list[Actor]:
    """Whom this person may give a complaint to: admins anyone active; a manager their team and
    themselves."""
    if actor.is_admin:
        return list(people.active)
    if actor.is_manager:
        return [actor, *people.team_of(actor)]
    return []


def reassign(env: Env, actor: Actor, complaint_id: int, to_user_id: str) -> Step:
    people = _require_change(env, actor, get(env, actor, complaint_id).complaint)
    _require_assignable(people, actor, to_user_id)
    kind = TAKEN_OVER if to_user_id == actor.user_id else REASSIGNED
    return _apply(
        env, actor, complaint_id, allowed_from=(*rules.UNRESOLVED, rules.RESOLVED),
        values={"assignee_id": to_user_id}, kind=kind, to_user_id=to_user_id,
    )  # fmt: skip


def _require_assignable(people: Directory, actor: Actor, to_user_id: str) -> None:
    if not (actor.is_admin or actor.is_manager):
        raise NotAllowed(N_("Only managers and admins reassign complaints."))
    if to_user_id not in {person.user_id for person in assignable_to(people, actor)}:
        raise InvalidInput(N_("Choose someone in your team."), field="assignee")


def _required_text(text: str, field: str, missing: str, limit: int = rules.NOTE_LIMIT) -> str:
    return required_text(text, field=field, missing=missing, limit=limit)


@dataclass(frozen=True)
class ComplaintList:
    rows: list[complaint_store.Listed]
    total: int
    scope: str  # "mine", "team" or "all"


def listing(env: Env, actor: Actor, *, include_closed: bool) -> ComplaintList:
    """Mine (reps), my team's and mine (managers), everyone's (admins); unresolved unless asked."""
    scope, assignees = _scope_of(env, actor)
    with env.db.session() as session:
        rows, total = complaint_store.listing(
            session=session,
            workspace_id=actor.workspace_id,
            assignees=assignees,
            unresolved_only=not include_closed,
            limit=LIST_LIMIT,
        )
    return ComplaintList(rows, total, scope)


def _scope_of(env: Env, actor: Actor) -> tuple[str, list[str | None] | None]:
    """Whose complaints this person lists (None: everyone's)."""
    if actor.is_admin:
        return "all", None
    if actor.is_manager:
        team = directory(env, actor.workspace_id).team_of(actor)
        return "team", [actor.user_id, *(rep.user_id for rep in team)]
    return "mine", [actor.user_id]
