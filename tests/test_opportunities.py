"""Opportunities (商机) in the services: opened, moved, won (the order written as /order writes it),
lost with a reason; bad input refused with nothing written; rights; two people at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from sqlmodel import col

from bot import i18n, jobs
from bot.errors import ChangedMeanwhile, InvalidFields, InvalidInput, NotAllowed, UserError
from bot.rules.pool import PoolRules
from bot.services import opportunities, recycle
from bot.services.opportunities import OpportunityDraft
from bot.services.people import Actor
from bot.views import recycle as recycle_views
from store import recycle as recycle_store
from store.models import Customer, Opportunity, OpportunityChange, OpportunityStage, Order
from tests import builders
from tests.conftest import ADMIN, MANAGER, OTHER_REP, REP

TODAY = date(2026, 11, 23)  # the test clock's day in Shanghai


def actor(user_id: str, role: str = "rep", manager_id: str | None = None, locale: str = "en") -> Actor:
    return Actor(builders.WORKSPACE, user_id, user_id, role, manager_id, "Asia/Shanghai", locale)


MEI = actor(REP, manager_id=MANAGER)


@pytest.fixture
def acme(env):
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    builders.person(env, OTHER_REP)
    return builders.customer(env, "Acme Trading", owner=REP)


def draft(customer_id: int, **values) -> OpportunityDraft:
    fields = {
        "title": "Cold-chain contract 2027",
        "amount": "500000",
        "expected_close_on": TODAY + timedelta(days=30),
    }
    return OpportunityDraft(customer_id=customer_id, **{**fields, **values})


def count(env, model) -> int:
    with env.db.session() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def history(env, number: int) -> list[tuple[int, str]]:
    with env.db.session() as session:
        rows = session.execute(
            sa.select(col(OpportunityChange.version), col(OpportunityChange.change))
            .where(col(OpportunityChange.opportunity_id) == number)
            .order_by(col(OpportunityChange.version))
        )
        return [(version, change) for version, change in rows]


def test_an_opportunity_opens_in_the_first_stage_with_its_probability_and_is_numbered_in_its_workspace(
    env, acme
):
    first = opportunities.open_opportunity(env, MEI, draft(acme.id))
    second = opportunities.open_opportunity(env, MEI, draft(acme.id, title="Samples", probability="35%"))
    stages = {stage.id: stage for stage in opportunities.stages(env, builders.WORKSPACE)}
    assert (first.id, second.id) == (1, 2)
    assert stages[first.stage_id].key == "qualify"
    assert (first.probability, second.probability) == (10, 35)
    assert first.owner_id == REP, "the customer's owner works it"
    assert first.amount_minor == first.amount_base_minor == 50_000_000
    assert [stage.key for stage in stages.values()] == [
        "qualify", "needs_analysis", "proposal", "negotiation", "won", "lost",
    ]  # fmt: skip
    assert [stage.probability for stage in stages.values()] == [10, 20, 40, 70, 100, 0]
    assert [stage.idle_days for stage in stages.values()] == [30, 21, 14, 10, 0, 0], (
        "days idle before a reminder"
    )
    assert history(env, 1) == [(1, "created")]


@pytest.mark.parametrize(
    ("values", "field", "said"),
    [
        ({"amount": "-5"}, "amount", "more than zero"),
        ({"amount": "abc"}, "amount", "must be a number"),
        ({"amount": "1e20"}, "amount", "too large"),
        ({"amount": "100000000000000"}, "amount", "too large"),
        ({"expected_close_on": TODAY - timedelta(days=1)}, "expected_close_on", "has passed"),
        ({"expected_close_on": None}, "expected_close_on", "Choose the expected close date"),
        ({"probability": "101"}, "probability", "from 0 to 100"),
        ({"probability": "half"}, "probability", "whole percent"),
        ({"title": "   "}, "title", "Give the opportunity a title"),
        ({"currency": "USD"}, "rate", "Give the rate"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_a_clear_answer_and_nothing_is_written(
    env, acme, values, field, said
):
    with pytest.raises(InvalidInput) as refused:
        opportunities.open_opportunity(env, MEI, draft(acme.id, **values))
    assert refused.value.field == field
    assert said in str(refused.value)
    assert count(env, Opportunity) == 0
    assert count(env, OpportunityChange) == 0


def test_every_wrong_field_is_flagged_at_once(env, acme):
    with pytest.raises(InvalidFields) as refused:
        opportunities.open_opportunity(env, MEI, draft(acme.id, amount="abc", probability="250", title=""))
    assert {problem.field for problem in refused.value.problems} == {"amount", "probability", "title"}


def test_a_title_with_a_broadcast_is_kept_as_typed(env, acme):
    opened = opportunities.open_opportunity(env, MEI, draft(acme.id, title="Renewal <!channel> & <@U0LI>"))
    assert opened.title == "Renewal <!channel> & <@U0LI>", "stored as typed; the views escape it"


def test_a_move_takes_the_stages_probability_and_a_move_from_an_older_version_is_refused(env, acme):
    opened = opportunities.open_opportunity(env, MEI, draft(acme.id))
    following = opportunities.next_stage_id(env, MEI, opened)
    assert following is not None
    moved = opportunities.move(env, MEI, opened.id, seen_version=1, stage_id=following)
    assert (moved.version, moved.probability) == (2, 20)
    with pytest.raises(ChangedMeanwhile):
        opportunities.move(env, MEI, opened.id, seen_version=1, stage_id=following)
    assert history(env, opened.id) == [(1, "created"), (2, "moved")]


def test_two_people_moving_one_opportunity_at_once_one_moves_it_and_the_other_is_told(env, acme):
    opened = opportunities.open_opportunity(env, MEI, draft(acme.id))
    stages = [s.id for s in opportunities.stages(env, builders.WORKSPACE) if s.outcome == "open"]
    boss = actor(MANAGER, "manager")
    start = threading.Barrier(2)

    def move(person: Actor, stage_id: int) -> object:
        start.wait()
        try:
            return opportunities.move(env, person, opened.id, seen_version=1, stage_id=stage_id)
        except UserError as error:
            return error

    with ThreadPoolExecutor(max_workers=2) as threads:
        results = list(threads.map(move, [MEI, boss], [stages[1], stages[2]]))
    refused = [result for result in results if isinstance(result, ChangedMeanwhile)]
    assert len(refused) == 1, results
    assert history(env, opened.id) == [(1, "created"), (2, "moved")]


def test_won_writes_the_order_as_order_does_and_the_customer_becomes_dealt(env, acme):
    opened = opportunities.open_opportunity(
        env, MEI, draft(acme.id, amount="1200.50", currency="USD", rate="7.1", products="dyed yarn")
    )
    won, logged = opportunities.mark_won(env, MEI, opened.id, seen_version=1)
    assert won.closed_at is not None
    assert won.probability == 100
    assert won.order_id == logged.order.id
    with env.db.session() as session:
        order = session.get(Order, logged.order.id)
        customer = session.get(Customer, acme.id)
    assert order is not None
    assert customer is not None
    assert (order.amount_minor, order.currency, order.product) == (120_050, "USD", "dyed yarn")
    assert order.amount_base_minor == 852_355, "converted at the opportunity's rate"
    assert customer.dealt_at is not None
    assert customer.stage == "new"
    assert logged.first_order
    assert history(env, opened.id)[-1] == (2, "won")
    with pytest.raises(InvalidInput, match="closed already"):
        opportunities.mark_lost(env, MEI, opened.id, seen_version=2, reason_key="price", words="")


def test_lost_needs_a_reason_from_the_list_and_words_for_other(env, acme):
    opened = opportunities.open_opportunity(env, MEI, draft(acme.id))
    with pytest.raises(InvalidInput, match="Choose why"):
        opportunities.mark_lost(env, MEI, opened.id, seen_version=1, reason_key="bad luck", words="")
    with pytest.raises(InvalidInput, match="in a few words"):
        opportunities.mark_lost(env, MEI, opened.id, seen_version=1, reason_key="other", words="  ")
    lost = opportunities.mark_lost(
        env, MEI, opened.id, seen_version=1, reason_key="competitor", words="went with a cheaper carrier"
    )
    assert (lost.lost_reason_key, lost.lost_reason, lost.probability) == (
        "competitor", "went with a cheaper carrier", 0,
    )  # fmt: skip
    assert count(env, Order) == 0


def test_a_rep_cannot_change_a_colleagues_opportunity_but_their_manager_and_an_admin_can(env, acme):
    opened = opportunities.open_opportunity(env, MEI, draft(acme.id))
    stage = opportunities.next_stage_id(env, MEI, opened)
    assert stage is not None
    with pytest.raises(NotAllowed):
        opportunities.move(env, actor(OTHER_REP), opened.id, seen_version=1, stage_id=stage)
    with pytest.raises(NotAllowed):
        opportunities.open_opportunity(env, actor(OTHER_REP), draft(acme.id))
    moved = opportunities.move(env, actor(MANAGER, "manager"), opened.id, seen_version=1, stage_id=stage)
    assert moved.version == 2
    lost = opportunities.mark_lost(
        env, actor(ADMIN, "admin"), opened.id, seen_version=2, reason_key="timing", words=""
    )
    assert lost.closed_at is not None


def test_the_default_stages_are_written_once_when_two_first_uses_come_at_once(env):
    start = threading.Barrier(2)

    def first_use(_: int) -> int:
        start.wait()
        return len(opportunities.stages(env, builders.WORKSPACE))

    with ThreadPoolExecutor(max_workers=2) as threads:
        assert list(threads.map(first_use, range(2))) == [6, 6]
    assert count(env, OpportunityStage) == 6


def stage_of(env, customer_id: int) -> str:
    with env.db.session() as session:
        return str(session.scalar(sa.select(col(Customer.stage)).where(col(Customer.id) == customer_id)))


def test_a_prospect_with_an_open_opportunity_is_interested_and_a_prospect_again_once_it_is_lost(env, acme):
    assert stage_of(env, acme.id) == "prospect"
    opened = opportunities.open_opportunity(env, MEI, draft(acme.id))
    assert stage_of(env, acme.id) == "interested"
    opportunities.mark_lost(env, MEI, opened.id, seen_version=1, reason_key="price", words="")
    assert stage_of(env, acme.id) == "prospect"


def test_the_nightly_stages_make_a_prospect_with_an_open_opportunity_interested(env, acme):
    opportunities.open_opportunity(env, MEI, draft(acme.id))
    with env.db.session() as session:  # as a customer imported with an opportunity, before the night
        session.execute(sa.update(Customer).where(col(Customer.id) == acme.id).values(stage="prospect"))
    jobs.run_job("tiers", env, WebClient(token="x", base_url="http://127.0.0.1:9/"))
    assert stage_of(env, acme.id) == "interested"


def test_an_interested_customers_first_order_makes_it_new(env, acme):
    opened = opportunities.open_opportunity(env, MEI, draft(acme.id))
    opportunities.mark_won(env, MEI, opened.id, seen_version=1)
    assert stage_of(env, acme.id) == "new"


def test_an_open_opportunity_that_moved_lately_holds_off_the_first_order_recycle_and_the_warning_says_so(
    env, acme
):
    now = env.clock.now()
    opened = opportunities.open_opportunity(env, MEI, draft(acme.id))
    moved = now - timedelta(days=28)
    with (
        env.db.session() as session
    ):  # claimed 100 days ago, visited yesterday; its opportunity moved 28 days ago
        session.execute(
            sa.update(Customer)
            .where(col(Customer.id) == acme.id)
            .values(owned_since=now - timedelta(days=100), recycle_clock_from=now - timedelta(days=1))
        )
        session.execute(
            sa.update(Opportunity).where(col(Opportunity.id) == opened.id).values(stage_since=moved)
        )
    rules = PoolRules(days_to_first_order=90, opportunity_spares_days=30)
    [warned] = recycle.due_soon(env, builders.WORKSPACE, owners=None, within=timedelta(days=3), rules=rules)[
        REP
    ]
    assert warned.recycle.at == moved + timedelta(days=30), "the opportunity's clock, not the claim's"
    assert warned.recycle.opportunity_moved_at == moved
    said = recycle_views.warning_row(i18n.lang("en"), warned, "Asia/Shanghai")[0]["text"]["text"]
    assert "no first order yet, and its open opportunity has not moved since" in said
    held = recycle_store.due_conditions(recycle.sql_rules(rules), workspace_id=builders.WORKSPACE, by=now)
    with env.db.session() as session:
        due_now = {
            cid for _, where in held for cid in session.scalars(sa.select(col(Customer.id)).where(*where))
        }
    assert acme.id not in due_now, "not recycled while its opportunity holds it off"
    without = PoolRules(days_to_first_order=90, opportunity_spares_days=0)
    held = recycle_store.due_conditions(recycle.sql_rules(without), workspace_id=builders.WORKSPACE, by=now)
    with env.db.session() as session:
        due_now = {
            cid for _, where in held for cid in session.scalars(sa.select(col(Customer.id)).where(*where))
        }
    assert acme.id in due_now, "0 turns the exemption off"
