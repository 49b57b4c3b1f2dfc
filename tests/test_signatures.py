"""Requests that Slack did not sign are refused with 401 and change nothing."""

import time

import pytest

from bot.playground.requests import sign
from tests import builders
from tests.conftest import REP, SIGNING_SECRET


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-slack-request-timestamp": str(int(time.time())), "x-slack-signature": "v0=" + "0" * 64},
        "stale",
        "other-secret",
    ],
    ids=["no signature", "wrong signature", "five minutes old", "signed with another secret"],
)
def test_unsigned_requests_get_401_and_write_nothing(slack, standin, env, headers):
    builders.customer(env, "Acme Trading", owner=REP)
    body = slack.command_body(REP, "/visit", "Acme: should never be stored")
    if headers == "stale":
        headers = sign(SIGNING_SECRET, body, timestamp=int(time.time()) - 301)
    elif headers == "other-secret":
        headers = sign("not-the-secret", body)
    reply = slack.send_raw(body, "application/x-www-form-urlencoded", headers=headers)
    assert reply.status == 401
    assert "should never be stored" not in slack.command(REP, "/customer", "Acme").text
    assert standin.calls_to("respond") == []


def test_a_correctly_signed_request_is_accepted(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    body = slack.command_body(REP, "/visit", "Acme: stored")
    reply = slack.send_raw(body, "application/x-www-form-urlencoded", headers=sign(SIGNING_SECRET, body))
    assert reply.status == 200
    assert "Visit logged" in reply.text
