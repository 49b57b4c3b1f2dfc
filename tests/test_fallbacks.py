"""Nothing Slack sends gets a 404 or an error page: unknown buttons, shortcuts and commands are answered."""

import logging

from tests.conftest import REP


def test_an_unknown_button_is_acknowledged(slack):
    assert slack.button(REP, "some.old.button", "1").status == 200


def test_an_unknown_message_shortcut_is_acknowledged(slack):
    assert slack.message_shortcut(REP, "gone.shortcut", "hello").status == 200


def test_an_unhandled_command_answers_with_help(slack):
    for command in ("/frobnicate",):
        reply = slack.command(REP, command, "Acme")
        assert reply.status == 200, command
        assert "/customer" in reply.text, command


def test_a_failing_lazy_listener_logs_the_reference_it_gives_the_user(slack, standin, caplog):
    standin.fail_next("views.open", status=500, times=1)
    with caplog.at_level(logging.ERROR, logger="tidewater.handlers"):
        slack.command(REP, "/customer")
        told = str(standin.last("respond")["blocks"])
    reference = told.rsplit("reference: ", 1)[1][:8]
    assert any(reference in record.getMessage() for record in caplog.records)


def test_a_rate_limited_slack_call_is_retried_after_retry_after(slack, standin):
    standin.fail_next("views.open", status=429, retry_after=0, times=1)
    slack.command(REP, "/customer")
    opened = standin.wait_for("views.open", 2)
    assert [call.status for call in opened] == [429, 200]
    assert standin.calls_to("respond") == [], "the person is not told about a hiccup that healed"


def test_an_expired_response_url_falls_back_to_a_direct_message(slack, standin):
    standin.fail_next("respond", status=404, retry_after=None, times=1)
    standin.fail_next("views.open", status=500, times=1)
    slack.command(REP, "/customer")
    message = standin.last("chat.postMessage")
    assert message["channel"] == REP
    assert "Something went wrong on our side" in str(message["blocks"])
