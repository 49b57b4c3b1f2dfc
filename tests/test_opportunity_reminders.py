"""The morning's opportunity reminders at fixed clocks: slipped and idle opportunities, once a morning,
in the owner's DM with *Open*, *Log visit* and *Snooze*; a snoozed one stays out until its day."""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import col

from bot.services import opportunities
from bot.services.opportunities import OpportunityDraft
from bot.services.people import Actor
from bot.views.ids import Action
from store.models import Opportunity
from tests import builders
from tests.conftest import MANAGER, REP
from tests.test_followups import at_shanghai, run, team

TODAY = date(2026, 11, 23)  # Monday; the test clock is 10:00 in Shanghai, past the 09:00 reminder time


def mei() -> Actor:
    return Actor(builders.WORKSPACE, REP, "Mei", "rep", MANAGER, "Asia/Shanghai", "en")


def opened(env, customer_id: int, title: str, close: date) -> int:
    draft = OpportunityDraft(customer_id, title, "10000", close)
    return opportunities.open_opportunity(env, mei(), draft).id


def book(env) -> None:
    """Slipped: closing yesterday; idle: 40 days in qualify (which allows 30); fine: moved today."""
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    slipped = opened(env, acme.id or 0, "Renewal", TODAY + timedelta(days=1))
    idle = opened(env, acme.id or 0, "Samples", TODAY + timedelta(days=60))
    opened(env, acme.id or 0, "Fine", TODAY + timedelta(days=60))
    with env.db.session() as session:
        session.execute(
            sa.update(Opportunity).where(col(Opportunity.id) == slipped)
            .values(expected_close_on=TODAY - timedelta(days=1))
        )  # fmt: skip
        session.execute(
            sa.update(Opportunity).where(col(Opportunity.id) == idle)
            .values(stage_since=env.clock.now() - timedelta(days=40))
        )  # fmt: skip


def reminders(sent: list[dict]) -> list[dict]:
    return [m for m in sent if m["channel"] == REP and "opportunities need you" in m["text"]]


def test_the_owner_hears_of_slipped_and_idle_opportunities_once_a_morning(env, standin):
    book(env)
    [dm] = reminders(run(env, standin, "followups"))
    text = json.dumps(dm["blocks"], ensure_ascii=False)
    assert "2 of your opportunities need you" in dm["text"]
    assert "#1 Renewal · Acme Trading" in text
    assert "the date has passed" in text
    assert "#2 Samples · Acme Trading" in text
    assert "40 days in Qualify, which allows 30" in text
    assert "Fine" not in text
    assert text.index("Renewal") < text.index("Samples"), "the slipped first"
    actions = {e["action_id"] for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert actions == {Action.OPPORTUNITY_VIEW, Action.OPPORTUNITY_VISIT, Action.OPPORTUNITY_SNOOZE}
    assert reminders(run(env, standin, "followups")) == [], "once a morning"


def test_snooze_leaves_it_out_until_its_day(slack, env, standin, clock):
    book(env)
    [dm] = reminders(run(env, standin, "followups"))
    snooze = next(
        e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == Action.OPPORTUNITY_SNOOZE and e["value"] == "1:3"
    )  # fmt: skip
    seen = standin.count("respond")
    slack.act(REP, {"action_id": snooze["action_id"], "block_id": "b", "type": "button", "value": "1:3"})
    assert "left out of your reminders until Nov 26, 2026" in json.dumps(
        standin.next_call("respond", after=seen)
    )
    clock.set(env.clock.now() + timedelta(days=1))  # Tuesday
    [tuesday] = reminders(run(env, standin, "followups"))
    assert "Renewal" not in json.dumps(tuesday["blocks"])
    assert "1 of your opportunities need you" in tuesday["text"]
    clock.set(env.clock.now() + timedelta(days=2))  # Thursday, the snooze's day
    [thursday] = reminders(run(env, standin, "followups"))
    assert "Renewal" in json.dumps(thursday["blocks"])


def test_a_colleague_cannot_snooze_someone_elses_opportunity(slack, env, standin):
    book(env)
    builders.person(env, "U0LI", manager_id=MANAGER)
    seen = standin.count("respond")
    slack.act(
        "U0LI", {"action_id": Action.OPPORTUNITY_SNOOZE, "block_id": "b", "type": "button", "value": "1:3"}
    )
    assert "someone else's" in json.dumps(standin.next_call("respond", after=seen))
    with env.db.session() as session:
        assert (
            session.scalar(sa.select(col(Opportunity.reminder_snoozed_until)).where(col(Opportunity.id) == 1))
            is None
        )


# -- the manager's digest ------------------------------------------------------------------------------------
def test_the_digest_lists_yesterdays_moves_and_wins_and_the_dates_that_slipped(env, standin, clock):
    team(env)
    builders.person(env, "U0MGRB", role="manager", name="Bo")
    builders.person(env, "U0REPB", manager_id="U0MGRB", name="Wu")
    acme = builders.customer(env, "Acme Trading", owner=REP)
    delta = builders.customer(env, "Delta Paper", owner="U0REPB")
    monday = env.clock.now()
    clock.set(at_shanghai("2026-11-20T15:00"))  # Friday, the previous working day
    moving = opened(env, acme.id or 0, "Renewal", TODAY + timedelta(days=20))
    stages = [s.id for s in opportunities.stages(env, builders.WORKSPACE) if s.outcome == "open"]
    opportunities.move(env, mei(), moving, seen_version=1, stage_id=stages[2])
    winning = opened(env, acme.id or 0, "Samples", TODAY + timedelta(days=20))
    opportunities.mark_won(env, mei(), winning, seen_version=1)
    opened(env, acme.id or 0, "Trial", date(2026, 11, 22))  # closes Sunday: slipped by Monday
    wu = Actor(builders.WORKSPACE, "U0REPB", "Wu", "rep", "U0MGRB", "Asia/Shanghai", "en")
    theirs = opportunities.open_opportunity(
        env, wu, OpportunityDraft(delta.id or 0, "Other team", "500", TODAY)
    ).id
    opportunities.move(env, wu, theirs, seen_version=1, stage_id=stages[1])
    clock.set(monday)
    posted = {p["channel"]: p for p in run(env, standin, "digest")}
    mine = json.dumps(posted[MANAGER]["blocks"], ensure_ascii=False)
    assert "Opportunities on Nov 20, 2026" in mine
    assert f"#1 Renewal (Acme Trading) · <@{REP}>: Qualify → Proposal" in mine
    assert "#2 Samples (Acme Trading)" in mine
    assert "won, CN¥10,000.00" in mine
    assert "Past their expected close date since then" in mine
    assert "#3 Trial (Acme Trading)" in mine
    assert "Other team" not in mine, "another team's opportunity"
    assert "Other team" in json.dumps(posted["U0MGRB"]["blocks"], ensure_ascii=False)
