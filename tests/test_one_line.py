"""One-line commands: `/order Acme: 12800 dyed yarn` (amount, optional currency code, product) with the
form's checks, `/visit Acme: meeting: agreed the renewal` with the visit's type, and `/visit :` or a
one-line order without an amount answered with the usage. Nothing is written when refused."""

from __future__ import annotations

from sqlmodel import col, select

from store.models import Order, Visit
from tests import builders
from tests.conftest import CHINESE_REP, REP


def orders_of(env) -> list[tuple[int, str, str]]:
    with env.db.session() as session:
        rows = session.exec(select(Order).order_by(col(Order.id))).all()
    return [(row.amount_minor, row.currency, row.product) for row in rows]


def visits_of(env) -> list[tuple[str, str]]:
    with env.db.session() as session:
        rows = session.exec(select(Visit).order_by(col(Visit.id))).all()
    return [(row.kind, row.note) for row in rows]


def test_an_order_in_one_line_is_logged_in_the_workspace_currency(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    reply = slack.command(REP, "/order", "Acme: 12,800 dyed yarn")
    assert "Acme Trading" in reply.text
    assert "12,800" in reply.text
    assert orders_of(env) == [(1_280_000, "CNY", "dyed yarn")]
    slack.command(REP, "/order", "Acme: 300 CNY")
    assert orders_of(env)[-1] == (30_000, "CNY", "")


def test_an_order_in_another_currency_asks_for_the_form_and_its_rate(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    reply = slack.command(REP, "/order", "Acme: 5000 usd boxes")
    assert "An order in USD needs its rate: open the form with /order Acme Trading." in reply.text
    assert orders_of(env) == []


def test_a_one_line_order_without_an_amount_gets_the_usage_and_bad_amounts_the_forms_answer(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    assert "/order Acme: 12800 dyed yarn" in slack.command(REP, "/order", "Acme: twelve boxes").text
    assert "/order Acme: 12800 dyed yarn" in slack.command(REP, "/order", ": 12800").text
    assert "No customer matches" in slack.command(REP, "/order", "Zeta: 100 boxes").text
    assert "CNY amounts have at most 2 decimals." in slack.command(REP, "/order", "Acme: 12.345 boxes").text
    assert orders_of(env) == []


def test_a_one_line_order_on_someone_elses_or_a_pool_customer_is_refused(slack, env):
    builders.customer(env, "Pool Partners", owner=None)
    assert "is in the pool" in slack.command(REP, "/order", "Pool Partners: 100 boxes").text
    assert orders_of(env) == []


def test_a_one_line_visit_takes_its_type_before_a_second_colon(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    slack.command(REP, "/visit", "Acme: meeting: agreed the renewal")
    slack.command(REP, "/visit", "Acme: called: left a message")
    assert visits_of(env) == [("meeting", "agreed the renewal"), ("call", "called: left a message")]


def test_in_chinese_the_type_and_full_width_colons(slack, env):
    slack.command(CHINESE_REP, "/crm", "help")
    builders.customer(env, "明辉贸易", owner=CHINESE_REP)
    reply = slack.command(CHINESE_REP, "/visit", "明辉：会议：谈妥续约")
    assert "明辉贸易" in reply.text
    assert visits_of(env) == [("meeting", "谈妥续约")]
    usage = slack.command(CHINESE_REP, "/order", "明辉：一万")
    assert "请依次写客户名称、金额" in usage.text


def test_a_visit_with_nothing_before_the_colon_gets_the_usage(slack, env):
    reply = slack.command(REP, "/visit", ":")
    assert "Name the customer before the colon: /visit Acme: called about the renewal" in reply.text
    assert visits_of(env) == []
