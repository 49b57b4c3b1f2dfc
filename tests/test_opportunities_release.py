"""Releasing a customer with open opportunities asks what becomes of them: lost with it (and open again
if the release is undone), or kept open by their owners; a release waiting for approval keeps the
choice, carried out with the approval."""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import col

from bot.services import opportunities
from bot.services.opportunities import OpportunityDraft
from bot.services.people import Actor
from store.models import Customer, Opportunity
from tests import builders
from tests.conftest import MANAGER, REP
from tests.test_followups import team
from tests.test_undo import press_undo

MEI = Actor(builders.WORKSPACE, REP, "Mei", "rep", MANAGER, "Asia/Shanghai", "en")


def with_opportunity(env, name: str = "Acme Trading", **values) -> tuple[Customer, int]:
    team(env)
    customer = builders.customer(env, name, owner=REP, **values)
    draft = OpportunityDraft(customer.id or 0, "Renewal", "50000", date(2026, 12, 20))
    opened = opportunities.open_opportunity(env, MEI, draft)
    stages = [s.id for s in opportunities.stages(env, builders.WORKSPACE) if s.outcome == "open"]
    opportunities.move(env, MEI, opened.id, seen_version=1, stage_id=stages[2])  # proposal
    return customer, opened.id


def release_form(slack, standin, customer: Customer) -> dict:
    seen = standin.count("views.open")
    slack.button(REP, "customer.release", str(customer.id))
    return standin.next_call("views.open", after=seen)["view"]


def state(env, number: int) -> tuple[str, str, bool]:
    with env.db.session() as session:
        found = session.get(Opportunity, (builders.WORKSPACE, number))
        assert found is not None
        stage = {s.id: s.key for s in opportunities.stages(env, builders.WORKSPACE)}[found.stage_id]
        return stage, found.lost_reason_key, found.closed_at is None


def owner(env, customer: Customer) -> str | None:
    with env.db.session() as session:
        return session.scalar(sa.select(col(Customer.owner_id)).where(col(Customer.id) == customer.id))


def test_the_release_form_asks_only_when_there_are_open_opportunities(slack, standin, env):
    acme, _ = with_opportunity(env)
    form = release_form(slack, standin, acme)
    assert "Its open opportunity" in json.dumps(form)
    bare = builders.customer(env, "Beta Works", owner=REP)
    assert "opportunit" not in json.dumps(release_form(slack, standin, bare))


def test_lose_marks_them_lost_with_the_release_and_undo_opens_them_again(slack, standin, env, clock):
    acme, number = with_opportunity(env)
    form = release_form(slack, standin, acme)
    assert slack.submit(REP, form, {"reason": "not_interested", "opportunities": "lose"}).json == {
        "response_action": "clear"
    }
    assert owner(env, acme) is None
    assert state(env, number) == ("lost", "released", False)
    clock.advance(timedelta(minutes=5))
    press_undo(slack, standin, REP, acme, "undid the release")
    assert owner(env, acme) == REP
    assert state(env, number) == ("proposal", "", True), "open again, in the stage it was in"


def test_keep_leaves_them_open_with_their_owner(slack, standin, env):
    acme, number = with_opportunity(env)
    form = release_form(slack, standin, acme)
    slack.submit(REP, form, {"reason": "not_interested", "opportunities": "keep"})
    assert owner(env, acme) is None
    assert state(env, number) == ("proposal", "", True)
    assert "Renewal" in slack.command(REP, "/deal", "mine").text, "still Mei's to work"


def test_a_release_waiting_for_approval_keeps_the_choice_and_the_approval_carries_it_out(slack, standin, env):
    acme, number = with_opportunity(env, level="A")  # level A: the manager approves its release
    form = release_form(slack, standin, acme)
    slack.submit(REP, form, {"reason": "not_interested", "opportunities": "keep"})
    assert owner(env, acme) == REP, "waiting for Max"
    ask = standin.wait_for("chat.postMessage")[-1].args
    approve = next(
        e for b in ask["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "approval.approve"
    )  # fmt: skip
    slack.button(MANAGER, "approval.approve", approve["value"])
    standin.wait_for_response(f"btn-{MANAGER}")
    assert owner(env, acme) is None
    assert state(env, number) == ("proposal", "", True), "kept open, as Mei chose"
