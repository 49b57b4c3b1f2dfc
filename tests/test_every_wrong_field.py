"""A refused form flags every wrong field at once, each under its own input, in the person's language;
nothing is written."""

from __future__ import annotations

from sqlmodel import select

from store.models import Customer, Order, Visit
from tests import builders
from tests.conftest import CHINESE_REP, REP


def by_field(errors: dict[str, str]) -> dict[str, str]:
    """Errors by field: a form's block ids may carry a version ("next_follow_up.0")."""
    return {block_id.split(".")[0]: text for block_id, text in errors.items()}


def test_the_new_customer_form_flags_each_wrong_field(slack, standin, env):
    view = builders.open_form(slack, standin, "/customer")
    answer = slack.submit(REP, view, {"name": "  ", "email": "not an address", "region": "x" * 61}).json
    assert answer["response_action"] == "errors"
    errors = by_field(answer["errors"])
    assert set(errors) == {"name", "email", "region"}
    assert "Give the customer a name" in errors["name"]
    assert "e-mail address" in errors["email"]
    assert "at most 60 characters" in errors["region"]
    with env.db.session() as session:
        assert session.exec(select(Customer)).all() == []


def test_the_visit_form_flags_a_future_day_and_a_wrong_rating_together(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    view = builders.open_form(slack, standin, "/visit")
    values = {
        "customer": str(acme.id),
        "visited_on": "2027-01-05",
        "satisfaction": "9",
        "next_follow_up": "2020-01-01",
    }
    errors = by_field(slack.submit(REP, view, values).json["errors"])
    assert {"visited_on", "next_follow_up"} <= set(errors)
    assert "in the future" in errors["visited_on"]
    assert "in the past" in errors["next_follow_up"]
    with env.db.session() as session:
        assert session.exec(select(Visit)).all() == []


def test_the_order_form_flags_the_amount_and_the_day_together_in_chinese(slack, standin, env):
    slack.command(CHINESE_REP, "/crm", "help")
    acme = builders.customer(env, "上海华东贸易有限公司", owner=CHINESE_REP)
    view = builders.open_form(slack, standin, "/order", user=CHINESE_REP)
    values = {"customer": str(acme.id), "amount": "twelve", "ordered_on": "2027-01-05"}
    errors = by_field(slack.submit(CHINESE_REP, view, values).json["errors"])
    assert set(errors) == {"amount", "ordered_on"}
    assert all("。" in text or "：" in text or "，" in text for text in errors.values()), errors
    with env.db.session() as session:
        assert session.exec(select(Order)).all() == []
