"""The edge of the real web process (gunicorn): oversized bodies are refused with 413 before they are
read, a signed body that cannot be parsed is a 400 with a reference in one log line, and events and
requests no listener takes are answered 200 within Slack's 3 seconds."""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.request

from bot.playground.requests import SlackRequests, sign
from bot.web import MAX_BODY_BYTES
from tests.conftest import REP
from tests.e2e.conftest import ACK_DEADLINE, SIGNING_SECRET, WebProcess

FORM = "application/x-www-form-urlencoded"


def raw_post(web: WebProcess, head: str, body: bytes) -> tuple[str, float]:
    """Sends `head` and `body` on a socket of its own; the status line of the answer and its time."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", web.port), timeout=10) as connection:
        connection.sendall(head.encode() + body)
        answer = connection.recv(256).decode("latin-1")
    return answer.split("\r\n", 1)[0], time.monotonic() - started


def healthy(web: WebProcess) -> bool:
    with urllib.request.urlopen(f"{web.base_url}/healthz", timeout=1) as response:
        return bool(response.status == 200)


def test_a_300_mb_content_length_is_refused_at_once(web_process: WebProcess) -> None:
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {300 * 1024 * 1024}\r\n\r\n"
    )
    status, seconds = raw_post(web_process, head, b"{" * 65_536)  # the rest never comes
    assert status.split()[1] == "413", status
    assert seconds < 1.0, "answered without waiting for the body"
    assert healthy(web_process)


def test_a_chunked_body_over_the_cap_is_refused(web_process: WebProcess) -> None:
    size = MAX_BODY_BYTES + 2
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (size, b"{" * size)
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    status, _ = raw_post(web_process, head, chunked)
    assert status.split()[1] == "413", status
    assert healthy(web_process)


def test_a_signed_deeply_nested_payload_is_a_bad_request_logged_once(
    web_process: WebProcess, e2e_slack: SlackRequests
) -> None:
    body = "payload=" + "[" * 200_000
    log_before = len(web_process.log())
    reply = e2e_slack.send_raw(body, FORM, headers=sign(SIGNING_SECRET, body))
    assert reply.status == 400
    reference = re.search(r"ref ([0-9a-f]{8})", reply.raw)
    assert reference, reply.raw
    time.sleep(0.2)  # the log line is written by the worker
    new_log = web_process.log()[log_before:]
    assert [line for line in new_log.splitlines() if reference.group(1) in line and "WARNING" in line]
    assert "Traceback" not in new_log
    assert "RecursionError" in new_log
    assert healthy(web_process)


def test_events_without_a_listener_are_acknowledged_in_time(e2e_slack: SlackRequests) -> None:
    for event in (
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}},
        {"type": "reaction_added", "user": REP, "reaction": "eyes", "item": {"type": "message"}},
        {"type": "message", "user": REP, "text": "hi", "channel": "C0SALES", "ts": "1.0"},
        {"type": "app_mention", "user": REP, "text": "<@U0BOT> hi", "channel": "C0SALES", "ts": "1.1"},
    ):
        body = json.dumps(
            {
                "token": "t",
                "team_id": e2e_slack.team_id,
                "api_app_id": "A0TIDE",
                "event": event,
                "type": "event_callback",
                "event_id": f"Ev{time.monotonic_ns()}",
                "event_time": int(time.time()),
            }
        )
        retry = {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}
        for headers in (sign(SIGNING_SECRET, body), {**sign(SIGNING_SECRET, body), **retry}):
            started = time.monotonic()
            reply = e2e_slack.send_raw(body, "application/json", headers=headers)
            assert reply.status == 200, (event["type"], reply.raw)
            assert time.monotonic() - started < ACK_DEADLINE


def test_a_signed_notice_no_listener_takes_is_answered_200(e2e_slack: SlackRequests) -> None:
    body = json.dumps({"token": "t", "type": "app_rate_limited", "team_id": e2e_slack.team_id})
    reply = e2e_slack.send_raw(body, "application/json")
    assert reply.status == 200
    assert reply.raw == ""
