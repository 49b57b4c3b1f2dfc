"""The edge: every request Slack may send is answered 2xx within 3 seconds, and the web entry reads
nothing it should not (an oversized body is refused unread, an unsigned one is never parsed, a signed
one that cannot be parsed gets a 400 with a reference, not a traceback).

The event and interaction samples follow the shapes Slack's own SDKs test with (bolt-python's
tests/scenario_tests: events, token revocations, view_closed, shortcuts, block_suggestion)."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
import slack_bolt.request.request as bolt_request

from bot.playground.requests import FORM, SlackRequests, Transport, sign
from bot.web import MAX_BODY_BYTES, wsgi_app
from tests.conftest import REP, SIGNING_SECRET

ACK_DEADLINE = 3.0  # Slack gives up after 3 seconds (and retries an event)
JSON = "application/json"


# -- Calling the WSGI application directly ---------------------------------------------------------


class Stream(io.RawIOBase):
    """A request body of `size` bytes made on demand, which counts what was read and refuses to be
    read past `allowed` bytes (so a test sees a body read that should not have been)."""

    def __init__(self, size: int, allowed: int) -> None:
        self.size = size
        self.allowed = allowed
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self.size - self.given)
        if self.given + wanted > self.allowed:
            raise AssertionError(f"the body was read past {self.allowed} bytes")
        buffer[:wanted] = b"x" * wanted
        self.given += wanted
        return wanted


def environ(
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    method: str = "POST",
    path: str = "/slack/events",
    stream: io.RawIOBase | None = None,
    content_length: str | None = "",
) -> dict[str, Any]:
    """A WSGI environ as a server builds it; `content_length=None` leaves CONTENT_LENGTH out."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": stream if stream is not None else io.BytesIO(body),
    }
    if content_length is not None:
        env["CONTENT_LENGTH"] = content_length or str(len(body))
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        env[key if key in {"CONTENT_TYPE", "CONTENT_LENGTH"} else f"HTTP_{key}"] = value
    setup_testing_defaults(env)
    return env


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = int(status.split()[0])
        self.headers = {name.lower(): value for name, value in headers}
        self.body = body


def call(application: Callable[..., Iterable[bytes]], env: dict[str, Any], *, lint: bool = True) -> Answer:
    """`application` called as a server calls it (checked against PEP 3333 unless `lint` is off: the
    checker itself refuses an environ no server would build, such as a malformed Content-Length)."""
    started: list[Any] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        del exc_info
        started[:] = [status, headers]
        return lambda data: None

    result = (validator(application) if lint else application)(env, start_response)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return Answer(started[0], started[1], body)


@pytest.fixture
def web(app: Any) -> Callable[..., Iterable[bytes]]:
    return wsgi_app(app)


def over_wsgi(application: Callable[..., Iterable[bytes]]) -> Transport:
    def send(body: str, headers: dict[str, str]) -> tuple[int, str]:
        answer = call(application, environ(body.encode(), headers))
        return answer.status, answer.body.decode()

    return send


@pytest.fixture(params=["app.dispatch", "web"])
def edge(request: pytest.FixtureRequest, app: Any, slack: SlackRequests) -> Iterator[SlackRequests]:
    """Signed requests into the app's own dispatch (the listeners answer, not the web entry's net),
    and through the whole web entry."""
    if request.param == "app.dispatch":
        yield slack
    else:
        yield SlackRequests(secret=SIGNING_SECRET, standin=slack.standin, transport=over_wsgi(wsgi_app(app)))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every body Bolt parsed (BoltRequest looks its parser up in its own module)."""
    seen: list[str] = []
    original = bolt_request.parse_body  # type: ignore[attr-defined]  # Bolt keeps it unexported

    def counting(body: str, content_type: str | None) -> dict[str, Any]:
        seen.append(body[:40])
        return original(body, content_type)

    monkeypatch.setattr(bolt_request, "parse_body", counting)
    return seen


# -- Samples -----------------------------------------------------------------------------------------


def envelope(team_id: str, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "token": "verification_token",
        "team_id": team_id,
        "api_app_id": "A0TIDE",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{time.monotonic_ns()}",
        "event_time": 1599616881,
        "authorizations": [{"team_id": team_id, "user_id": "U0BOT", "is_bot": True}],
    }


EVENTS: dict[str, dict[str, Any]] = {
    "app_uninstalled": {"type": "app_uninstalled"},
    "tokens_revoked": {"type": "tokens_revoked", "tokens": {"oauth": ["U0ADMIN"], "bot": ["U0BOT"]}},
    "team_access_revoked": {"type": "team_access_revoked", "team_ids": ["T0OTHER"], "event_ts": "1.0"},
    "team_access_granted": {"type": "team_access_granted", "team_ids": ["T0OTHER"], "event_ts": "1.0"},
    "member_joined_channel": {
        "type": "member_joined_channel",
        "user": REP,
        "channel": "C0SALES",
        "channel_type": "C",
        "team": "T0TIDE",
        "inviter": "U0ADMIN",
    },
    "member_joined_channel (the bot)": {
        "type": "member_joined_channel",
        "user": "U0BOT",
        "channel": "C0SALES",
        "channel_type": "C",
        "team": "T0TIDE",
    },
    "member_left_channel": {
        "type": "member_left_channel",
        "user": REP,
        "channel": "C0SALES",
        "channel_type": "C",
        "team": "T0TIDE",
    },
    "reaction_added": {
        "type": "reaction_added",
        "user": REP,
        "item": {"type": "message", "channel": "C0SALES", "ts": "1599529504.000400"},
        "reaction": "heart_eyes",
        "item_user": "U0LI",
        "event_ts": "1599616881.000800",
    },
    "message": {
        "client_msg_id": "9cbd4c5b-7ddf-4ede-b479-ad21fca66d63",
        "type": "message",
        "text": "anyone seen the Acme quote?",
        "user": REP,
        "ts": "1595926230.009600",
        "team": "T0TIDE",
        "channel": "C0SALES",
        "event_ts": "1595926230.009600",
        "channel_type": "channel",
    },
    "message (a direct message)": {
        "type": "message",
        "text": "help",
        "user": REP,
        "ts": "1595926230.009700",
        "channel": "D0HOME",
        "event_ts": "1595926230.009700",
        "channel_type": "im",
    },
    "message (the bot's own)": {
        "type": "message",
        "subtype": "bot_message",
        "text": "Visit logged",
        "bot_id": "B0BOT",
        "ts": "1595926230.009800",
        "channel": "C0SALES",
        "event_ts": "1595926230.009800",
        "channel_type": "channel",
    },
    "message_changed": {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "message": {"type": "message", "text": "edited", "user": REP, "ts": "1.1", "edited": {"user": REP}},
        "previous_message": {"type": "message", "text": "before", "user": REP, "ts": "1.1"},
        "channel": "C0SALES",
        "ts": "1.2",
        "event_ts": "1.2",
        "channel_type": "channel",
    },
    "message_deleted": {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "deleted_ts": "1.1",
        "previous_message": {"type": "message", "text": "gone", "user": REP, "ts": "1.1"},
        "channel": "C0SALES",
        "ts": "1.3",
        "event_ts": "1.3",
        "channel_type": "channel",
    },
    "message (file_share)": {
        "type": "message",
        "subtype": "file_share",
        "text": "the price list",
        "files": [{"id": "F0PRICES", "name": "prices.pdf", "mimetype": "application/pdf"}],
        "user": REP,
        "upload": False,
        "ts": "1.4",
        "channel": "C0SALES",
        "event_ts": "1.4",
        "channel_type": "channel",
    },
    "message (thread_broadcast)": {
        "type": "message",
        "subtype": "thread_broadcast",
        "text": "also in the channel",
        "user": REP,
        "thread_ts": "1.0",
        "root": {"type": "message", "text": "root", "user": REP, "ts": "1.0"},
        "ts": "1.5",
        "channel": "C0SALES",
        "event_ts": "1.5",
        "channel_type": "channel",
    },
    "app_mention": {
        "client_msg_id": "9cbd4c5b-7ddf-4ede-b479-ad21fca66d64",
        "type": "app_mention",
        "text": "<@U0BOT> Hi there!",
        "user": REP,
        "ts": "1595926230.009900",
        "team": "T0TIDE",
        "channel": "C0SALES",
        "event_ts": "1595926230.009900",
    },
    "channel_created": {
        "type": "channel_created",
        "channel": {"id": "C0NEW", "name": "new-deals", "created": 1360782804, "creator": REP},
    },
    "channel_rename": {"type": "channel_rename", "channel": {"id": "C0SALES", "name": "deals", "created": 1}},
    "emoji_changed": {"type": "emoji_changed", "subtype": "add", "name": "tide", "value": "https://x/y.png"},
    "app_home_opened (messages tab)": {
        "type": "app_home_opened",
        "user": REP,
        "channel": "D0HOME",
        "tab": "messages",
        "event_ts": "1.6",
    },
}


def view(callback_id: str) -> dict[str, Any]:
    """A modal as Slack echoes it back (bolt-python's view_closed sample, with our ids)."""
    return {
        "id": "V0GONE",
        "team_id": "T0TIDE",
        "type": "modal",
        "blocks": [
            {
                "type": "input",
                "block_id": "hspI",
                "label": {"type": "plain_text", "text": "Label"},
                "optional": False,
                "element": {"type": "plain_text_input", "action_id": "maBWU"},
            }
        ],
        "private_metadata": "",
        "callback_id": callback_id,
        "state": {"values": {"hspI": {"maBWU": {"type": "plain_text_input", "value": "typed"}}}},
        "hash": "1596530361.3wRYuk3R",
        "title": {"type": "plain_text", "text": "Old form"},
        "clear_on_close": False,
        "notify_on_close": True,
        "close": {"type": "plain_text", "text": "Cancel"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "previous_view_id": None,
        "root_view_id": "V0GONE",
        "app_id": "A0TIDE",
        "external_id": "",
        "app_installed_team_id": "T0TIDE",
        "bot_id": "B0BOT",
    }


def interaction(slack: SlackRequests, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "team": {"id": slack.team_id, "domain": "tide"},
        "user": {"id": REP, "username": "mei", "name": "mei", "team_id": slack.team_id},
        "api_app_id": "A0TIDE",
        "token": "verification_token",
        "is_enterprise_install": False,
        "enterprise": None,
        **fields,
    }


def interactions(slack: SlackRequests) -> dict[str, dict[str, Any]]:
    return {
        "view_closed": interaction(slack, "view_closed", view=view("customer.new"), is_cleared=False),
        "view_closed (unknown callback)": interaction(
            slack, "view_closed", view=view("gone"), is_cleared=True
        ),
        "view_submission (unknown callback)": interaction(
            slack, "view_submission", trigger_id="t.1", view=view("gone.form"), response_urls=[]
        ),
        "block_suggestion (unknown action)": interaction(
            slack,
            "block_suggestion",
            action_id="gone.picker",
            block_id="b",
            value="Ac",
            container={"type": "view", "view_id": "V0GONE"},
            view=view("gone.form"),
        ),
        "block_actions (unknown action, in a modal)": interaction(
            slack,
            "block_actions",
            trigger_id="t.2",
            container={"type": "view", "view_id": "V0GONE"},
            view=view("gone.form"),
            actions=[{"action_id": "gone.button", "block_id": "b", "type": "button", "action_ts": "1"}],
        ),
        "block_actions (unknown select, on a message)": interaction(
            slack,
            "block_actions",
            trigger_id="t.3",
            container={
                "type": "message",
                "message_ts": "1.0",
                "channel_id": "C0SALES",
                "is_ephemeral": False,
            },
            channel={"id": "C0SALES", "name": "sales"},
            message={"type": "message", "ts": "1.0", "user": "U0BOT", "text": "old card"},
            response_url=slack.standin.response_url("edge"),
            state={"values": {}},
            actions=[
                {
                    "action_id": "gone.select",
                    "block_id": "b",
                    "type": "static_select",
                    "selected_option": {"text": {"type": "plain_text", "text": "A"}, "value": "a"},
                    "action_ts": "1",
                }
            ],
        ),
        "global shortcut (unknown)": interaction(
            slack, "shortcut", callback_id="gone.shortcut", trigger_id="t.4", action_ts="1"
        ),
        "message shortcut (unknown)": interaction(
            slack,
            "message_action",
            callback_id="gone.message.shortcut",
            trigger_id="t.5",
            action_ts="1",
            message_ts="1.0",
            channel={"id": "C0SALES", "name": "sales"},
            message={"type": "message", "text": "hello", "user": "U0LI", "ts": "1.0"},
            response_url=slack.standin.response_url("edge-shortcut"),
        ),
    }


def timed(send: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    answer = send()
    return answer, time.monotonic() - started


def send_event(slack: SlackRequests, event: dict[str, Any], **headers: str) -> Any:
    body = json.dumps(envelope(slack.team_id, event))
    return slack.send_raw(body, JSON, headers={**sign(SIGNING_SECRET, body), **headers})


# -- Every event and interaction is acknowledged ------------------------------------------------------


@pytest.mark.parametrize("name", EVENTS)
def test_every_event_is_acknowledged_in_time(edge: SlackRequests, name: str) -> None:
    reply, seconds = timed(lambda: send_event(edge, EVENTS[name]))
    assert reply.status == 200, (name, reply.raw)
    assert seconds < ACK_DEADLINE


@pytest.mark.parametrize(
    "name",
    [
        "view_closed",
        "view_closed (unknown callback)",
        "view_submission (unknown callback)",
        "block_suggestion (unknown action)",
        "block_actions (unknown action, in a modal)",
        "block_actions (unknown select, on a message)",
        "global shortcut (unknown)",
        "message shortcut (unknown)",
    ],
)
def test_every_interaction_without_a_listener_is_acknowledged_in_time(edge: SlackRequests, name: str) -> None:
    reply, seconds = timed(lambda: edge.interactive(interactions(edge)[name]))
    assert reply.status == 200, (name, reply.raw)
    assert seconds < ACK_DEADLINE
    assert "errors" not in reply.raw, "an unknown modal closes, with no field errors"


def test_an_unknown_type_ahead_gets_no_options(edge: SlackRequests) -> None:
    reply = edge.interactive(interactions(edge)["block_suggestion (unknown action)"])
    assert reply.status == 200
    assert reply.json == {"options": []}


@pytest.mark.parametrize("number", ["1", "2", "3"])
def test_a_retried_event_is_acknowledged(edge: SlackRequests, number: str) -> None:
    reply = send_event(
        edge,
        EVENTS["reaction_added"],
        **{"x-slack-retry-num": number, "x-slack-retry-reason": "http_timeout"},
    )
    assert reply.status == 200


def test_a_retried_home_opening_is_acknowledged(edge: SlackRequests) -> None:
    event = {"type": "app_home_opened", "user": REP, "channel": "D0HOME", "tab": "home", "event_ts": "1"}
    reply = send_event(edge, event, **{"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"})
    assert reply.status == 200


def test_url_verification_and_ssl_check_still_answer(edge: SlackRequests) -> None:
    challenge = json.dumps({"token": "t", "challenge": "abc123", "type": "url_verification"})
    verified = edge.send_raw(challenge, JSON)
    assert verified.status == 200
    assert "abc123" in verified.raw
    assert edge.send_raw("ssl_check=1&token=t", FORM).status == 200


# -- The web entry: nothing oversized read, nothing unsigned parsed ----------------------------------


def test_health_answers(web: Any) -> None:
    answer = call(web, environ(method="GET", path="/healthz"))
    assert answer.status == 200
    assert answer.body == b"ok"


def test_other_paths_are_not_found(web: Any) -> None:
    assert call(web, environ(method="GET", path="/slack/events")).status == 404
    assert call(web, environ(b"x", method="POST", path="/elsewhere")).status == 404


def test_an_oversized_body_is_refused_without_being_read(web: Any, parses: list[str]) -> None:
    stream = Stream(size=300 * 1024 * 1024, allowed=16)
    answer = call(web, environ(stream=stream, content_length=str(300 * 1024 * 1024)))
    assert answer.status == 413
    assert stream.given == 0, "not one byte of the body was read"
    assert parses == []


def test_a_body_just_over_the_cap_is_refused_unread(web: Any) -> None:
    stream = Stream(size=MAX_BODY_BYTES + 1, allowed=0)
    answer = call(web, environ(stream=stream, content_length=str(MAX_BODY_BYTES + 1)))
    assert answer.status == 413
    assert stream.given == 0


def test_an_oversized_chunked_body_is_refused_after_reading_just_past_the_cap(
    web: Any, parses: list[str]
) -> None:
    stream = Stream(size=300 * 1024 * 1024, allowed=MAX_BODY_BYTES + 1)
    headers = {"transfer-encoding": "chunked", "content-type": FORM}
    answer = call(web, environ(headers=headers, stream=stream, content_length=None))
    assert answer.status == 413
    assert stream.given <= MAX_BODY_BYTES + 1
    assert parses == []


def test_a_chunked_signed_request_within_the_cap_is_served(web: Any, slack: SlackRequests) -> None:
    body = slack.command_body(REP, "/crm", "help").encode()
    headers = {"transfer-encoding": "chunked", "content-type": FORM, **sign(SIGNING_SECRET, body.decode())}
    answer = call(web, environ(headers=headers, stream=io.BytesIO(body), content_length=None))  # type: ignore[arg-type]
    assert answer.status == 200
    assert b"/customer" in answer.body


def test_a_malformed_content_length_is_a_bad_request(web: Any, parses: list[str]) -> None:
    for length in ("abc", "-5"):
        answer = call(web, environ(b"{}", {"content-type": JSON}, content_length=length), lint=False)
        assert answer.status == 400
    assert parses == []


@pytest.mark.parametrize(
    "forgery", ["no signature", "wrong signature", "five minutes old", "another secret", "not a timestamp"]
)
def test_an_unsigned_request_is_refused_before_it_is_parsed(
    web: Any, parses: list[str], forgery: str
) -> None:
    body = "payload=" + "[" * 200_000
    headers = {
        "no signature": {},
        "wrong signature": {"x-slack-request-timestamp": str(int(time.time())), "x-slack-signature": "v0=0"},
        "five minutes old": sign(SIGNING_SECRET, body, timestamp=int(time.time()) - 301),
        "another secret": sign("not-the-secret", body),
        "not a timestamp": {"x-slack-request-timestamp": "soon", "x-slack-signature": "v0=0"},
    }[forgery]
    answer = call(web, environ(body.encode(), {"content-type": FORM, **headers}))
    assert answer.status == 401
    assert parses == [], "an unsigned body is never parsed"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=" + "[" * 200_000, FORM),
        ('{"type": "event_callback", "event": ', JSON),
        ("payload=" + quote("{not json"), FORM),
        ("[1, 2, 3]", JSON),
    ],
    ids=["deeply nested payload", "truncated JSON", "payload that is not JSON", "JSON that is not an object"],
)
def test_a_signed_body_that_cannot_be_parsed_is_a_bad_request_with_one_log_line(
    web: Any, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    with caplog.at_level(logging.INFO):
        answer = call(
            web, environ(body.encode(), {"content-type": content_type, **sign(SIGNING_SECRET, body)})
        )
    assert answer.status == 400
    reference = re.search(rb"ref ([0-9a-f]{8})", answer.body)
    assert reference, answer.body
    lines = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(lines) == 1, [record.getMessage() for record in lines]
    assert reference.group(1).decode() in lines[0].getMessage()
    assert lines[0].exc_info is None
    assert "Traceback" not in caplog.text
    assert call(web, environ(method="GET", path="/healthz")).status == 200


def test_a_body_that_is_not_utf8_is_refused_unparsed(web: Any, parses: list[str]) -> None:
    """Slack's bodies are UTF-8, and slack_sdk checks the signature over them as such."""
    body = b"payload=\xff\xfe"
    stamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    headers = {
        "content-type": FORM,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": "v0=" + digest.hexdigest(),
    }
    assert call(web, environ(body, headers)).status == 401
    assert parses == []


def test_a_signed_request_no_listener_takes_is_answered_200_and_logged_once(
    web: Any, slack: SlackRequests, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack's app_rate_limited notice is not an event_callback: no listener can take it. Bolt answers
    404; the web entry answers 200 (Slack counts failures against the app)."""
    body = json.dumps(
        {
            "token": "t",
            "type": "app_rate_limited",
            "team_id": slack.team_id,
            "minute_rate_limited": 1518467820,
            "api_app_id": "A0TIDE",
        }
    )
    headers = {"content-type": JSON, **sign(SIGNING_SECRET, body)}
    assert slack.send_raw(body, JSON).status == 404
    with caplog.at_level(logging.INFO, logger="tidewater.web"):
        answer = call(web, environ(body.encode(), headers))
    assert answer.status == 200
    assert answer.body == b""
    ours = [record for record in caplog.records if record.name == "tidewater.web"]
    assert len(ours) == 1
    assert ours[0].levelno == logging.INFO
    assert "app_rate_limited" in ours[0].getMessage()


def test_a_signed_command_through_the_web_entry_is_answered(web: Any, slack: SlackRequests) -> None:
    body = slack.command_body(REP, "/crm", "help")
    answer = call(web, environ(body.encode(), {"content-type": FORM, **sign(SIGNING_SECRET, body)}))
    assert answer.status == 200
    assert b"/customer" in answer.body
    assert answer.headers["content-length"] == str(len(answer.body))
