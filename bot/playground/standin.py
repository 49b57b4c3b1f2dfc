"""A Slack Web API stand-in served over real HTTP on 127.0.0.1.

It answers the methods the bot uses, records every call, validates every payload (Block Kit models,
block caps, no raw broadcast mentions), and can answer 429 or 500 on demand. `response_url`s point
at it too, so `respond()` lands here.

Two ways to make chat.postMessage harder: `limit_rate` enforces Slack's rate limits in real time (a
post beyond one per second per channel, or beyond fifty per second in the workspace, is answered 429
with Retry-After: 1), and `outage` makes Slack unavailable while a given clock (the tests' FixedClock)
is inside a window (429 with Retry-After and 500, alternately). `reset()` turns both off.

The parts: `webapi` (the methods' answers), `conversations` (the messages kept), `faults` (Slack made
harder); this module serves them over HTTP and records every call.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from bot.playground.conversations import conversation_of
from bot.playground.faults import RATE_LIMITED_METHOD, Answer, Failure, Faults, Outage, RateLimit
from bot.playground.files import Files
from bot.playground.installs import Installs
from bot.playground.webapi import WebApi

__all__ = ["Recorded", "SlackStandIn"]


@dataclass
class Recorded:
    """One call the bot made: a Web API method, or a post to a response_url ("respond")."""

    method: str
    args: dict[str, Any]
    status: int
    answer: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    path: str = ""  # for "respond": which response_url was used (/respond/<key>)
    team: str = ""  # the workspace whose token the call carried


class SlackStandIn(WebApi, Faults, Files, Installs):
    def __init__(self, *, team_id: str = "T0TIDE", bot_user_id: str = "U0BOT") -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.calls: list[Recorded] = []
        self._opened: dict[str, Recorded] = {}  # views.open calls by trigger id
        self.problems: list[str] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}  # by conversation, oldest first
        self.history_refusal: str | None = None  # e.g. "missing_scope": conversations.history refused
        self._dropped: dict[str, int] = {}  # method -> calls to accept without answering
        self._drop_after = 0.0
        self._slow: dict[str, float] = {}  # method -> seconds to wait before answering
        self._failures: dict[str, Failure] = {}
        self._rate_limit: RateLimit | None = None
        self._outage: Outage | None = None
        self.rate_limited = 0  # posts answered 429 because of `limit_rate`
        self._lock = threading.Condition()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._init_files()
        self._init_installs()

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> SlackStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                standin._handle(self)

            def do_GET(self) -> None:
                standin._handle_page(self)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the recorded calls are the log."""

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # the default 5 drops bursts of connections into 1 s retries

        self._server = Server(("127.0.0.1", 0), Handler)
        self.files_url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True, name="slack-standin").start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str = "r") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{key}"

    # -- the workspace ---------------------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        tz: str = "Asia/Shanghai",
        locale: str = "en-US",
        is_admin: bool = False,
        is_restricted: bool = False,
    ) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name.lower(),
            "real_name": name,
            "tz": tz,
            "locale": locale,
            "is_admin": is_admin,
            "is_owner": False,
            "is_restricted": is_restricted,
            "is_ultra_restricted": False,
            "deleted": False,
            "profile": {"display_name": name, "real_name": name, "email": f"{user_id.lower()}@example.com"},
        }

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        is_member: bool = False,
        is_archived: bool = False,
    ) -> None:
        """A channel as the bot sees it: it may post in public ones without joining (chat:write.public)."""
        self.channels[channel_id] = {
            "id": channel_id,
            "name": name,
            "is_channel": not is_private,
            "is_private": is_private,
            "is_member": is_member,
            "is_archived": is_archived,
        }

    # -- what happened ---------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Recorded]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Recorded]:
        """Block until `count` calls of `method` arrived (lazy listeners run after the ack)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len([c for c in self.calls if c.method == method]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise TimeoutError(f"expected {count} × {method}; calls so far: {seen}")
                self._lock.wait(left)
            return [c for c in self.calls if c.method == method]

    def opened_for(self, trigger_id: str, timeout: float = 5.0) -> Recorded | None:
        """The views.open call made with `trigger_id` (the request it answers), once it arrives; None if
        none arrives within `timeout`. Found by its key, however many calls came before."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while trigger_id not in self._opened:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._lock.wait(left)
            return self._opened[trigger_id]

    def responses_to(self, key: str) -> list[dict[str, Any]]:
        """Everything posted to the response_url made with `key` (see `response_url`), oldest first."""
        with self._lock:
            return self._responses(key)

    def _responses(self, key: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == "respond" and c.path == f"/respond/{key}"]

    def wait_for_response(self, key: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._responses(key)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"fewer than {count} answers to {key} within {timeout} s")
                self._lock.wait(remaining)
        return self.responses_to(key)

    def count(self, method: str) -> int:
        return len(self.calls_to(method))

    def next_call(self, method: str, *, after: int, timeout: float = 5.0) -> dict[str, Any]:
        """The arguments of the first `method` call beyond the `after` already seen."""
        return self.wait_for(method, after + 1, timeout)[after].args

    def last(self, method: str, timeout: float = 5.0) -> dict[str, Any]:
        return self.wait_for(method, len(self.calls_to(method)) or 1, timeout)[-1].args

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._opened.clear()
            self.problems.clear()
            self._rate_limit = None
            self._outage = None
            self.rate_limited = 0
            self.messages.clear()
            self.history_refusal = None
            self._dropped.clear()
            self._slow.clear()
            self._failures.clear()
            self.uploads.clear()
            self.redirect_url = ""
            self.installed.clear()
            self.uninstalled.clear()

    def posted_to(self, channel: str) -> list[dict[str, Any]]:
        """The messages standing in a conversation (DMs under "D" + user id), oldest first."""
        with self._lock:
            return list(self.messages.get(conversation_of(channel), []))

    # -- HTTP ------------------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        if request.path.startswith("/upload/"):
            self._handle_upload(request, request.rfile.read(length))
            return
        raw = request.rfile.read(length).decode("utf-8")
        args = _parse(raw, request.headers.get("Content-Type") or "")
        if request.path.startswith("/respond/"):
            method = "respond"
        else:
            method = request.path.removeprefix("/api/").strip("/")
        status, answer, headers = self._answer(method, args, request.headers.get("Authorization") or "")
        with self._lock:
            auth = request.headers.get("Authorization") or ""
            recorded = Recorded(
                method, args, status, answer, path=request.path, team=self.team_of(auth) or ""
            )
            self.calls.append(recorded)
            if method == "views.open":
                self._opened[str(args.get("trigger_id"))] = recorded
            self._lock.notify_all()
            dropped = self._take_drop(method)
            slow = self._slow.get(method, 0.0)
        time.sleep(slow)
        if dropped:
            time.sleep(self._drop_after)
            request.close_connection = True
            return
        body = json.dumps(answer).encode() if method != "respond" or status != 200 else b"ok"
        request.send_response(status)
        request.send_header("Content-Type", "application/json" if method != "respond" else "text/plain")
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def _handle_page(self, request: BaseHTTPRequestHandler) -> None:
        """A page a person's browser opens at Slack: only the install flow's authorize page."""
        path, _, query = request.path.partition("?")
        status, headers = self.authorize(query) if path == "/oauth/v2/authorize" else (404, {})
        with self._lock:
            self.calls.append(Recorded("oauth.authorize", {"query": query}, status, headers, path=path))
            self._lock.notify_all()
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def _handle_upload(self, request: BaseHTTPRequestHandler, data: bytes) -> None:
        """A file's bytes, posted to the upload URL files.getUploadURLExternal gave."""
        file_id = request.path.removeprefix("/upload/").strip("/")
        status, text = self._receive(file_id, data)
        with self._lock:
            args = {"file_id": file_id, "size": len(data)}
            self.calls.append(Recorded("upload", args, status, {"text": text}, path=request.path))
            self._lock.notify_all()
        body = text.encode()
        request.send_response(status)
        request.send_header("Content-Type", "text/plain")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def _answer(self, method: str, args: dict[str, Any], auth: str) -> Answer:
        failure = self._take_failure(method)
        if failure:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            error = "ratelimited" if failure.status == 429 else "internal_error"
            return failure.status, {"ok": False, "error": error}, headers
        if method == RATE_LIMITED_METHOD:
            refusal = self._outage_answer() or self._rate_limit_answer(str(args.get("channel", "")))
            if refusal:
                return refusal
        if method == "oauth.v2.access":
            return 200, self._oauth_access(args, auth), {}
        if method != "respond" and self.team_of(auth) is None:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if method == "auth.test":
            return 200, self.auth_test(auth), {}
        refused = self._channel_refusal(method, args)
        if refused:
            return 200, {"ok": False, "error": refused}, {}
        problems = [
            *self._problems(method, args),
            *self._image_problems(args.get("blocks") or args.get("view")),
            *self._link_problems(method, args),
        ]
        if problems:
            with self._lock:
                self.problems.extend(f"{method}: {p}" for p in problems)
            return 200, {"ok": False, "error": "invalid_blocks", "problems": problems}, {}
        self._share_linked(method, args)
        return 200, self._file_result(method, args) or self._result(method, args), {}


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return dict(json.loads(raw or "{}"))
    args: dict[str, Any] = dict(parse_qsl(raw, keep_blank_values=True))
    for key in ("view", "blocks", "metadata"):
        if isinstance(args.get(key), str) and args[key].startswith(("{", "[")):
            args[key] = json.loads(args[key])
    return args
