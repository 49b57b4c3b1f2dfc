"""Levels from revenue tiers, lifecycle stages, the value on the card, levels set by hand and Mark lost,
at fixed clocks."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from bot.errors import InvalidInput
from bot.rules import tiers as tier_rules
from bot.services import settings as settings_service
from bot.services import tiers
from bot.views.ids import Action
from store.models import MOVE_LEVEL, MOVE_UNLOST, ChurnState, Customer, OwnershipEvent, Workspace
from tests import builders
from tests.conftest import MANAGER, NOW, OTHER_REP, REP
from tests.test_churn import ordered, rep
from tests.test_followups import admin_actor, at_shanghai, team


@pytest.fixture(autouse=True)
def people(env):
    team(env)


def nightly(env, clock, moment: str = "2026-11-23T00:10") -> tuple[int, int] | None:
    clock.set(at_shanghai(moment))
    return tiers.tier_today(env, builders.WORKSPACE)


def rows(env) -> dict[str, Customer]:
    with env.db.session() as session:
        return {c.name: c for c in session.exec(select(Customer)).all()}


def test_levels_follow_revenue_tiers_of_the_last_twelve_months_and_hand_set_ones_stay(env, clock):
    for number in range(1, 11):
        customer = builders.customer(env, f"Buyer {number:02d}", owner=REP, level="C")
        ordered(env, customer, (30, number * 1000))
    old = builders.customer(env, "Old Money", owner=REP, level="A")
    ordered(env, old, (400, 1_000_000), (300, 1))  # rich once, more than a year ago
    tiers.set_level(env, rep(), rows(env)["Buyer 01"].id or 0, "A")
    assert nightly(env, clock) is not None
    levels = {name: c.level for name, c in rows(env).items()}
    assert [levels[f"Buyer {n:02d}"] for n in range(10, 0, -1)] == [
        "A",
        "A",
        "B",
        "B",
        "B",
        "C",
        "C",
        "C",
        "C",
        "A",
    ]
    assert levels["Old Money"] == "C"  # 11 customers: the top 20 % are 2 customers
    with env.db.session() as session:
        history = session.exec(
            select(OwnershipEvent.reason, OwnershipEvent.actor_id).where(
                col(OwnershipEvent.kind) == MOVE_LEVEL
            )
        ).all()
    assert ("C>A", REP) in history  # by hand
    assert sum(1 for reason, actor in history if actor is None) == 6  # 2 to A, 3 to B, Old Money A>C
    assert nightly(env, clock) is None  # once a day


def test_levels_from_revenue_appear_on_the_card_history(env, clock, slack):
    for number in range(1, 6):
        customer = builders.customer(env, f"Buyer {number}", owner=REP, level="C")
        ordered(env, customer, (10, number * 100))
    nightly(env, clock)
    clock.set(NOW)
    card = slack.command(REP, "/customer", "Buyer 5").text
    assert "level C · low priority → A · key by revenue" in card


def stage_of(env, name: str) -> str:
    return rows(env)[name].stage


def test_stages_at_a_fixed_clock(env, clock):
    builders.customer(env, "Just Looking", owner=REP)
    fresh = builders.customer(env, "Fresh Buyer", owner=REP)
    ordered(env, fresh, (30, 100))
    steady = builders.customer(env, "Steady Buyer", owner=REP)
    ordered(env, steady, (200, 100), (150, 100), (100, 100), (50, 100), (5, 100))
    asleep = builders.customer(env, "Long Asleep", owner=REP)
    ordered(env, asleep, (420, 100), (400, 100))
    slipped = builders.customer(env, "Slipped Rhythm", owner=REP)
    ordered(env, slipped, (150, 100), (140, 100), (130, 100))  # every 10 days, silent for 130
    risky = builders.customer(env, "Risky Buyer", owner=REP)
    ordered(env, risky, (200, 100), (100, 100), (10, 100))
    with env.db.session() as session:
        session.add(ChurnState(customer_id=risky.id or 0, workspace_id=builders.WORKSPACE, score=3, band="at_risk",
                               signals=2, since=NOW, updated_at=NOW))  # fmt: skip
    nightly(env, clock)
    assert {name: c.stage for name, c in rows(env).items()} == {
        "Just Looking": "prospect",
        "Fresh Buyer": "new",
        "Steady Buyer": "active",
        "Long Asleep": "dormant",
        "Slipped Rhythm": "dormant",
        "Risky Buyer": "at_risk",
    }


def test_an_order_wins_back_a_dormant_customer_who_is_active_again_ninety_days_later(env, clock):
    asleep = builders.customer(env, "Long Asleep", owner=REP)
    ordered(env, asleep, (420, 100), (400, 100))
    nightly(env, clock)
    clock.set(NOW)
    ordered(env, asleep, (0, 100))
    assert stage_of(env, "Long Asleep") == "won_back"
    nightly(env, clock, "2026-11-24T00:10")
    assert stage_of(env, "Long Asleep") == "won_back"
    nightly(env, clock, "2027-02-26T00:10")  # 95 days after the order that won it back
    assert stage_of(env, "Long Asleep") == "active"


def test_mark_lost_with_a_reason_and_a_new_order_undoes_it(env, standin, slack, clock):
    """Marked lost by the rep's manager (a rep's mark lost of a customer who ordered waits for their
    approval: tests/test_approvals.py)."""
    team(env)
    customer = builders.customer(env, "Gone Ltd", owner=REP)
    ordered(env, customer, (100, 100))
    seen = standin.count("views.open")
    assert slack.button(MANAGER, Action.CUSTOMER_MARK_LOST, str(customer.id)).status == 200
    form = dict(standin.next_call("views.open", after=seen)["view"])
    refused = slack.submit(MANAGER, form, {"reason": "  "}).json
    assert refused["response_action"] == "errors"
    assert "reason" in refused["errors"]
    assert slack.submit(MANAGER, form, {"reason": "Went with a competitor"}).json == {
        "response_action": "clear"
    }
    lost = rows(env)["Gone Ltd"]
    assert lost.stage == "lost"
    assert lost.lost_reason == "Went with a competitor"
    card = slack.command(REP, "/customer", "Gone Ltd").text
    assert "Marked lost: Went with a competitor" in card
    assert "marked it lost" in card
    nightly(env, clock)
    assert stage_of(env, "Gone Ltd") == "lost"  # the nightly stages keep it
    clock.set(NOW)
    ordered(env, customer, (0, 100))
    back = rows(env)["Gone Ltd"]
    assert back.stage == "won_back"
    assert back.lost_at is None
    with env.db.session() as session:
        assert session.exec(select(OwnershipEvent).where(col(OwnershipEvent.kind) == MOVE_UNLOST)).first()
    assert slack.button(OTHER_REP, Action.CUSTOMER_MARK_LOST, str(customer.id)).status == 200
    standin.wait_for_response(f"btn-{OTHER_REP}")
    assert "belongs to someone else" in str(standin.responses_to(f"btn-{OTHER_REP}")[-1])


def test_set_the_level_by_hand_from_the_card_and_back_to_automatic(env, slack, standin):
    """By the rep's manager (a rep asks for it: tests/test_approvals.py)."""
    team(env)
    customer = builders.customer(env, "Pick Me", owner=REP, level="C")
    action: dict[str, Any] = {
        "action_id": Action.CUSTOMER_LEVEL, "block_id": "b", "type": "static_select",
        "selected_option": {"text": {"type": "plain_text", "text": "A"}, "value": f"{customer.id}:A"}, "action_ts": "1",
    }  # fmt: skip
    assert slack.act(MANAGER, action).status == 200
    standin.wait_for_response(f"btn-{MANAGER}")
    picked = rows(env)["Pick Me"]
    assert picked.level == "A"
    assert picked.level_by_hand
    assert "(set by hand)" in str(standin.responses_to(f"btn-{MANAGER}")[-1])
    action["selected_option"]["value"] = f"{customer.id}:auto"
    slack.act(MANAGER, action)
    standin.wait_for_response(f"btn-{MANAGER}", 2)
    assert not rows(env)["Pick Me"].level_by_hand
    with pytest.raises(InvalidInput):
        tiers.set_level(env, rep(), customer.id or 0, "Z")


def test_the_card_shows_value_and_the_lifetime_estimate(env, slack):
    customer = builders.customer(env, "Worth Ltd", owner=REP)
    ordered(env, customer, (700, 3000), (300, 1000), (200, 1000), (100, 1000))
    card = slack.command(REP, "/customer", "Worth Ltd").text
    # 12 months: 3,000 in 3 orders; average over all 4 orders 1,500; 4 orders in 700 days = 2.0857 a
    # year; 3 years (too few customers for the workspace's own retention): 1,500 × 2.0857 × 3 = 9,385.71
    assert "Last 12 months: CN¥3,000.00 in 3 orders" in card
    assert "average order CN¥1,500.00" in card
    assert "lifetime value about CN¥9,390 (3 years)" in card, "an estimate, to three figures"
    assert "Last 12 months" not in slack.command(OTHER_REP, "/customer", "Worth Ltd").text


def test_retention_sets_the_lifetime_horizon(env, clock):
    for number in range(40):
        customer = builders.customer(env, f"Regular {number:02d}", owner=REP)
        again = [(10, 100)] if number % 4 else []  # three in four bought again this year
        ordered(env, customer, (500, 100), *again)
    nightly(env, clock)
    with env.db.session() as session:
        workspace = session.get(Workspace, builders.WORKSPACE)
    assert workspace is not None
    assert (workspace.retention_percent, workspace.retention_base) == (75, 40)
    assert tier_rules.expected_years(75, 40) == 4.0
    assert tier_rules.expected_years(75, 10) == 3.0
    assert tier_rules.expected_years(95, 40) == 10.0


def test_tier_percentages_are_checked(env):
    with pytest.raises(InvalidInput):
        settings_service.save(env, admin_actor(), {"tier_a_percent": "60", "tier_b_percent": "50"})
    settings_service.save(env, admin_actor(), {"tier_a_percent": "10", "tier_b_percent": "40"})
    assert settings_service.load(env, builders.WORKSPACE).tier_a_percent == 10
