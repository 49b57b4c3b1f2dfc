"""Quiet hours: a direct message that is not urgent waits for its reader's working hours (the
workspace's hours and working days, in the reader's own zone); an urgent complaint's escalation breaks
them unless switched off; channel posts and the scheduled mornings are never held."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from bot.services import complaints
from bot.services import settings as settings_service
from bot.services.complaints import ComplaintDraft
from store.models import Person
from tests import builders
from tests.conftest import MANAGER, NOW, REP
from tests.test_approvals import release, requests
from tests.test_churn import rep
from tests.test_followups import admin_actor, at_shanghai, run, team


def posted_to(standin, user: str, seen: int) -> list[dict]:
    return [c.args for c in standin.calls_to("chat.postMessage")[seen:] if c.args.get("channel") == user]


def test_a_request_asked_at_night_reaches_the_manager_at_the_start_of_their_working_day(
    env, slack, standin, clock
):
    team(env)
    with env.db.session() as session:  # Max works from London
        session.execute(
            sa.update(Person).where(col(Person.user_id) == MANAGER).values(timezone="Europe/London")
        )
    acme = builders.customer(env, "Acme Trading", owner=REP, dealt_at=NOW)
    clock.set(at_shanghai("2026-11-23T23:30"))  # 15:30 in London: within Max's working hours
    seen = standin.count("chat.postMessage")
    release(slack, standin, REP, acme)
    standin.wait_for_response(f"btn-{REP}")
    assert len(posted_to(standin, MANAGER, seen)) == 1, "Max is at work in London"

    slack.button(MANAGER, "approval.decline", str(requests(env)[0].id))
    standin.wait_for_response(f"btn-{MANAGER}")
    clock.set(at_shanghai("2026-11-24T02:00"))  # 18:00 in London, 02:00 for Mei
    assert posted_to(standin, REP, seen) == [], "Mei hears of the decision in her morning"
    assert run(env, standin, "outbox") == []
    clock.set(at_shanghai("2026-11-24T09:00"))
    [told] = [m for m in run(env, standin, "outbox") if m["channel"] == REP]
    assert "declined releasing *Acme Trading*" in told["text"]


def test_an_urgent_complaints_escalation_breaks_quiet_hours_unless_switched_off(env, standin, clock):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    clock.set(at_shanghai("2026-11-23T21:00"))
    complaints.file(env, rep(), ComplaintDraft(acme.id or 0, "delivery", "urgent", "No delivery at all."))
    run(env, standin, "outbox")
    clock.set(at_shanghai("2026-11-23T22:01"))  # urgent: respond within 1 h
    assert MANAGER in [m["channel"] for m in run(env, standin, "sla")], "the breach goes out at night"

    settings_service.save(env, admin_actor(), {"urgent_breaks_quiet_hours": False})
    beta = builders.customer(env, "Beta Works", owner=REP)
    complaints.file(env, rep(), ComplaintDraft(beta.id or 0, "delivery", "urgent", "Wrong goods."))
    clock.set(at_shanghai("2026-11-23T23:02"))
    assert MANAGER not in [m["channel"] for m in run(env, standin, "sla")]
    clock.set(at_shanghai("2026-11-24T09:00"))
    assert MANAGER in [m["channel"] for m in run(env, standin, "outbox")]


def test_quiet_hours_switched_off_send_at_once(env, slack, standin, clock):
    team(env)
    settings_service.save(env, admin_actor(), {"quiet_hours": False})
    acme = builders.customer(env, "Acme Trading", owner=REP, dealt_at=NOW)
    clock.set(at_shanghai("2026-11-23T23:30"))
    seen = standin.count("chat.postMessage")
    release(slack, standin, REP, acme)
    standin.wait_for_response(f"btn-{REP}")
    assert len(posted_to(standin, MANAGER, seen)) == 1
