"""The `sla` job at fixed clocks: a nudge at half time and an escalation at the breach, once each; the
card shows the breach; working-hours mode skips nights, weekends and holidays and counts make-up days.
Also the complaints' place in churn scores and in the manager digest."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.rules.churn import Signal
from bot.services import churn as churn_service
from bot.services import complaints
from bot.services import settings as settings_service
from bot.services.complaints import ComplaintDraft
from bot.views.ids import Action
from store.models import Complaint
from tests import builders
from tests.conftest import ADMIN, MANAGER, REP
from tests.test_churn import ordered, rep, states
from tests.test_complaints import CHANNEL, complaint_of, posts, steps
from tests.test_followups import admin_actor, at_shanghai, run, team


@pytest.fixture(autouse=True)
def acme(env, standin):
    team(env)
    standin.add_channel(CHANNEL, "complaints")
    settings_service.save(env, admin_actor(), {"complaints_channel": CHANNEL})
    return builders.customer(env, "Acme Trading", owner=REP)


def filed(env, standin, customer, severity: str = "high", *, at: str) -> Complaint:
    env.clock.set(at_shanghai(at))
    draft = ComplaintDraft(customer.id, "delivery", severity, "The boxes arrived wet.")
    complaint = complaints.file(env, rep(), draft).complaint  # its card queued with it
    run(env, standin, "outbox")  # the card and its thread are out before the clock moves on
    return complaint


def sla_at(env, standin, moment: str) -> list[dict]:
    env.clock.set(at_shanghai(moment))
    return run(env, standin, "sla")


def test_calendar_hours_nudge_at_half_time_and_escalate_at_the_breach_once_each(env, standin, acme):
    complaint = filed(env, standin, acme, at="2026-11-23T10:00")  # high: respond 4 h, resolve 24 h
    assert complaint.respond_nudge_at == at_shanghai("2026-11-23T12:00")
    assert complaint.respond_due_at == at_shanghai("2026-11-23T14:00")
    assert sla_at(env, standin, "2026-11-23T11:59") == []
    [nudge] = [m for m in sla_at(env, standin, "2026-11-23T12:00") if m["channel"] == REP]
    assert "Half the time is gone" in nudge["text"]
    assert [m for m in sla_at(env, standin, "2026-11-23T12:30") if m["channel"] == REP] == []  # once
    sent = sla_at(env, standin, "2026-11-23T14:00")
    [breach] = [m for m in sent if m["channel"] == MANAGER]
    assert "missed its time to respond" in breach["text"]
    actions = [e["action_id"] for b in breach["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == [Action.COMPLAINT_REASSIGN, Action.COMPLAINT_TAKE_OVER]
    assert complaint_of(env).respond_breached_at == at_shanghai("2026-11-23T14:00")
    assert sla_at(env, standin, "2026-11-23T14:30") == []
    assert steps(env, complaint) == ["filed", "nudged", "breached"]
    updates = [c.args for c in standin.calls_to("chat.update")]
    assert "Breached" in str(updates[-1]["blocks"])  # the card shows it


def test_a_worker_that_was_down_escalates_without_a_late_nudge(env, standin, acme):
    complaint = filed(env, standin, acme, at="2026-11-23T10:00")
    sent = sla_at(env, standin, "2026-11-23T15:00")
    assert [m["channel"] for m in sent if m["channel"] in (REP, MANAGER)] == [MANAGER]
    assert steps(env, complaint) == ["filed", "breached"]


def test_the_resolve_nudge_of_a_complaint_never_acknowledged_names_the_time_to_resolve(env, standin, acme):
    complaint = filed(env, standin, acme, at="2026-11-23T10:00")  # high: resolve 24 h, half at 22:00
    sla_at(env, standin, "2026-11-23T14:00")  # the respond breach
    assert [m for m in sla_at(env, standin, "2026-11-23T22:00") if m["channel"] == REP] == [], "quiet hours"
    [nudge] = [m for m in sla_at(env, standin, "2026-11-24T09:00") if m["channel"] == REP]
    assert "Resolve by Nov 24 10:00." in nudge["text"], nudge["text"]
    assert complaint_of(env).status == "open"
    assert steps(env, complaint) == ["filed", "breached", "nudged"]


def test_acknowledging_stops_the_respond_clock_and_the_resolve_clock_runs_on(env, standin, acme):
    complaint = filed(env, standin, acme, at="2026-11-23T10:00")
    complaints.acknowledge(env, rep(), complaint.id or 0)
    run(env, standin, "outbox")  # the step's own reply and the card's update
    assert sla_at(env, standin, "2026-11-23T15:00") == []
    sla_at(env, standin, "2026-11-23T22:00")  # resolve: 24 h, half at 22:00, held for the morning
    [nudge] = [m for m in sla_at(env, standin, "2026-11-24T09:00") if m["channel"] == REP]
    assert "Resolve by" in nudge["text"] or "resolve" in nudge["text"].lower()


def test_take_over_from_the_breach_message(env, standin, acme, slack):
    complaint = filed(env, standin, acme, at="2026-11-23T10:00")
    sla_at(env, standin, "2026-11-23T14:00")
    assert slack.button(MANAGER, Action.COMPLAINT_TAKE_OVER, str(complaint.id)).status == 200
    standin.wait_for_response(f"btn-{MANAGER}")
    assert complaint_of(env).assignee_id == MANAGER
    assert steps(env, complaint)[-1] == "taken_over"


def test_a_rep_with_no_manager_is_escalated_to_the_admins(env, standin):
    builders.person(env, "U0SOLO", name="Solo")
    solo = builders.customer(env, "Solo Goods", owner="U0SOLO")
    filed(env, standin, solo, "urgent", at="2026-11-23T10:00")  # urgent: respond 1 h
    sent = sla_at(env, standin, "2026-11-23T11:00")
    assert ADMIN in [m["channel"] for m in sent]


def working(env) -> None:
    settings_service.save(env, admin_actor(), {"sla_working_hours": True})


@pytest.mark.parametrize(
    ("filed_at", "severity", "nudge", "due"),
    [
        # medium (8 h) on a Friday at 17:00: 1 h on Friday, 7 h on Monday
        ("2026-11-27T17:00", "medium", "2026-11-30T12:00", "2026-11-30T16:00"),
        # high (4 h) filed on a Saturday: counts from Monday 09:00
        ("2026-11-28T10:00", "high", "2026-11-30T11:00", "2026-11-30T13:00"),
        # high (4 h) on the eve of National Day: 1 h, then the holiday (1–7 Oct), then Thursday 8 Oct
        ("2026-09-30T17:00", "high", "2026-10-08T10:00", "2026-10-08T12:00"),
        # high (4 h) on Friday 9 Oct at 17:00: Saturday 10 Oct is a make-up working day
        ("2026-10-09T17:00", "high", "2026-10-10T10:00", "2026-10-10T12:00"),
    ],
)
def test_working_hours_skip_nights_weekends_and_holidays_and_count_make_up_days(
    env, standin, acme, filed_at, severity, nudge, due
):
    working(env)
    complaint = filed(env, standin, acme, severity, at=filed_at)
    assert complaint.respond_nudge_at == at_shanghai(nudge)
    assert complaint.respond_due_at == at_shanghai(due)
    before = datetime.fromisoformat(nudge) - timedelta(minutes=1)
    assert sla_at(env, standin, before.isoformat(timespec="minutes")) == []
    assert [m["channel"] for m in sla_at(env, standin, nudge) if m["channel"] == REP] == [REP]


def test_two_complaints_in_a_month_or_an_urgent_one_open_is_a_churn_signal(env, standin, acme):
    ordered(env, acme, (20, 1000))
    filed(env, standin, acme, "low", at="2026-11-02T10:00")
    filed(env, standin, acme, "low", at="2026-11-20T10:00")
    other = builders.customer(env, "Other Ltd", owner=REP)
    ordered(env, other, (20, 1000))
    filed(env, standin, other, "urgent", at="2026-11-21T10:00")
    env.clock.set(at_shanghai("2026-11-23T00:10"))
    churn_service.score_today(env, builders.WORKSPACE)
    found = states(env)
    assert Signal.COMPLAINTS in Signal(found["Acme Trading"][2])
    assert Signal.COMPLAINTS in Signal(found["Other Ltd"][2])
    env.clock.set(at_shanghai("2026-11-23T10:00"))
    [dm] = [m for m in run(env, standin, "churn") if m["channel"] == REP]
    assert "2 complaints in the last 30 days" in str(dm["blocks"])
    assert "an urgent complaint is open" in str(dm["blocks"])


def test_the_digest_counts_open_complaints_and_lists_breaches(env, standin, acme):
    filed(env, standin, acme, at="2026-11-23T10:00")
    sla_at(env, standin, "2026-11-23T15:00")
    env.clock.set(at_shanghai("2026-11-24T08:45"))
    [digest] = [m for m in run(env, standin, "digest") if m["channel"] == MANAGER]
    assert "Open complaints: 1" in str(digest["blocks"])
    assert "SLA breached" in str(digest["blocks"])
    assert posts(standin, CHANNEL)  # the card went out with the complaint
