"""The WSGI entry for gunicorn: Slack's requests on /slack/events, /healthz (alive) and /readyz (able to
work: bot/health.py says what is checked; 503 with the reasons when not).

Slack's requests are read with care, in this order: a body over MAX_BODY_BYTES is refused with 413
(unread when its Content-Length says so, after MAX_BODY_BYTES + 1 bytes when it is chunked); the
signature is checked on the raw bytes (401, nothing parsed); only then does Bolt parse the body (a
signed body that cannot be parsed is a 400 with a reference id in one log line). A signed request no
listener takes is answered 200, never Bolt's 404: Slack counts a 404 as a failure. Anything else
(other paths, Bolt's OAuth pages when installed that way) goes to Bolt's own WSGI adapter.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_sdk.signature import SignatureVerifier

from bot import health, logs, metrics
from bot.app import build_app
from bot.config import Settings
from bot.health import Readiness
from bot.startup import settle
from store.db import Database

MAX_BODY_BYTES = 1_048_576  # Slack's own payloads are far smaller
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
READ_CHUNK = 65_536

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

log = logging.getLogger("tidewater.web")


class Refused(Exception):
    """A request answered before Bolt sees it."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.response = WsgiHttpResponse(status, {"content-type": ["text/plain; charset=utf-8"]}, text)


def wsgi_app(
    app: App,
    *,
    signing_secret: str | None = None,
    ready: Callable[[], Readiness] | None = None,
    measured: Callable[[], bytes] | None = None,
) -> WsgiApp:
    """`app` behind the edge; the signing secret is the app's own unless given; `ready` answers /readyz
    and `measured` /metrics."""
    verifier = SignatureVerifier(signing_secret or app._signing_secret)  # Bolt keeps no public copy
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH:
            return answer(start_response, WsgiHttpResponse(200, {"content-type": ["text/plain"]}, "ok"))
        if path == READY_PATH and ready is not None:
            return answer(start_response, readiness_response(ready()))
        if path == METRICS_PATH and measured is not None:
            return answer(
                start_response,
                WsgiHttpResponse(200, {"content-type": [metrics.CONTENT_TYPE]}, measured().decode()),
            )
        try:
            if method == "POST" and path == EVENTS_PATH:
                return answer(start_response, slack_request(app, verifier, environ))
            declared_length(environ)  # Bolt's adapter (OAuth pages, 404s) reads what it is told is there
        except Refused as refused:
            return answer(start_response, refused.response)
        return bolt(environ, start_response)

    return application


def readiness_response(readiness: Readiness) -> WsgiHttpResponse:
    """200 "ready", or 503 with what stands in the way, one reason a line."""
    text = "ready" if readiness.ready else "\n".join(readiness.problems)
    return WsgiHttpResponse(
        200 if readiness.ready else 503, {"content-type": ["text/plain; charset=utf-8"]}, text
    )


def answer(start_response: Callable[..., Any], response: WsgiHttpResponse) -> Iterable[bytes]:
    start_response(response.status, response.get_headers())
    return response.get_body()


def slack_request(app: App, verifier: SignatureVerifier, environ: dict[str, Any]) -> WsgiHttpResponse:
    body = read_body(environ)
    headers = request_headers(environ)
    if not signed(verifier, body, headers):
        log.info("refused a request without a valid Slack signature (%d bytes)", len(body))
        raise Refused(401, "invalid request")
    request = bolt_request(body, environ.get("QUERY_STRING", ""), headers)
    kind_of_request = kind(request)
    with metrics.ACK_SECONDS.labels(kind_of_request).time():
        answer = app.dispatch(request)
    metrics.REQUESTS.labels(kind_of_request).inc()
    if answer.status == 404:  # signed, but no listener took it: Slack would count a failure
        log.info("no listener acknowledged a %s request; answered 200", kind_of_request)
        answer = BoltResponse(status=200, body="")
    return WsgiHttpResponse(answer.status, answer.headers, answer.body)


def declared_length(environ: dict[str, Any]) -> int | None:
    """The Content-Length, if the request declares one; 413 over the cap, 400 if unreadable."""
    value = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise Refused(400, "bad content-length")
    if int(value) > MAX_BODY_BYTES:
        raise Refused(413, "request body too large")
    return int(value)


def read_body(environ: dict[str, Any]) -> bytes:
    """The body, never more than MAX_BODY_BYTES + 1 bytes of it read."""
    length = declared_length(environ)
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length is None:
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
        if not (chunked or environ.get("wsgi.input_terminated")):
            return b""  # no length and no framing: HTTP says there is no body
        body = read_at_most(stream, MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, "request body too large")
        return body
    return read_at_most(stream, length)


def read_at_most(stream: Any, limit: int) -> bytes:
    body = bytearray()
    while len(body) < limit:
        part = stream.read(min(READ_CHUNK, limit - len(body)))
        if not part:
            break
        body += part
    return bytes(body)


def request_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The headers as Bolt's WSGI adapter passes them: lower-case names with dashes."""
    headers = {}
    for key, value in environ.items():
        if key in {"CONTENT_LENGTH", "CONTENT_TYPE"}:
            headers[key.lower().replace("_", "-")] = str(value)
        elif key.startswith("HTTP_"):
            headers[key[5:].lower().replace("_", "-")] = str(value)
    return headers


def signed(verifier: SignatureVerifier, body: bytes, headers: dict[str, str]) -> bool:
    """Slack's v0 signature over the raw bytes, the timestamp within five minutes."""
    try:
        return verifier.is_valid(
            body=body,
            timestamp=headers.get("x-slack-request-timestamp"),
            signature=headers.get("x-slack-signature"),
        )
    except (ValueError, TypeError):  # a timestamp that is not a number, a signature that is not ASCII
        return False


def bolt_request(body: bytes, query: str, headers: dict[str, str]) -> BoltRequest:
    """Bolt parses the body as it builds the request; a body it cannot parse is the sender's fault."""
    try:
        return BoltRequest(body=body.decode("utf-8"), query=query, headers=dict(headers))
    except Exception as error:  # RecursionError on deep nesting, ValueError on bad JSON, and the like
        reference = secrets.token_hex(4)
        log.warning(
            "unreadable signed request (ref %s): %s, %d bytes of %s",
            reference,
            type(error).__name__,
            len(body),
            headers.get("content-type", "no content type"),
        )
        raise Refused(400, f"bad request (ref {reference})") from None


def kind(request: BoltRequest) -> str:
    body = request.body
    event = body.get("event") if isinstance(body.get("event"), dict) else None
    return str((event or body).get("type") or body.get("command") or "unknown")


def create_application() -> WsgiApp:
    """Used by gunicorn (`bot.web:create_application()`): settings from the environment."""
    settings = Settings()
    logs.configure(settings.log_format)
    settings.require_slack_secrets()
    db = Database.from_url(settings.sqlalchemy_url, connections=settings.web_connections)
    now = partial(datetime.now, UTC)
    application = wsgi_app(
        build_app(settings, db),
        ready=lambda: health.readiness(db, now()),
        measured=lambda: metrics.exposition(db, now),
    )
    settle()
    return application
