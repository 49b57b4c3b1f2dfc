"""A Slack Web API stand-in served over real HTTP on 127.0.0.1.

It answers the methods the bot uses, records every call, validates every payload (Block Kit models,
block caps, no raw broadcast mentions), and can answer 429 or 500 on demand. `response_url`s point
at it too, so `respond()` lands here.

Two ways to make chat.postMessage harder: `limit_rate` enforces Slack's rate limits in real time (a
post beyond one per second per channel, or beyond fifty per second in the workspace, is answered 429
with Retry-After: 1), and `outage` makes Slack unavailable while a given clock (the tests' FixedClock)
is inside a window (429 with Retry-After and 500, alternately). `reset()` turns both off.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from bot.clock import Clock
from bot.playground.validation import message_problems, view_problems

MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update"}
VIEW_METHODS = {"views.open", "views.update", "views.push", "views.publish"}


@dataclass
class Recorded:
    """One call the bot made: a Web API method, or a post to a response_url ("respond")."""

    method: str
    args: dict[str, Any]
    status: int
    answer: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    path: str = ""  # for "respond": which response_url was used (/respond/<key>)


@dataclass
class Failure:
    status: int
    retry_after: int | None
    remaining: int


RATE_LIMITED_METHOD = "chat.postMessage"


@dataclass
class RateLimit:
    """Posts allowed per second (real time), per channel and in the whole workspace."""

    per_channel: float
    per_workspace: float
    by_channel: dict[str, deque[float]] = field(default_factory=dict)  # when each accepted post came
    in_workspace: deque[float] = field(default_factory=deque)


@dataclass
class Outage:
    """chat.postMessage unavailable while `clock.now()` is in [start, end): answered with `statuses` in turn."""

    clock: Clock
    start: datetime
    end: datetime
    statuses: tuple[int, ...]
    retry_after: int
    answered: int = 0


def _room_in(posts: deque[float], rate: float, now: float) -> bool:
    """Whether one more post keeps to `rate` per second: at most `rate` posts in any second (below one
    per second: at most one in any 1/rate seconds). Forgets posts older than the window."""
    window = max(1.0, 1.0 / rate)
    allowed = max(1, int(rate * window))
    while posts and posts[0] <= now - window:
        posts.popleft()
    return len(posts) < allowed


class SlackStandIn:
    def __init__(self, *, team_id: str = "T0TIDE", bot_user_id: str = "U0BOT") -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.calls: list[Recorded] = []
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

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> SlackStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                standin._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the recorded calls are the log."""

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # the default 5 drops bursts of connections into 1 s retries

        self._server = Server(("127.0.0.1", 0), Handler)
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

    def fail_next(
        self, method: str, *, status: int = 429, retry_after: int | None = 1, times: int = 1
    ) -> None:
        """Answer the next `times` calls of `method` with `status` (429 carries Retry-After)."""
        with self._lock:
            self._failures[method] = Failure(status, retry_after, times)

    def drop_answers(self, method: str, *, times: int = 1, after: float = 0.0) -> None:
        """Carry out the next `times` calls of `method` and close the connection without answering,
        `after` seconds later: what a sender sees when Slack accepted a post and the answer never came
        back (and, with a long `after`, a moment in which to stop the sender)."""
        with self._lock:
            self._dropped[method] = times
            self._drop_after = after

    def slow_answers(self, method: str, seconds: float) -> None:
        """Answer every call of `method` `seconds` late (real time), after carrying it out: a slow Slack."""
        with self._lock:
            self._slow[method] = seconds

    def limit_rate(self, *, per_channel: float = 1.0, per_workspace: float = 50.0) -> None:
        """Enforce Slack's rate limits on chat.postMessage in real (wall) time: a post beyond
        `per_channel` per second to its channel, or beyond `per_workspace` per second in all, is
        answered HTTP 429 with Retry-After: 1 and `ratelimited` (counted in `rate_limited`).
        Only posts let through count against the limits. `reset()` lifts them."""
        if per_channel <= 0 or per_workspace <= 0:
            raise ValueError("rates are posts per second, above zero")
        with self._lock:
            self._rate_limit = RateLimit(per_channel, per_workspace)
            self.rate_limited = 0

    def outage(
        self,
        clock: Clock,
        start: datetime,
        end: datetime,
        *,
        statuses: Sequence[int] = (429, 500),
        retry_after: int = 60,
    ) -> None:
        """Slack down in simulated time: while `clock.now()` is in [start, end), chat.postMessage is
        answered with `statuses` in turn (429 carrying Retry-After: `retry_after`, others as server
        errors); before and after, normally. `reset()` ends it."""
        if not statuses:
            raise ValueError("an outage answers with at least one status")
        with self._lock:
            self._outage = Outage(clock, start, end, tuple(statuses), retry_after)

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
            self.problems.clear()
            self._rate_limit = None
            self._outage = None
            self.rate_limited = 0
            self.messages.clear()
            self.history_refusal = None
            self._dropped.clear()
            self._slow.clear()

    def posted_to(self, channel: str) -> list[dict[str, Any]]:
        """The messages standing in a conversation (DMs under "D" + user id), oldest first."""
        with self._lock:
            return list(self.messages.get(_conversation(channel), []))

    # -- HTTP ------------------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length).decode("utf-8")
        args = _parse(raw, request.headers.get("Content-Type") or "")
        if request.path.startswith("/respond/"):
            method = "respond"
        else:
            method = request.path.removeprefix("/api/").strip("/")
        status, answer, headers = self._answer(method, args, request.headers.get("Authorization") or "")
        with self._lock:
            self.calls.append(Recorded(method, args, status, answer, path=request.path))
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

    def _answer(
        self, method: str, args: dict[str, Any], auth: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        failure = self._take_failure(method)
        if failure:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            error = "ratelimited" if failure.status == 429 else "internal_error"
            return failure.status, {"ok": False, "error": error}, headers
        if method == RATE_LIMITED_METHOD:
            refusal = self._outage_answer() or self._rate_limit_answer(str(args.get("channel", "")))
            if refusal:
                return refusal
        if method != "respond" and not auth.startswith("Bearer xoxb-"):
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        refused = self._channel_refusal(method, args)
        if refused:
            return 200, {"ok": False, "error": refused}, {}
        problems = self._problems(method, args)
        if problems:
            with self._lock:
                self.problems.extend(f"{method}: {p}" for p in problems)
            return 200, {"ok": False, "error": "invalid_blocks", "problems": problems}, {}
        return 200, self._result(method, args), {}

    def _channel_refusal(self, method: str, args: dict[str, Any]) -> str | None:
        """What Slack answers for a channel the bot may not see or post in (None: no objection)."""
        channel = self.channels.get(str(args.get("channel", "")))
        if method == "conversations.info":
            if channel is None or (channel["is_private"] and not channel["is_member"]):
                return "channel_not_found"
        elif method in {"chat.postMessage", "chat.update"} and channel is not None:
            if channel["is_archived"]:
                return "is_archived"
            if channel["is_private"] and not channel["is_member"]:
                return "channel_not_found"
        return None

    def _outage_answer(self) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        with self._lock:
            outage = self._outage
            if outage is None or not outage.start <= outage.clock.now() < outage.end:
                return None
            status = outage.statuses[outage.answered % len(outage.statuses)]
            outage.answered += 1
        if status == 429:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(outage.retry_after)}
        return status, {"ok": False, "error": "internal_error"}, {}

    def _rate_limit_answer(self, channel: str) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        with self._lock:
            limit = self._rate_limit
            if limit is None:
                return None
            now = time.monotonic()
            posts = limit.by_channel.setdefault(channel, deque())
            if _room_in(posts, limit.per_channel, now) and _room_in(
                limit.in_workspace, limit.per_workspace, now
            ):
                posts.append(now)
                limit.in_workspace.append(now)
                return None
            self.rate_limited += 1
        return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}

    def _take_drop(self, method: str) -> bool:
        left = self._dropped.get(method, 0)
        if left > 0:
            self._dropped[method] = left - 1
        return left > 0

    def _take_failure(self, method: str) -> Failure | None:
        with self._lock:
            failure = self._failures.get(method)
            if not failure or failure.remaining <= 0:
                return None
            failure.remaining -= 1
            return failure

    def _problems(self, method: str, args: dict[str, Any]) -> list[str]:
        if method in MESSAGE_METHODS or method == "respond":
            return message_problems(args)
        if method in VIEW_METHODS:
            view = args.get("view")
            return view_problems(view) if isinstance(view, dict) else ["no view given"]
        return []

    def _result(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": "B0BOT",
                "team": "Tide",
            }
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.info":
            return {"ok": True, "channel": self.channels[str(args.get("channel"))]}
        if method == "users.list":
            return self._users_page(args)
        if method in {"conversations.history", "conversations.replies"}:
            return self._history(method, args)
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).split(",")[0]}}
        if method == "chat.update":
            self._keep_update(args)
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"), "message": args}
        if method in MESSAGE_METHODS:
            channel = _conversation(str(args.get("channel", "")))
            # Unique even for two posts in one microsecond: the playground keeps conversations by ts.
            ts = f"{int(time.time())}.{next(self._ids):06d}"
            if method == "chat.postMessage":
                self._keep_post(channel, ts, args)
            return {"ok": True, "channel": channel, "ts": ts, "message": args}
        if method in VIEW_METHODS:
            return {"ok": True, "view": self._store_view(method, args)}
        return {"ok": True}

    def _keep_post(self, channel: str, ts: str, args: dict[str, Any]) -> None:
        message = {"type": "message", "ts": ts, "text": args.get("text", ""), "user": self.bot_user_id}
        for key in ("blocks", "thread_ts"):
            if args.get(key):
                message[key] = args[key]
        if args.get("metadata"):
            metadata = args["metadata"]
            message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        with self._lock:
            self.messages.setdefault(channel, []).append(message)

    def _keep_update(self, args: dict[str, Any]) -> None:
        with self._lock:
            for message in self.messages.get(_conversation(str(args.get("channel", ""))), []):
                if message["ts"] == args.get("ts"):
                    message.update({key: args[key] for key in ("text", "blocks") if key in args})

    def _history(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first (history) or the thread oldest first (replies); metadata only when asked for."""
        if self.history_refusal:
            return {"ok": False, "error": self.history_refusal}
        with self._lock:
            messages = [dict(m) for m in self.messages.get(str(args.get("channel", "")), [])]
        if method == "conversations.replies":
            parent = str(args.get("ts", ""))
            messages = [m for m in messages if parent in (m["ts"], m.get("thread_ts"))]
        else:
            messages = [m for m in reversed(messages) if m.get("thread_ts") in (None, m["ts"])]
            oldest = float(args.get("oldest") or 0)
            messages = [m for m in messages if float(m["ts"]) > oldest]
        if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
            for message in messages:
                message.pop("metadata", None)
        limit = int(args.get("limit") or 100)
        return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}

    def _users_page(self, args: dict[str, Any]) -> dict[str, Any]:
        """users.list paged by cursor (the cursor is the offset), `limit` members at a time."""
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 200)
        with self._lock:
            members = list(self.users.values())
        page = members[start : start + limit]
        next_cursor = str(start + limit) if start + limit < len(members) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _store_view(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        view = dict(args["view"])
        view_id = args.get("view_id") if method == "views.update" else f"V{next(self._ids):06d}"
        view.update(id=view_id, hash=f"h{next(self._ids)}", team_id=self.team_id, state={"values": {}})
        with self._lock:
            self.views[str(view_id)] = view
        return view


def _conversation(channel: str) -> str:
    """Where a post lands: a post to a user goes to their DM, a D… conversation."""
    return "D" + channel if channel[:1] in ("U", "W") else channel


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return dict(json.loads(raw or "{}"))
    args: dict[str, Any] = dict(parse_qsl(raw, keep_blank_values=True))
    for key in ("view", "blocks", "metadata"):
        if isinstance(args.get(key), str) and args[key].startswith(("{", "[")):
            args[key] = json.loads(args[key])
    return args
