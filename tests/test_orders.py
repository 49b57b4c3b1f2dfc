"""/order through signed requests."""

from tests import builders
from tests.conftest import OTHER_REP, REP


def test_the_first_order_marks_the_customer_as_dealt(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    view = builders.open_form(slack, standin, "/order")
    reply = slack.submit(REP, view, {"customer": str(acme.id), "amount": "1,200.50", "product": "Widgets"})
    assert reply.json == {"response_action": "clear"}
    confirmation = str(standin.last("respond")["blocks"])
    assert "First order" in confirmation
    assert "1,200.50" in confirmation
    card = slack.command(REP, "/customer", "Acme").text
    assert "new" in card
    assert "Widgets" in card
    assert "Orders:* 1" in card

    seen = standin.count("respond")
    slack.submit(REP, view, {"customer": str(acme.id), "amount": "99"})
    assert "First order" not in str(standin.next_call("respond", after=seen)["blocks"])
    assert "Orders:* 2" in slack.command(REP, "/customer", "Acme").text


def test_order_with_a_name_preselects_the_customer(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    view = builders.open_form(slack, standin, "/order", "acme")
    assert view["blocks"][0]["element"]["initial_option"]["value"] == str(acme.id)


def test_bad_amounts_are_refused_in_the_modal_and_nothing_is_written(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    view = builders.open_form(slack, standin, "/order")
    for amount, message in [
        ("-5", "more than zero"),
        ("abc", "must be a number"),
        ("1.234", "at most 2 decimals"),
    ]:
        reply = slack.submit(REP, view, {"customer": str(acme.id), "amount": amount})
        assert reply.json["response_action"] == "errors"
        assert message in reply.json["errors"]["amount"]
    assert "Orders:*" not in slack.command(REP, "/customer", "Acme").text


def test_another_currency_needs_its_rate_and_converts(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    view = builders.open_form(slack, standin, "/order")
    missing = slack.submit(REP, view, {"customer": str(acme.id), "amount": "100", "currency": "USD"})
    assert "how many CNY is one USD" in missing.json["errors"]["rate"]
    slack.submit(REP, view, {"customer": str(acme.id), "amount": "100", "currency": "USD", "rate": "7.1"})
    confirmed = str(standin.last("respond")["blocks"])
    assert "US$100.00 ≈ CN¥710.00" in confirmed, "both amounts, each symbol naming one currency"
    card = slack.command(REP, "/customer", "Acme").text
    assert "¥710.00" in card
    assert "$100.00" in card


def test_a_future_order_date_is_refused(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    view = builders.open_form(slack, standin, "/order")
    reply = slack.submit(REP, view, {"customer": str(acme.id), "amount": "5", "ordered_on": "2027-01-01"})
    assert "ordered_on" in reply.json["errors"]


def test_a_rep_cannot_log_an_order_for_someone_elses_customer(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=OTHER_REP)
    view = builders.open_form(slack, standin, "/order")
    reply = slack.submit(REP, view, {"customer": str(acme.id), "amount": "5"})
    assert "belongs to someone else" in reply.json["errors"]["customer"]
