"""`sla`: complaints whose time is half gone nudge their assignee; a breach tells the assignee's manager
(or the admins) with Reassign and Take over, marks the card "breached" and notes it in the thread.
Each step once: its bit in `sla_done` is set in the same conditional UPDATE that finds it due."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import notify
from bot.env import Env
from bot.rules import complaints as rules
from bot.services import complaint_posts, complaints
from bot.services import settings as settings_service
from bot.services.people import Directory, directory
from bot.views import complaints as views
from store import complaints as complaint_store
from store.models import Complaint, ComplaintEvent

BATCH = 500


def run(env: Env) -> str:
    now = env.clock.now()
    with env.db.session() as session:
        due = list(complaint_store.sla_due(session=session, now=now, limit=BATCH))
    nudges = breaches = 0
    people: dict[str, Directory] = {}
    for complaint in due:
        team = people.setdefault(complaint.workspace_id, directory(env, complaint.workspace_id))
        sent = _act(env, complaint, team, now)
        nudges += bool(sent & (rules.SlaStep.RESPOND_NUDGE | rules.SlaStep.RESOLVE_NUDGE))
        breaches += bool(sent & (rules.SlaStep.RESPOND_BREACH | rules.SlaStep.RESOLVE_BREACH))
    return f"{len(due)} complaints due: {nudges} nudged, {breaches} breached"


def _act(env: Env, complaint: Complaint, people: Directory, now: datetime) -> rules.SlaStep:
    due = rules.due_steps(complaint, now)
    values: dict[str, object] = {"sla_done": int(due.done)}
    if due.send & rules.SlaStep.RESPOND_BREACH:
        values["respond_breached_at"] = now
    if due.send & rules.SlaStep.RESOLVE_BREACH:
        values["resolve_breached_at"] = now
    proposed = Complaint.model_validate({**complaint.model_dump(), **values})
    values["sla_check_at"] = rules.next_check(proposed)
    events = _events(complaint, due.send, people, now)
    with env.db.session() as session:  # the step and its messages: both, or neither
        if not complaint_store.record_sla(session=session, complaint=complaint, values=values, events=events):
            return rules.SlaStep(0)  # changed meanwhile: the next tick looks again
        fresh = complaint_store.get(
            session=session, workspace_id=complaint.workspace_id, complaint_id=complaint.id or 0
        )
        assert fresh is not None
        _tell(env, session, fresh, due.send, people)
        for event in events:
            complaint_posts.after_step(env, session, fresh, event)
    return due.send


def _step_name(step: rules.SlaStep) -> str:
    return "respond" if step & rules.RESPOND_STEPS else "resolve"


def _events(
    complaint: Complaint, send: rules.SlaStep, people: Directory, now: datetime
) -> list[ComplaintEvent]:
    events = []
    for step in rules.SlaStep:
        if not send & step:
            continue
        breach = step in (rules.SlaStep.RESPOND_BREACH, rules.SlaStep.RESOLVE_BREACH)
        told = _escalate_to(complaint, people) if breach else [complaint.assignee_id or ""]
        events.append(
            ComplaintEvent(
                workspace_id=complaint.workspace_id,
                complaint_id=complaint.id or 0,
                kind=complaints.BREACHED if breach else complaints.NUDGED,
                text=_step_name(step),
                to_user_id=told[0] if told else None,
                at=now,
            )
        )
    return events


def _escalate_to(complaint: Complaint, people: Directory) -> list[str]:
    """The assignee's manager, or the admins for an assignee with none (or no assignee)."""
    if complaint.assignee_id is None:
        return [admin.user_id for admin in people.admins]
    return [person.user_id for person in people.approvers_for(complaint.assignee_id)]


def _tell(env: Env, session: Session, complaint: Complaint, send: rules.SlaStep, people: Directory) -> None:
    name = complaint_posts.customer_name(env, complaint)
    settings = settings_service.load(env, complaint.workspace_id)
    for step in rules.SlaStep:
        if not send & step:
            continue
        breach = step in (rules.SlaStep.RESPOND_BREACH, rules.SlaStep.RESOLVE_BREACH)
        nudged = [complaint.assignee_id] if complaint.assignee_id else []
        recipients = nudged if nudged and not breach else _escalate_to(complaint, people)
        for user_id in recipients:
            person = people.by_id(user_id)
            if person is None:
                continue
            if breach:
                message = views.breach(person.lang, complaint, name, _step_name(step))
            else:
                found = complaints.time_left(env, complaint, settings, _step_name(step))
                if found is None:
                    continue
                message = views.nudge(person.lang, complaint, name, views.Clock(*found), person.timezone)
            notify.enqueue(
                env,
                workspace_id=complaint.workspace_id,
                kind=complaint_posts.DIRECT,
                recipient=user_id,
                subject=str(complaint.id),
                period=f"sla{int(step)}",
                message=message,
                session=session,
            )
