"""Correcting and deleting visits and orders through signed requests: the "⋯" menu on the card's lines,
the forms filled in, the customer's facts exactly as if the records had always been as corrected (a
customer built from the corrected records alone is the yardstick), who may correct and for how long,
each change and each delete kept in the history, and bad input or stale forms that change nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from bot.playground.requests import action_ts
from bot.views.ids import Action
from store import activity
from store.models import Customer, CustomerChange, Order, Visit
from tests import builders
from tests.conftest import ADMIN, CHINESE_REP, MANAGER, NOW, OTHER_REP, REP
from tests.test_followups import team

FACTS = (
    "last_visit_on",
    "last_satisfaction",
    "last_satisfaction_on",
    "recycle_clock_from",
    "first_order_on",
    "last_order_on",
    "order_count",
    "dealt_at",
    "stage",
)
NOVEMBER_1 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def owned_since_november(env, name: str) -> Customer:
    """A rep's customer owned from Nov 1, so that November's visits move its recycle clock."""
    customer = builders.customer(env, name, owner=REP)
    with env.db.session() as session:
        row = session.get(Customer, customer.id)
        assert row is not None
        row.owned_since = row.recycle_clock_from = NOVEMBER_1
        session.add(row)
    return stored(env, customer)


def stored(env, customer: Customer) -> Customer:
    with env.db.session() as session:
        found = session.get(Customer, customer.id)
        assert found is not None
        session.expunge(found)
        return found


def latest(env, model: type[Visit] | type[Order]) -> Any:
    with env.db.session() as session:
        row = session.exec(select(model).order_by(col(model.id).desc())).first()
        assert row is not None
        session.expunge(row)
        return row


def log_visit(env, slack, standin, customer: Customer, user: str = REP, **values: Any) -> Visit:
    view = builders.open_form(slack, standin, "/visit", user=user)
    reply = slack.submit(user, view, {"customer": str(customer.id), **values})
    assert reply.json == {"response_action": "clear"}
    return latest(env, Visit)


def log_order(env, slack, standin, customer: Customer, user: str = REP, **values: Any) -> Order:
    view = builders.open_form(slack, standin, "/order", user=user)
    reply = slack.submit(user, view, {"customer": str(customer.id), **values})
    assert reply.json == {"response_action": "clear"}
    return latest(env, Order)


def choose(slack, user: str, choice: str):
    """Correct… or Delete… chosen in the "⋯" menu of a visit's or an order's line."""
    option = {"text": {"type": "plain_text", "text": choice}, "value": choice}
    action = {
        "action_id": Action.RECORD_MENU, "block_id": "b", "type": "overflow",
        "selected_option": option, "action_ts": action_ts(),
    }  # fmt: skip
    reply = slack.act(user, action)
    assert reply.status == 200
    return reply


def open_form(slack, standin, user: str, choice: str) -> dict[str, Any]:
    seen = standin.count("views.open")
    choose(slack, user, choice)
    return dict(standin.next_call("views.open", after=seen)["view"])


def correct(slack, standin, user: str, record: str, values: dict[str, Any]) -> dict[str, Any]:
    return slack.submit(user, open_form(slack, standin, user, f"correct:{record}"), values).json


def delete(slack, standin, user: str, record: str, reason: str) -> dict[str, Any]:
    return slack.submit(user, open_form(slack, standin, user, f"delete:{record}"), {"reason": reason}).json


def changes(env, customer: Customer) -> list[tuple[str, str, str, str, str]]:
    with env.db.session() as session:
        rows = session.exec(
            select(CustomerChange)
            .where(col(CustomerChange.customer_id) == customer.id)
            .order_by(col(CustomerChange.id))
        ).all()
    return [(row.record, row.field, row.old_value, row.new_value, row.reason) for row in rows]


def facts(env, customer: Customer) -> dict[str, Any]:
    row = stored(env, customer)
    with env.db.session() as session:
        count, revenue = activity.order_totals(
            session=session, workspace_id=builders.WORKSPACE, customer_id=customer.id or 0
        )
    return {**{name: getattr(row, name) for name in FACTS}, "orders": count, "revenue": revenue}


def menus_on_card(slack, user: str, name: str) -> list[str]:
    card = slack.command(user, "/customer", name).json
    return [
        option["value"]
        for block in card["blocks"]
        if (block.get("accessory") or {}).get("action_id") == Action.RECORD_MENU
        for option in block["accessory"]["options"]
    ]


def test_after_corrections_the_facts_are_those_of_a_customer_built_from_the_corrected_records(
    env, slack, standin
):
    team(env)
    acme, bolt = owned_since_november(env, "Acme Trading"), owned_since_november(env, "Bolt Supplies")
    wrong_customer = log_visit(
        env, slack, standin, acme, kind="call", visited_on="2026-11-21", satisfaction="4"
    )
    late = log_visit(env, slack, standin, acme, kind="meeting", visited_on="2026-11-22", satisfaction="2")
    typo = log_order(env, slack, standin, acme, amount="12800", ordered_on="2026-11-03")
    twice = log_order(env, slack, standin, acme, amount="500", ordered_on="2026-11-20")

    assert correct(
        slack, standin, REP, f"visit:{late.id}", {"visited_on": "2026-11-18", "satisfaction": "5"}
    ) == {"response_action": "clear"}
    assert delete(slack, standin, REP, f"visit:{wrong_customer.id}", "logged on the wrong customer") == {
        "response_action": "clear"
    }
    assert correct(slack, standin, REP, f"order:{typo.id}", {"amount": "128000"}) == {
        "response_action": "clear"
    }
    assert delete(slack, standin, REP, f"order:{twice.id}", "typed twice") == {"response_action": "clear"}

    log_visit(env, slack, standin, bolt, kind="meeting", visited_on="2026-11-18", satisfaction="5")
    log_order(env, slack, standin, bolt, amount="128000", ordered_on="2026-11-03")

    corrected, yardstick = facts(env, acme), facts(env, bolt)
    assert corrected == yardstick
    assert corrected["last_visit_on"] == date(2026, 11, 18)
    assert corrected["recycle_clock_from"] == datetime(2026, 11, 17, 16, 0, tzinfo=UTC), (
        "the clock runs from the start of Nov 18 in Shanghai, not from the visit that never was on Nov 22"
    )
    assert (corrected["orders"], corrected["revenue"]) == (1, 12_800_000)


def test_deleting_the_only_order_makes_a_prospect_again(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    order = log_order(env, slack, standin, acme, amount="900")
    assert stored(env, acme).stage == "new"

    assert delete(slack, standin, REP, f"order:{order.id}", "a quote, not an order") == {
        "response_action": "clear"
    }

    after = stored(env, acme)
    assert (after.dealt_at, after.order_count, after.first_order_on, after.stage) == (
        None,
        0,
        None,
        "prospect",
    )
    kept = changes(env, acme)
    assert [(record, field, reason) for record, field, _, _, reason in kept] == [
        (f"order:{order.id}", "deleted", "a quote, not an order")
    ]
    assert '"amount_minor": 90000' in kept[0][2], "the deleted order is kept whole in the history"


def test_the_card_shows_each_correction_and_delete_in_its_history(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    visit = log_visit(env, slack, standin, acme, kind="call", note="Talked renewal")
    order = log_order(env, slack, standin, acme, amount="12800", product="dyed yarn")
    correct(slack, standin, REP, f"visit:{visit.id}", {"kind": "meeting"})
    correct(slack, standin, REP, f"order:{order.id}", {"amount": "128000"})
    delete(slack, standin, REP, f"visit:{visit.id}", "wrong customer")

    card = slack.command(REP, "/customer", "Acme Trading").text
    assert f"<@{REP}> corrected a visit: the type from “call” to “meeting”" in card
    assert f"<@{REP}> corrected an order: the amount from “CN¥12,800.00” to “CN¥128,000.00”" in card
    assert f"<@{REP}> deleted the visit of Nov 23, 2026 (meeting) — “wrong customer”" in card
    assert "Talked renewal" not in card, "the deleted visit left the recent visits"


def test_the_author_may_correct_for_7_days_the_manager_and_admins_always(env, slack, standin, clock):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    visit = log_visit(env, slack, standin, acme)
    record = f"visit:{visit.id}"
    assert menus_on_card(slack, REP, "Acme Trading") == [f"correct:{record}", f"delete:{record}"]
    assert menus_on_card(slack, OTHER_REP, "Acme Trading") == []

    clock.set(NOW + timedelta(days=8))
    assert menus_on_card(slack, REP, "Acme Trading") == [], "a week later, the author no longer may"
    seen = standin.count("views.open")
    choose(slack, REP, f"correct:{record}")  # an old card's menu
    refused = standin.wait_for_response(f"btn-{REP}")[-1]
    assert "Only its author (for 7 days), the owner's manager and admins can correct this visit." in str(
        refused
    )
    assert standin.count("views.open") == seen, "refused before the form opens"

    assert correct(slack, standin, MANAGER, record, {"note": "Met at their office"}) == {
        "response_action": "clear"
    }
    assert correct(slack, standin, ADMIN, record, {"satisfaction": "3"}) == {"response_action": "clear"}
    assert [field for _, field, *_ in changes(env, acme)] == ["note", "satisfaction"]


def test_another_reps_forged_menu_choice_and_a_deleted_records_menu_change_nothing(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    order = log_order(env, slack, standin, acme, amount="900")
    record = f"order:{order.id}"
    choose(slack, OTHER_REP, f"delete:{record}")
    assert "can correct this order" in str(standin.wait_for_response(f"btn-{OTHER_REP}")[-1])

    form = open_form(slack, standin, REP, f"correct:{record}")
    delete(slack, standin, REP, record, "typed on the wrong customer")
    stale = slack.submit(REP, form, {"amount": "1000"}).json
    assert stale["response_action"] == "errors"
    assert "That order no longer exists" in str(stale["errors"])
    assert "Customer Acme Trading" in str(standin.wait_for_response(f"btn-{REP}", 1)[-1]), (
        "the card after the delete"
    )
    choose(slack, REP, f"correct:{record}")
    assert "That order no longer exists" in str(standin.wait_for_response(f"btn-{REP}", 2)[-1])
    assert [field for _, field, *_ in changes(env, acme)] == ["deleted"]


def test_two_people_correcting_at_once_the_second_is_told_and_nothing_is_lost(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    order = log_order(env, slack, standin, acme, amount="12800")
    first = open_form(slack, standin, REP, f"correct:order:{order.id}")
    second = open_form(slack, standin, MANAGER, f"correct:order:{order.id}")
    assert slack.submit(REP, first, {"amount": "128000"}).json == {"response_action": "clear"}

    late = slack.submit(MANAGER, second, {"amount": "12900"}).json

    assert late["response_action"] == "errors"
    assert "Someone changed this record while you were correcting it" in str(late["errors"])
    assert latest(env, Order).amount_minor == 12_800_000


def test_bad_input_is_flagged_at_once_and_changes_nothing(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    order = log_order(env, slack, standin, acme, amount="900")
    form = open_form(slack, standin, REP, f"correct:order:{order.id}")
    refused = slack.submit(
        REP, form, {"amount": "lots", "ordered_on": "2027-01-05", "product": "x" * 201}
    ).json
    assert set(refused["errors"]) == {"amount", "ordered_on", "product"}

    removal = open_form(slack, standin, REP, f"delete:order:{order.id}")
    assert "reason" in slack.submit(REP, removal, {"reason": "   "}).json["errors"]
    assert "too long" in str(slack.submit(REP, removal, {"reason": "x" * 301}).json["errors"])
    assert changes(env, acme) == []
    assert latest(env, Order).amount_minor == 90_000
    assert slack.submit(REP, form, {}).json == {"response_action": "clear"}, (
        "nothing changed: nothing written"
    )
    assert changes(env, acme) == []


def test_a_reason_that_would_ping_is_kept_as_typed_and_shown_harmless(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    visit = log_visit(env, slack, standin, acme)
    delete(slack, standin, REP, f"visit:{visit.id}", "<!channel> & <@U0LI>")
    assert changes(env, acme)[0][4] == "<!channel> & <@U0LI>"
    card = slack.command(REP, "/customer", "Acme Trading").text
    assert "<!channel>" not in card
    assert "“&lt;!channel&gt; &amp; &lt;@U0LI&gt;”" in card


def test_in_chinese_the_forms_and_the_history_read_as_written(env, slack, standin):
    slack.command(CHINESE_REP, "/crm", "help")  # Wang reaches the bot once: the person is known
    acme = builders.customer(env, "上海华东贸易有限公司", owner=CHINESE_REP)
    order = log_order(env, slack, standin, acme, user=CHINESE_REP, amount="12800")
    form = open_form(slack, standin, CHINESE_REP, f"correct:order:{order.id}")
    assert form["title"]["text"] == "更正订单"
    slack.submit(CHINESE_REP, form, {"amount": "128000"})
    card = slack.command(CHINESE_REP, "/customer", "上海华东贸易有限公司").text
    assert f"<@{CHINESE_REP}> 更正了一笔订单：金额从“¥12,800.00”改为“¥128,000.00”" in card
