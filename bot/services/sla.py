"""The complaints' SLA: the clock a workspace's deadlines run on, the time left on a complaint, and the
steps the `sla` job takes — a complaint whose time is half gone nudges its assignee; a breach tells the
assignee's manager (or the admins), marks the card "breached" and notes it in the thread.

Each step once: its bit in `sla_done` is set in the same conditional UPDATE that finds it due, and what
it says (`SlaStepsTaken`, queued by `bot.messaging.complaints`) is queued in that transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot import events
from bot.env import Env
from bot.rules import complaints as rules
from bot.rules.sla import CALENDAR, WORKING, SlaClock
from bot.services import settings as settings_service
from bot.services.people import Actor, Directory, directory
from store import complaints as complaint_store
from store import people as people_store
from store.models import Complaint, ComplaintEvent, Customer

BATCH = 500
NUDGED, BREACHED = "nudged", "breached"  # the steps' kinds in a complaint's history
NUDGES = rules.SlaStep.RESPOND_NUDGE | rules.SlaStep.RESOLVE_NUDGE
BREACHES = rules.SlaStep.RESPOND_BREACH | rules.SlaStep.RESOLVE_BREACH


@dataclass(frozen=True)
class TimeLeft:
    """An SLA clock of a complaint: which step, its deadline, hours left (negative once past)."""

    step: str  # "respond" or "resolve"
    due: datetime
    hours_left: float


def sla_clock(env: Env, workspace_id: str, settings: settings_service.WorkspaceSettings) -> SlaClock:
    return SlaClock(
        mode=WORKING if settings.sla_working_hours else CALENDAR,
        timezone=_timezone_of(env, workspace_id),
        country=settings.country,
        work_start=settings.work_start_at,
        work_end=settings.work_end_at,
    )


def _timezone_of(env: Env, workspace_id: str) -> str:
    with env.db.session() as session:
        return people_store.timezone_of(session=session, workspace_id=workspace_id)


def time_left(
    env: Env, complaint: Complaint, settings: settings_service.WorkspaceSettings, step: str | None = None
) -> TimeLeft | None:
    """An SLA clock: the one running now, or `step`'s (an unacknowledged complaint's resolve clock runs
    beside its respond one); None once the complaint is resolved or has no such deadline."""
    if step is None:
        step = "respond" if complaint.status == rules.OPEN else "resolve"
    due = complaint.respond_due_at if step == "respond" else complaint.resolve_due_at
    if due is None or complaint.status not in rules.UNRESOLVED:
        return None
    clock = sla_clock(env, complaint.workspace_id, settings)
    return TimeLeft(step, due, clock.remaining(env.clock.now(), due).total_seconds() / 3600)


def next_check_after(complaint: Complaint, values: Mapping[str, object]) -> datetime | None:
    """When the complaint, changed by `values`, next has an SLA step due."""
    return rules.next_check(Complaint.model_validate({**complaint.model_dump(), **values}))


def step_name(step: rules.SlaStep) -> str:
    return "respond" if step & rules.RESPOND_STEPS else "resolve"


@dataclass(frozen=True)
class Told:
    """A DM of an SLA step: to whom, for which step, and a nudge's clock (a breach has none)."""

    person: Actor
    step: rules.SlaStep
    clock: TimeLeft | None


@dataclass(frozen=True)
class SlaStepsTaken(events.Event):
    """SLA steps recorded for a complaint: whom to tell by DM, and the steps for its thread and card."""

    complaint: Complaint  # as it reads after the steps
    customer_name: str
    told: tuple[Told, ...]
    steps: tuple[ComplaintEvent, ...]


@dataclass(frozen=True)
class Checked:
    due: int
    nudged: int
    breached: int


def check(env: Env, workspace_id: str) -> Checked:
    """Take the SLA steps due now in a workspace (at most BATCH complaints a run)."""
    now = env.clock.now()
    due = _sla_due(env, workspace_id, now)
    if not due:
        return Checked(0, 0, 0)
    team = _Team(directory(env, workspace_id), settings_service.load(env, workspace_id))
    return _tally([_act(env, complaint, team, now) for complaint in due])


def _sla_due(env: Env, workspace_id: str, now: datetime) -> list[Complaint]:
    with env.db.session() as session:
        return list(complaint_store.sla_due(session=session, workspace_id=workspace_id, now=now, limit=BATCH))


def _tally(sent: list[rules.SlaStep]) -> Checked:
    """The steps sent for each complaint due, counted: the complaints, those nudged, those breached."""
    return Checked(len(sent), sum(bool(s & NUDGES) for s in sent), sum(bool(s & BREACHES) for s in sent))


@dataclass(frozen=True)
class _Team:
    people: Directory
    settings: settings_service.WorkspaceSettings


def _act(env: Env, complaint: Complaint, team: _Team, now: datetime) -> rules.SlaStep:
    due = rules.due_steps(complaint, now)
    values = _marked(complaint, due, now)
    steps = _events(complaint, due.send, team.people, now)
    with env.db.session() as session:  # the steps and their messages: both, or neither
        if not complaint_store.record_sla(session=session, complaint=complaint, values=values, events=steps):
            return rules.SlaStep(0)  # changed meanwhile: the next tick looks again
        fresh = complaint_store.get(
            session=session, workspace_id=complaint.workspace_id, complaint_id=complaint.id or 0
        )
        assert fresh is not None
        customer = session.get(Customer, fresh.customer_id)
        told = _told(env, fresh, due.send, team)
        taken = SlaStepsTaken(fresh, customer.name if customer else "", told, tuple(steps))
        events.publish(env, session, taken)
    return due.send


def _marked(complaint: Complaint, due: rules.SlaDue, now: datetime) -> dict[str, object]:
    """The steps marked done, the breaches' moments, and when to look again."""
    values: dict[str, object] = {"sla_done": int(due.done)}
    if due.send & rules.SlaStep.RESPOND_BREACH:
        values["respond_breached_at"] = now
    if due.send & rules.SlaStep.RESOLVE_BREACH:
        values["resolve_breached_at"] = now
    return {**values, "sla_check_at": next_check_after(complaint, values)}


def _sent(send: rules.SlaStep) -> list[rules.SlaStep]:
    return [step for step in rules.SlaStep if send & step]


def _events(
    complaint: Complaint, send: rules.SlaStep, people: Directory, now: datetime
) -> list[ComplaintEvent]:
    return [
        ComplaintEvent(
            workspace_id=complaint.workspace_id,
            complaint_id=complaint.id or 0,
            kind=BREACHED if step & BREACHES else NUDGED,
            text=step_name(step),
            to_user_id=_first(
                _escalate_to(complaint, people) if step & BREACHES else [complaint.assignee_id or ""]
            ),
            at=now,
        )
        for step in _sent(send)
    ]


def _first(user_ids: list[str]) -> str | None:
    return user_ids[0] if user_ids else None


def _escalate_to(complaint: Complaint, people: Directory) -> list[str]:
    """The assignee's manager, or the admins for an assignee with none (or no assignee)."""
    if complaint.assignee_id is None:
        return [admin.user_id for admin in people.admins]
    return [person.user_id for person in people.approvers_for(complaint.assignee_id)]


def _told(env: Env, complaint: Complaint, send: rules.SlaStep, team: _Team) -> tuple[Told, ...]:
    """A nudge goes to the assignee (the admins or the manager when there is none); a breach goes up."""
    told: list[Told] = []
    for step in _sent(send):
        breach = bool(step & BREACHES)
        nudged = [complaint.assignee_id] if complaint.assignee_id else []
        recipients = nudged if nudged and not breach else _escalate_to(complaint, team.people)
        clock = None if breach else time_left(env, complaint, team.settings, step_name(step))
        if breach or clock is not None:
            people = (team.people.by_id(user_id) for user_id in recipients)
            told += [Told(person, step, clock) for person in people if person is not None]
    return tuple(told)
