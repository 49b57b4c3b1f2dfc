"""The real web process over HTTP, as Slack talks to it: signatures, acks, lazy listeners, load.

Each test creates the customers it needs through the real flow, with names of its own (a random token
in each), so the tests do not depend on each other or on an empty database (PostgreSQL is shared with
the main suite). Every signed request's round trip is timed: the autouse fixture in conftest.py fails
any test whose acks took 3 seconds or more, and the tests below also check their own acks.
"""

from __future__ import annotations

import secrets
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.playground.requests import Reply, SlackRequests
from bot.playground.standin import SlackStandIn
from tests.conftest import REP
from tests.e2e.conftest import ACK_DEADLINE, FORGERIES, NEWCOMERS, WebProcess

FORM = "application/x-www-form-urlencoded"
LAZY_GRACE = 0.3  # a lazy listener, had one started, would have called the stand-in by then


def unique(name: str) -> str:
    """`name` with a random word in it: no other customer matches it or any prefix of it."""
    first, _, rest = name.partition(" ")
    return " ".join(part for part in (first, secrets.token_hex(3), rest) if part)


def timed(send: Callable[[], Reply]) -> tuple[Reply, float]:
    started = time.monotonic()
    reply = send()
    return reply, time.monotonic() - started


def open_new_customer_form(slack: SlackRequests, standin: SlackStandIn, user: str = REP) -> dict[str, Any]:
    """`/customer` with no text: an empty ack, then views.open from the lazy listener."""
    opened = standin.count("views.open")
    reply, seconds = timed(lambda: slack.command(user, "/customer"))
    assert reply.status == 200, "the ack is empty: the modal opens lazily"
    assert reply.raw == "", "the ack is empty: the modal opens lazily"
    assert seconds < ACK_DEADLINE
    view: dict[str, Any] = standin.next_call("views.open", after=opened, timeout=10)["view"]
    return view


def wait_for_confirmation(standin: SlackStandIn, text: str, timeout: float = 10.0) -> dict[str, Any]:
    """The post to a response_url that mentions `text` (the lazy twin of a saved form sends it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in standin.calls_to("respond"):
            if text in str(call.args.get("blocks")):
                return call.args
        time.sleep(0.05)
    raise TimeoutError(f"no response_url post mentions {text!r}")


def create_customer(slack: SlackRequests, standin: SlackStandIn, name: str, user: str = REP) -> None:
    """A new customer through /customer → views.open → view_submission, as a person would."""
    view = open_new_customer_form(slack, standin, user)
    reply = slack.submit(user, view, {"name": name})
    assert reply.status == 200, reply.raw
    assert reply.json == {"response_action": "clear"}, reply.raw
    wait_for_confirmation(standin, name)


# -- 1. Requests Slack did not sign: 401, and nothing changes ----------------------------------------


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_crm_help_gets_401_and_reaches_nothing(
    e2e_slack: SlackRequests,
    e2e_standin: SlackStandIn,
    forger: Callable[[str], SlackRequests],
    forgery: str,
) -> None:
    newcomer = NEWCOMERS[FORGERIES.index(forgery)]
    assert newcomer in e2e_standin.users
    calls_before = len(e2e_standin.calls)

    reply = forger(forgery).command(newcomer, "/crm", "help")

    assert reply.status == 401
    assert "/customer" not in reply.raw, "no help for a forged request"
    time.sleep(LAZY_GRACE)
    assert e2e_standin.calls[calls_before:] == [], "a refused request reached Slack"

    # The same request, signed: the bot meets this person for the first time and asks Slack who
    # they are; so had the forged one got through, the stand-in would have seen users.info.
    signed = e2e_slack.command(newcomer, "/crm", "help")
    assert signed.status == 200
    assert "/visit" in signed.text
    assert [call.args.get("user") for call in e2e_standin.calls_to("users.info")].count(newcomer) == 1


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_new_customer_submission_gets_401_and_saves_nothing(
    e2e_slack: SlackRequests,
    e2e_standin: SlackStandIn,
    forger: Callable[[str], SlackRequests],
    forgery: str,
) -> None:
    name = unique("E2E Unsigned Shipping")
    view = open_new_customer_form(e2e_slack, e2e_standin)
    calls_before = len(e2e_standin.calls)

    reply = forger(forgery).submit(REP, view, {"name": name})

    assert reply.status == 401
    assert "response_action" not in reply.raw
    time.sleep(LAZY_GRACE)
    assert e2e_standin.calls[calls_before:] == [], "a refused submission reached Slack"
    search = e2e_slack.command(REP, "/customer", name)
    assert search.status == 200, search.text
    assert "No customer matches" in search.text, search.text

    # The very same submission, signed, is accepted: only the signature was refused.
    saved = e2e_slack.submit(REP, view, {"name": name})
    assert saved.status == 200, saved.raw
    assert saved.json == {"response_action": "clear"}, saved.raw
    wait_for_confirmation(e2e_standin, name)
    assert name in e2e_slack.command(REP, "/customer", name).text


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_visit_gets_401_and_stores_nothing(
    e2e_slack: SlackRequests,
    e2e_standin: SlackStandIn,
    forger: Callable[[str], SlackRequests],
    forgery: str,
) -> None:
    name = unique("E2E Forgery Target")
    create_customer(e2e_slack, e2e_standin, name)
    calls_before = len(e2e_standin.calls)

    reply = forger(forgery).command(REP, "/visit", f"{name}: secret note")

    assert reply.status == 401
    assert "secret note" not in reply.raw
    time.sleep(LAZY_GRACE)
    assert e2e_standin.calls[calls_before:] == [], "a refused request reached Slack"
    card = e2e_slack.command(REP, "/customer", name)
    assert card.status == 200
    assert name in card.text
    assert "secret note" not in card.text, "the refused visit was not stored"


# -- 2-5. Signed requests: answered in the ack, within Slack's 3 seconds ------------------------------


def test_crm_help_answers_in_the_ack(e2e_slack: SlackRequests) -> None:
    reply, seconds = timed(lambda: e2e_slack.command(REP, "/crm", "help"))

    assert reply.status == 200
    assert "/customer" in reply.text
    assert "/visit" in reply.text
    assert "/order" in reply.text
    assert seconds < ACK_DEADLINE


def test_new_customer_modal_opens_lazily_and_the_saved_customer_is_found(
    e2e_slack: SlackRequests, e2e_standin: SlackStandIn
) -> None:
    name = unique("E2E Harbour Trading Ltd")  # "E2E <token> Harbour Trading Ltd"
    view = open_new_customer_form(e2e_slack, e2e_standin)  # checks the empty ack and its time
    assert view["callback_id"] == "customer.new"

    saved, save_seconds = timed(lambda: e2e_slack.submit(REP, view, {"name": name}))
    assert saved.status == 200, saved.raw
    assert saved.json == {"response_action": "clear"}, saved.raw
    assert save_seconds < ACK_DEADLINE
    wait_for_confirmation(e2e_standin, name)

    typed = name.removesuffix(" Trading Ltd")  # the start of the name, as a person types it
    card, search_seconds = timed(lambda: e2e_slack.command(REP, "/customer", typed))
    assert card.status == 200, card.text
    assert name in card.text, card.text
    assert search_seconds < ACK_DEADLINE


def test_one_line_visit_with_the_word_payload_is_logged_in_the_ack(
    e2e_slack: SlackRequests, e2e_standin: SlackStandIn
) -> None:
    name = unique("E2E Payload Partners Ltd")
    create_customer(e2e_slack, e2e_standin, name)
    typed = name.removesuffix(" Ltd")

    reply, seconds = timed(lambda: e2e_slack.command(REP, "/visit", f"{typed}: sent the payload spec"))

    assert reply.status == 200, reply.raw  # Bolt's own parser drops this body: a 404
    assert "Visit logged" in reply.text, reply.text
    assert name in reply.text, reply.text
    assert "sent the payload spec" in reply.text
    assert seconds < ACK_DEADLINE
    assert "sent the payload spec" in e2e_slack.command(REP, "/customer", name).text


def test_a_command_the_bot_does_not_handle_yet_answers_with_help(e2e_slack: SlackRequests) -> None:
    reply, seconds = timed(lambda: e2e_slack.command(REP, "/frobnicate", ""))

    assert reply.status == 200, "never a 404"
    assert "/customer" in reply.text
    assert "/visit" in reply.text
    assert seconds < ACK_DEADLINE


# -- Load ---------------------------------------------------------------------------------------------


def test_twenty_concurrent_customer_searches_all_answer_with_the_card_in_time(
    e2e_slack: SlackRequests, e2e_standin: SlackStandIn
) -> None:
    name = unique("E2E Busy Quay")
    create_customer(e2e_slack, e2e_standin, name)

    def search(_: int) -> tuple[Reply, float]:
        return timed(lambda: e2e_slack.command(REP, "/customer", name))

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(search, range(20)))

    assert [reply.status for reply, _ in results] == [200] * 20
    assert all(name in reply.text for reply, _ in results), [reply.raw[:200] for reply, _ in results]
    assert max(seconds for _, seconds in results) < ACK_DEADLINE


def _requests_counted(web_process: WebProcess, kind: str) -> float:
    with urllib.request.urlopen(f"{web_process.base_url}/metrics", timeout=5) as response:
        text = response.read().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "tidewater_requests_total" and sample.labels.get("kind") == kind
    )


def test_metrics_sum_what_every_web_process_counted(
    web_process: WebProcess, e2e_slack: SlackRequests
) -> None:
    before = _requests_counted(web_process, "/crm")
    for _ in range(8):  # spread over the two gunicorn processes
        assert e2e_slack.command(REP, "/crm", "help").status == 200
    assert _requests_counted(web_process, "/crm") - before == 8
