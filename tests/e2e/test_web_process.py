"""The real web process over HTTP, as Slack talks to it: signatures, acks, lazy listeners, load.

Each test creates the customers it needs through the real flow, with names of its own, so the tests
do not depend on each other or on an empty database (PostgreSQL is shared with the main suite).
"""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.playground.requests import Reply, SlackRequests, sign
from bot.playground.standin import SlackStandIn
from tests.conftest import REP
from tests.e2e.conftest import SIGNING_SECRET

FORM = "application/x-www-form-urlencoded"


def unique(name: str) -> str:
    return f"{name} {secrets.token_hex(3)}"


def open_new_customer_form(slack: SlackRequests, standin: SlackStandIn, user: str = REP) -> dict[str, Any]:
    opened = standin.count("views.open")
    reply = slack.command(user, "/customer")
    assert reply.status == 200 and reply.raw == "", "the ack is empty: the modal opens lazily"
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
    assert reply.status == 200 and reply.json == {"response_action": "clear"}, reply.raw
    wait_for_confirmation(standin, name)


@pytest.mark.parametrize(
    "forgery",
    ["no signature", "wrong signature", "five minutes old"],
)
def test_unsigned_requests_get_401_and_change_nothing(
    e2e_slack: SlackRequests, e2e_standin: SlackStandIn, forgery: str
) -> None:
    name = unique("E2E Forgery Target")
    create_customer(e2e_slack, e2e_standin, name)
    body = e2e_slack.command_body(REP, "/visit", f"{name}: secret note")
    headers = {
        "no signature": {},
        "wrong signature": {
            "x-slack-request-timestamp": str(int(time.time())),
            "x-slack-signature": "v0=" + "0" * 64,
        },
        "five minutes old": sign(SIGNING_SECRET, body, timestamp=int(time.time()) - 301),
    }[forgery]
    calls_before = len(e2e_standin.calls)

    reply = e2e_slack.send_raw(body, FORM, headers=headers)

    assert reply.status == 401
    assert "secret note" not in reply.raw
    time.sleep(0.5)  # a lazy listener, had one started, would have called Slack by now
    assert e2e_standin.calls[calls_before:] == [], "a refused request reached Slack"
    card = e2e_slack.command(REP, "/customer", name)
    assert card.status == 200 and name in card.text
    assert "secret note" not in card.text, "the refused visit was not stored"
    assert "Recent visits" not in card.text


def test_crm_help_answers_in_the_ack(e2e_slack: SlackRequests) -> None:
    reply = e2e_slack.command(REP, "/crm", "help")
    assert reply.status == 200
    assert "/customer" in reply.text and "/visit" in reply.text


def test_new_customer_modal_opens_lazily_and_the_saved_customer_is_found(
    e2e_slack: SlackRequests, e2e_standin: SlackStandIn
) -> None:
    name = unique("E2E Harbour Trading")
    view = open_new_customer_form(e2e_slack, e2e_standin)
    assert view["callback_id"] == "customer.new"

    saved = e2e_slack.submit(REP, view, {"name": name})
    assert saved.status == 200 and saved.json == {"response_action": "clear"}
    wait_for_confirmation(e2e_standin, name)

    card = e2e_slack.command(REP, "/customer", name)
    assert card.status == 200 and name in card.text


def test_one_line_visit_with_the_word_payload_is_logged_in_the_ack(
    e2e_slack: SlackRequests, e2e_standin: SlackStandIn
) -> None:
    name = unique("E2E Payload Partners")
    create_customer(e2e_slack, e2e_standin, name)

    reply = e2e_slack.command(REP, "/visit", f"{name}: sent the payload spec")

    assert reply.status == 200, reply.raw
    assert "Visit logged" in reply.text and "sent the payload spec" in reply.text
    assert "sent the payload spec" in e2e_slack.command(REP, "/customer", name).text


def test_a_command_the_bot_does_not_handle_yet_answers_with_help(e2e_slack: SlackRequests) -> None:
    reply = e2e_slack.command(REP, "/pool", "")
    assert reply.status == 200, "never a 404"
    assert "/customer" in reply.text


def test_twenty_concurrent_customer_searches_all_answer_with_the_card(
    e2e_slack: SlackRequests, e2e_standin: SlackStandIn
) -> None:
    name = unique("E2E Busy Harbour")
    create_customer(e2e_slack, e2e_standin, name)

    def search(_: int) -> Reply:
        return e2e_slack.command(REP, "/customer", name)

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(search, range(20)))

    assert [reply.status for reply in replies] == [200] * 20
    assert all(name in reply.text for reply in replies), [r.raw[:200] for r in replies]
