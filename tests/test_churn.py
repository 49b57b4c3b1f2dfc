"""Churn warnings at fixed clocks: each signal at its edges, the bands and their history, who is told
what and when (a rise, then weekly while serious), and the Plan visit button."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from bot.rules import churn as rules
from bot.services import churn as churn_service
from bot.services import orders, visits
from bot.services.people import Actor
from bot.views.ids import Action, Callback
from store import churn as churn_store
from store.models import ChurnChange, ChurnState, Customer, OutboxMessage
from tests import builders
from tests.conftest import MANAGER, NOW, OTHER_REP, REP
from tests.test_followups import TODAY, at_shanghai, run, team


def rep(user_id: str = REP) -> Actor:
    return Actor(builders.WORKSPACE, user_id, user_id, "rep", MANAGER, "Asia/Shanghai", "en")


def ordered(env, customer: Customer, *days_ago_and_amount: tuple[int, int], by: str = REP) -> None:
    for days_ago, amount in days_ago_and_amount:
        draft = orders.OrderDraft(customer.id or 0, str(amount), "CNY", TODAY - timedelta(days=days_ago))
        orders.log_order(env, rep(by), draft)


def visited(env, customer: Customer, days_ago: int, satisfaction: int | None = None, by: str = REP) -> None:
    draft = visits.VisitDraft(
        customer.id or 0, "call", TODAY - timedelta(days=days_ago), satisfaction=satisfaction
    )
    visits.log_visit(env, rep(by), draft)


def book(env) -> dict[str, Customer]:
    """Mei's customers, one per case, as of Monday 23 Nov 2026."""
    team(env)
    c = {
        "steady": builders.customer(env, "Steady Foods", owner=REP, level="B"),
        "gap": builders.customer(env, "Gap Trading", owner=REP, level="B"),
        "slump": builders.customer(env, "Slump Ltd", owner=REP, level="A"),
        "quiet": builders.customer(env, "Quiet Co", owner=REP, level="C"),
        "prospect": builders.customer(env, "Never Bought", owner=REP, level="C", last_visit_on=TODAY - timedelta(days=300)),
        "li": builders.customer(env, "Li's Lost Cause", owner=OTHER_REP, level="B"),
    }  # fmt: skip
    ordered(env, c["steady"], (50, 1000), (30, 1000), (10, 1000))
    visited(env, c["steady"], 5, satisfaction=5)
    # Every 20 days, the last 46 days ago: beyond twice the usual gap; spend flat.
    ordered(env, c["gap"], *((days, 1000) for days in (146, 126, 106, 86, 66, 46)))
    visited(env, c["gap"], 5)
    # 20,000 in the 90 days before the last 90, 13,000 in the last 90 (−35 %); satisfied 2 of 5 at the
    # last contact, 20 days ago: more than level A's 14.
    ordered(env, c["slump"], (150, 10000), (120, 10000), (60, 13000))
    visited(env, c["slump"], 20, satisfaction=2)
    ordered(env, c["quiet"], (200, 500))  # one order, no visit since: level C's 60 days are past
    ordered(env, c["li"], (200, 800), (190, 800), (180, 800), by=OTHER_REP)  # every 10 days, silent for 180
    return c


def states(env) -> dict[str, tuple[str, int, int]]:
    with env.db.session() as session:
        rows = session.exec(select(Customer.name, ChurnState.band, ChurnState.score, ChurnState.signals).join(ChurnState, col(ChurnState.customer_id) == col(Customer.id))).all()  # fmt: skip
    return {name: (band, score, signals) for name, band, score, signals in rows}


def changes(env) -> list[tuple[str, str, str]]:
    with env.db.session() as session:
        rows = session.exec(
            select(Customer.name, ChurnChange.from_band, ChurnChange.to_band)
            .join(ChurnChange, col(ChurnChange.customer_id) == col(Customer.id))
            .order_by(col(ChurnChange.id))
        ).all()
    return [tuple(row) for row in rows]


def score_on(env, clock, moment: str) -> None:
    clock.set(at_shanghai(moment))
    churn_service.score_today(env, builders.WORKSPACE)


S = rules.Signal


def test_each_signal_scores_its_points_and_the_score_gives_the_band(env, clock):
    book(env)
    score_on(env, clock, "2026-11-23T00:10")
    assert states(env) == {
        "Gap Trading": ("at_risk", 3, S.ORDER_GAP),
        "Slump Ltd": ("critical", 5, S.SPEND_DOWN | S.LOW_SATISFACTION | S.CONTACT_OVERDUE),
        "Quiet Co": ("watch", 1, S.CONTACT_OVERDUE),
        "Li's Lost Cause": ("at_risk", 4, S.ORDER_GAP | S.CONTACT_OVERDUE),
    }  # Steady Foods scores nothing; Never Bought has never ordered
    assert sorted(changes(env)) == sorted(
        [("Gap Trading", "none", "at_risk"), ("Slump Ltd", "none", "critical"),
         ("Quiet Co", "none", "watch"), ("Li's Lost Cause", "none", "at_risk")]
    )  # fmt: skip


def test_the_scores_are_done_once_a_day_and_unchanged_bands_write_no_history(env, clock):
    book(env)
    clock.set(at_shanghai("2026-11-23T00:10"))
    assert churn_service.score_today(env, builders.WORKSPACE) == churn_store.Scored(4, 4, 4)
    assert churn_service.score_today(env, builders.WORKSPACE) is None  # a second run, or a second worker
    before = changes(env)
    clock.set(at_shanghai("2026-11-24T00:10"))
    assert churn_service.score_today(env, builders.WORKSPACE) == churn_store.Scored(4, 0, 0)
    assert changes(env) == before


@pytest.mark.parametrize(("days_ago", "fires"), [(40, False), (41, True)])
def test_order_gap_fires_beyond_twice_the_usual_gap(env, clock, days_ago, fires):
    team(env)
    customer = builders.customer(env, "Rhythm Ltd", owner=REP)
    ordered(env, customer, (days_ago + 40, 100), (days_ago + 20, 100), (days_ago, 100))  # usual gap 20
    visited(env, customer, 1)
    score_on(env, clock, "2026-11-23T00:10")
    assert (S.ORDER_GAP in S(states(env).get("Rhythm Ltd", ("", 0, 0))[2])) is fires


def test_order_gap_counts_a_usual_gap_of_at_least_a_week(env, clock):
    team(env)
    customer = builders.customer(env, "Burst Ltd", owner=REP)
    ordered(env, customer, (14, 100), (13, 100), (12, 100))  # a day apart, then 12 quiet days
    visited(env, customer, 1)
    score_on(env, clock, "2026-11-23T00:10")
    assert "Burst Ltd" not in states(env)


@pytest.mark.parametrize(("recent", "fires"), [(7000, True), (7100, False)])
def test_spend_down_fires_at_thirty_percent_on_the_previous_ninety_days(env, clock, recent, fires):
    team(env)
    customer = builders.customer(env, "Spender Ltd", owner=REP)
    ordered(env, customer, (179, 5000), (90, 5000), (89, recent // 2), (0, recent - recent // 2))
    visited(env, customer, 1)
    score_on(env, clock, "2026-11-23T00:10")
    assert (S.SPEND_DOWN in S(states(env).get("Spender Ltd", ("", 0, 0))[2])) is fires


def test_low_satisfaction_follows_the_latest_visit_that_recorded_one(env, clock):
    team(env)
    customer = builders.customer(env, "Moody Ltd", owner=REP)
    ordered(env, customer, (30, 100))
    visited(env, customer, 10, satisfaction=2)
    visited(env, customer, 20, satisfaction=5)  # an older visit logged later does not count
    visited(env, customer, 3)  # a visit without a rating keeps the last rating
    score_on(env, clock, "2026-11-23T00:10")
    assert states(env)["Moody Ltd"] == ("watch", 2, S.LOW_SATISFACTION)
    visited(env, customer, 1, satisfaction=4)
    score_on(env, clock, "2026-11-24T00:10")
    assert "Moody Ltd" not in states(env)
    assert changes(env)[-1] == ("Moody Ltd", "watch", "none")


def test_each_owner_gets_one_warning_with_reasons_in_plain_words_and_plan_visit(env, standin):
    c = book(env)
    dms = {dm["channel"]: dm for dm in run(env, standin, "churn")}
    assert set(dms) == {REP, OTHER_REP}
    mine = dms[REP]
    assert "3 of your customers may be slipping away" in mine["text"]
    rows = [
        block for block in mine["blocks"] if block.get("accessory", {}).get("action_id") == Action.PLAN_VISIT
    ]
    assert [row["accessory"]["value"] for row in rows] == [str(c[k].id) for k in ("slump", "gap", "quiet")]
    slump, gap, quiet = (row["text"]["text"] for row in rows)
    assert "*critical*" in slump
    assert "spend −35 % vs the previous 90 days" in slump
    assert "last satisfaction 2 of 5" in slump
    assert "20 days since the last contact (level A: every 14 days)" in slump
    assert "*at risk*" in gap
    assert "46 days since the last order (usual gap 20 days)" in gap
    assert "200 days since the last contact (level C: every 60 days)" in quiet
    assert "Steady Foods" not in str(mine)
    assert "Never Bought" not in str(mine)
    assert "180 days since the last order (usual gap 10 days)" in str(dms[OTHER_REP]["blocks"])
    assert run(env, standin, "churn") == []  # a second run the same morning


def test_no_warning_on_weekends_and_holidays_but_the_scores_still_move(env, standin, clock):
    book(env)
    clock.set(at_shanghai("2026-11-28T10:00"))  # Saturday
    assert run(env, standin, "churn") == []
    assert "Slump Ltd" in states(env)
    clock.set(at_shanghai("2026-11-30T09:30"))  # Monday
    assert {dm["channel"] for dm in run(env, standin, "churn")} == {REP, OTHER_REP}


def test_a_serious_band_is_told_again_after_a_week_and_a_rise_at_once(env, standin, clock):
    c = book(env)
    run(env, standin, "churn")  # Monday: everything told
    clock.set(at_shanghai("2026-11-24T09:30"))
    assert run(env, standin, "churn") == []  # Tuesday: nothing new
    visited(env, c["gap"], 0, satisfaction=1)  # Gap Trading's rating now adds 2 points: critical
    clock.set(at_shanghai("2026-11-25T09:30"))
    [dm] = run(env, standin, "churn")  # Wednesday: the rise, and only it
    assert dm["channel"] == REP
    assert "Gap Trading" in str(dm["blocks"])
    assert "Slump Ltd" not in str(dm["blocks"])
    assert ("Gap Trading", "at_risk", "critical") in changes(env)
    clock.set(at_shanghai("2026-11-30T09:30"))  # the next Monday: a week since Slump Ltd was told
    told = {dm["channel"]: str(dm["blocks"]) for dm in run(env, standin, "churn")}
    assert "Slump Ltd" in told[REP]
    assert "Quiet Co" not in told[REP]
    assert "Gap Trading" not in told[REP]  # told on Wednesday
    assert "Li's Lost Cause" in told[OTHER_REP]


def test_a_customer_that_recovers_leaves_its_band_in_the_history(env, clock):
    c = book(env)
    score_on(env, clock, "2026-11-23T00:10")
    ordered(env, c["gap"], (0, 1000))
    visited(env, c["quiet"], 0)
    score_on(env, clock, "2026-11-24T00:10")
    assert "Gap Trading" not in states(env)
    assert "Quiet Co" not in states(env)
    assert ("Gap Trading", "at_risk", "none") in changes(env)
    assert ("Quiet Co", "watch", "none") in changes(env)


def test_the_digest_shows_band_changes_of_the_team(env, standin, clock):
    book(env)
    score_on(env, clock, "2026-11-23T00:10")
    clock.set(at_shanghai("2026-11-24T08:45"))
    [digest] = [dm for dm in run(env, standin, "digest") if dm["channel"] == MANAGER]
    assert "Slump Ltd" in str(digest["blocks"])
    assert "critical" in str(digest["blocks"])


def test_plan_visit_from_a_warning_sets_the_next_follow_up(env, standin, slack):
    c = book(env)
    run(env, standin, "churn")
    seen = standin.count("views.open")
    assert slack.button(REP, Action.PLAN_VISIT, str(c["slump"].id)).status == 200
    view = dict(standin.next_call("views.open", after=seen)["view"])
    assert view["callback_id"] == Callback.PLAN_VISIT
    assert "Slump Ltd" in str(view)
    pickers = [b["element"] for b in view["blocks"] if b.get("element", {}).get("type") == "datepicker"]
    assert pickers[0]["initial_date"] == "2026-11-24", "the next working day suggested"
    planned = TODAY + timedelta(days=2)
    assert slack.submit(REP, view, {"next_follow_up": planned.isoformat()}).json == {
        "response_action": "clear"
    }
    with env.db.session() as session:
        assert session.get(Customer, c["slump"].id).next_follow_up == planned
    said = str(standin.wait_for_response(f"btn-{REP}")[-1])
    assert "Visit to Slump Ltd planned for Nov 25, 2026: it is the next follow-up." in said


def test_warnings_are_queued_once_per_owner_and_day(env, standin):
    book(env)
    run(env, standin, "churn")
    run(env, standin, "churn")
    with env.db.session() as session:
        keys = session.exec(
            select(OutboxMessage.dedupe_key).where(col(OutboxMessage.kind) == "churn_warning")
        ).all()
    assert sorted(keys) == sorted(f"churn_warning:{user}::{TODAY.isoformat()}" for user in (REP, OTHER_REP))
    assert NOW.date() == date(2026, 11, 23)


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_warning_is_valid_block_kit_within_limits_in_both_languages(locale):
    from bot.i18n import lang
    from bot.playground.validation import message_problems
    from bot.views import churn as views
    from store.churn import WarningRow

    every_reason = [
        rules.Reason(S.ORDER_GAP, days=46, limit=20),
        rules.Reason(S.SPEND_DOWN, percent=35),
        rules.Reason(S.LOW_SATISFACTION, limit=2),
        rules.Reason(S.CONTACT_OVERDUE, days=75, limit=60, level="C"),
    ]
    rows = [
        churn_service.Warning(
            WarningRow(
                REP,
                n,
                f"Acme <!channel> *{n}* {'长' * 150}",
                "C",
                "critical",
                8,
                15,
                None,
                None,
                None,
                0,
                2,
                40,
            ),
            every_reason,
        )
        for n in range(views.ROWS_SHOWN)
    ]
    message = views.warning(lang(locale), rows)
    assert message_problems(message) == []
    assert "<!channel>" not in str(message)
    assert "&lt;!channel&gt;" in str(message)
    assert len(message["blocks"]) <= 50 and "25 more" in str(message) or locale != "en"
    if locale == "zh_CN":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message["text"])


def test_the_card_shows_the_band_and_its_reasons_to_those_who_work_on_the_customer(env, slack, clock):
    book(env)
    score_on(env, clock, "2026-11-23T00:10")
    clock.set(NOW)
    mine = slack.command(REP, "/customer", "Slump").text
    assert "Churn risk: *critical*" in mine
    assert "spend −35 % vs the previous 90 days" in mine
    assert "Churn risk" in slack.command(MANAGER, "/customer", "Slump").text
    assert "Churn risk" not in slack.command(OTHER_REP, "/customer", "Slump").text
    assert "Churn risk" not in slack.command(REP, "/customer", "Steady").text
