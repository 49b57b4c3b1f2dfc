"""The pipeline's figures from opportunities written in the test (exact numbers), and the Home showing
them: a rep's own pipeline, a manager's team pipeline with its funnel."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.rules.opportunities import weighted_minor
from bot.services import opportunities
from bot.services.opportunities import OpportunityDraft
from bot.services.people import Actor
from bot.services.pipeline import pipeline_in
from store.models import Opportunity
from tests import builders
from tests.conftest import MANAGER, OTHER_REP, REP

TODAY = date(2026, 11, 23)  # the test clock's day in Shanghai: November, the fourth quarter


def actor(user_id: str, role: str = "rep", manager_id: str | None = None) -> Actor:
    return Actor(builders.WORKSPACE, user_id, user_id, role, manager_id, "Asia/Shanghai", "en")


MEI, LI = actor(REP, manager_id=MANAGER), actor(OTHER_REP, manager_id=MANAGER)


@pytest.fixture
def book(env):
    """Mei: 100,000 closing this month at 10 % (qualify), 200,000 in December moved to negotiation
    (70 %), 50,000 won today; Li: 80,000 lost. Amounts in CNY, the workspace currency."""
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    builders.person(env, OTHER_REP, manager_id=MANAGER)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    harbor = builders.customer(env, "Harbor Foods", owner=OTHER_REP)

    def opened(person: Actor, customer_id: int | None, amount: str, close: date) -> int:
        draft = OpportunityDraft(customer_id or 0, "Deal", amount, close)
        return opportunities.open_opportunity(env, person, draft).id

    opened(MEI, acme.id, "100000", TODAY + timedelta(days=5))
    december = opened(MEI, acme.id, "200000", date(2026, 12, 15))
    stages = [s.id for s in opportunities.stages(env, builders.WORKSPACE) if s.outcome == "open"]
    opportunities.move(env, MEI, december, seen_version=1, stage_id=stages[3])
    won = opened(MEI, acme.id, "50000", TODAY + timedelta(days=1))
    opportunities.mark_won(env, MEI, won, seen_version=1)
    lost = opened(LI, harbor.id, "80000", TODAY + timedelta(days=9))
    opportunities.move(env, LI, lost, seen_version=1, stage_id=stages[1])
    opportunities.mark_lost(env, LI, lost, seen_version=2, reason_key="price", words="")
    return stages


def figures(env, owners, *, funnel: bool = False):
    with env.db.session() as session:
        return pipeline_in(
            session, workspace_id=builders.WORKSPACE, owners=owners, today=TODAY, timezone="Asia/Shanghai",
            with_funnel=funnel,
        )  # fmt: skip


def test_open_opportunities_by_stage_with_amounts_and_weighted_amounts(env, book):
    totals = {t.stage_id: (t.count, t.amount, t.weighted) for t in figures(env, [REP]).totals}
    assert totals == {book[0]: (1, 10_000_000, 1_000_000), book[3]: (1, 20_000_000, 14_000_000)}
    assert figures(env, [OTHER_REP]).totals == [], "Li's one is lost"


@pytest.mark.usefixtures("book")
def test_the_forecast_of_the_month_and_the_quarter(env):
    shown = figures(env, [REP])
    # November: won 50,000; open closing in it: 100,000 at 10 % (not committed).
    assert (shown.month.won, shown.month.committed, shown.month.weighted) == (5_000_000, 5_000_000, 6_000_000)
    # The quarter adds December's 200,000 at 70 %: committed, and 140,000 weighted.
    assert (shown.quarter.won, shown.quarter.committed, shown.quarter.weighted) == (
        5_000_000, 25_000_000, 20_000_000,
    )  # fmt: skip


def test_the_forecast_counts_each_close_day_in_the_periods_it_falls_in(env, book):
    """Close days on the periods' edges, probabilities around the committed line, many stages and
    owners: the figures equal the opportunities summed one by one."""
    acme = builders.customer(env, "Edge Works", owner=OTHER_REP)
    edges = [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 1), date(2026, 10, 1)]
    for number, close in enumerate(edges):
        draft = OpportunityDraft(acme.id or 0, f"Edge {number}", f"{1000 + number}.01", TODAY)
        opened = opportunities.open_opportunity(env, LI, draft)
        opportunities.move(env, LI, opened.id, seen_version=1, stage_id=book[number % 4])
        with env.db.session() as session:  # the close day as it came to be (October's: slipped)
            session.get(Opportunity, (builders.WORKSPACE, opened.id)).expected_close_on = close
    with env.db.session() as session:
        rows = session.query(Opportunity).filter(Opportunity.closed_at.is_(None)).all()  # type: ignore[union-attr]

    def expected(first: date, after: date) -> tuple[int, int]:
        closing = [row for row in rows if first <= row.expected_close_on < after]
        committed = sum(row.amount_base_minor for row in closing if row.probability >= 70)
        weighted = sum(weighted_minor(row.amount_base_minor, row.probability) for row in closing)
        return committed, weighted

    shown = figures(env, None)
    won = shown.month.won
    assert (shown.month.committed - won, shown.month.weighted - won) == expected(
        date(2026, 11, 1), date(2026, 12, 1)
    )
    quarter = (shown.quarter.committed - won, shown.quarter.weighted - won)
    assert quarter == expected(date(2026, 10, 1), date(2027, 1, 1))
    assert sum(total.count for total in shown.totals) == len(rows) == 7
    assert sum(total.weighted for total in shown.totals) == sum(
        weighted_minor(row.amount_base_minor, row.probability) for row in rows
    )


@pytest.mark.usefixtures("book")
def test_the_funnel_counts_how_far_the_opportunities_of_the_last_90_days_got(env):
    reached = [(r.stage_id, r.count) for r in figures(env, [REP, OTHER_REP], funnel=True).funnel]
    stages = {s.key: s.id for s in opportunities.stages(env, builders.WORKSPACE)}
    assert reached == [
        (stages["qualify"], 4),
        (stages["needs_analysis"], 3),  # the won one, December's (passed it) and Li's
        (stages["proposal"], 2),  # the won one and December's
        (stages["negotiation"], 2),
        (stages["won"], 1),
        (stages["lost"], 1),
    ]


@pytest.mark.usefixtures("book")
def test_the_home_shows_a_reps_pipeline_and_a_managers_team_funnel(slack, standin):
    slack.open_home(REP)
    mine = json.dumps(standin.last("views.publish")["view"], ensure_ascii=False)
    assert "Your pipeline" in mine
    assert "Qualify: 1 · CN¥100,000.00 · weighted CN¥10,000.00" in mine
    assert "This month: won CN¥50,000.00 · committed CN¥50,000.00 · weighted CN¥60,000.00" in mine
    assert "Funnel" not in mine, "a rep has no team funnel"
    seen = standin.count("views.publish")
    slack.open_home(MANAGER)
    team = json.dumps(standin.next_call("views.publish", after=seen)["view"], ensure_ascii=False)
    assert "Your team's pipeline" in team
    assert "Needs analysis: 3 (75% of the stage before)" in team
    assert "Won: 1 (50% of the stage before)" in team
