"""Complaint handling rules: which steps each status allows, and the SLA steps still to come.

Statuses: open → acknowledged → resolved → closed, and reopened (from resolved or closed) back to
being worked on. Responding is met by acknowledging (or resolving) an open complaint; a reopened one
has been answered already, so only its resolve clock runs again, from the reopening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntFlag
from typing import Protocol

from bot.i18n import N_

# The statuses as stored (store.models spells the same values for its queries; a test keeps them equal).
OPEN = "open"
ACKNOWLEDGED = "acknowledged"
RESOLVED = "resolved"
CLOSED = "closed"
REOPENED = "reopened"
UNRESOLVED = (OPEN, ACKNOWLEDGED, REOPENED)

STATUS_WORDS = {
    OPEN: N_("open"),
    ACKNOWLEDGED: N_("acknowledged"),
    RESOLVED: N_("resolved"),
    CLOSED: N_("closed"),
    REOPENED: N_("reopened"),
}
ACKNOWLEDGE_FROM = (OPEN, REOPENED)
RESOLVE_FROM = UNRESOLVED
REOPEN_FROM = (RESOLVED, CLOSED)
CLOSE_FROM = (RESOLVED,)
DESCRIPTION_LIMIT = 3000
NOTE_LIMIT = 3000
CARD_DESCRIPTION_LIMIT = 500  # the card shows the start; the thread has it whole


class SlaStep(IntFlag):
    """The SLA steps, one bit each in `Complaint.sla_done`."""

    RESPOND_NUDGE = 1
    RESPOND_BREACH = 2
    RESOLVE_NUDGE = 4
    RESOLVE_BREACH = 8


RESPOND_STEPS = SlaStep.RESPOND_NUDGE | SlaStep.RESPOND_BREACH
RESOLVE_STEPS = SlaStep.RESOLVE_NUDGE | SlaStep.RESOLVE_BREACH


class SlaFacts(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def sla_done(self) -> int: ...
    @property
    def respond_nudge_at(self) -> datetime | None: ...
    @property
    def respond_due_at(self) -> datetime | None: ...
    @property
    def resolve_nudge_at(self) -> datetime | None: ...
    @property
    def resolve_due_at(self) -> datetime | None: ...


def _pending(facts: SlaFacts) -> list[tuple[SlaStep, datetime]]:
    """The steps not done yet whose clock still runs, each with its time."""
    steps: list[tuple[SlaStep, datetime | None]] = []
    if facts.status == OPEN:
        steps += [
            (SlaStep.RESPOND_NUDGE, facts.respond_nudge_at),
            (SlaStep.RESPOND_BREACH, facts.respond_due_at),
        ]
    if facts.status in UNRESOLVED:
        steps += [
            (SlaStep.RESOLVE_NUDGE, facts.resolve_nudge_at),
            (SlaStep.RESOLVE_BREACH, facts.resolve_due_at),
        ]
    return [(step, at) for step, at in steps if at is not None and not facts.sla_done & step]


def next_check(facts: SlaFacts) -> datetime | None:
    """When the `sla` job next has something to do for this complaint (None: nothing left)."""
    pending = _pending(facts)
    return min(at for _, at in pending) if pending else None


@dataclass(frozen=True)
class SlaDue:
    send: SlaStep  # the steps to act on now: a nudge, or a breach (which makes its nudge moot)
    done: SlaStep  # every step that counts as done afterwards


def due_steps(facts: SlaFacts, now: datetime) -> SlaDue:
    """What the `sla` job does now: for each clock, the breach if it has come (its nudge is then
    marked done unsent: a worker that was down does not nudge after the breach), else the nudge."""
    come = {step for step, at in _pending(facts) if at <= now}
    send = SlaStep(0)
    done = SlaStep(facts.sla_done)
    for nudge, breach in (
        (SlaStep.RESPOND_NUDGE, SlaStep.RESPOND_BREACH),
        (SlaStep.RESOLVE_NUDGE, SlaStep.RESOLVE_BREACH),
    ):
        if breach in come:
            send |= breach
            done |= breach | nudge
        elif nudge in come:
            send |= nudge
            done |= nudge
    return SlaDue(send, done)
