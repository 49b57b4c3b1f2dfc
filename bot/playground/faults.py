"""How the Slack stand-in makes Slack harder on demand: the next calls failed (429 or 500), answers
dropped or slow, Slack's rate limits enforced in real time, an outage in simulated time."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.clock import Clock

RATE_LIMITED_METHOD = "chat.postMessage"
Answer = tuple[int, dict[str, Any], dict[str, str]]  # status, body, headers


@dataclass
class Failure:
    status: int
    retry_after: int | None
    remaining: int


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


class Faults:
    """The stand-in's faults (`standin.SlackStandIn` is the whole stand-in)."""

    _lock: threading.Condition
    _failures: dict[str, Failure]
    _dropped: dict[str, int]  # method -> calls to accept without answering
    _drop_after: float
    _slow: dict[str, float]  # method -> seconds to wait before answering
    _rate_limit: RateLimit | None
    _outage: Outage | None
    rate_limited: int  # posts answered 429 because of `limit_rate`

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

    def _outage_answer(self) -> Answer | None:
        with self._lock:
            outage = self._outage
            if outage is None or not outage.start <= outage.clock.now() < outage.end:
                return None
            status = outage.statuses[outage.answered % len(outage.statuses)]
            outage.answered += 1
        if status == 429:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(outage.retry_after)}
        return status, {"ok": False, "error": "internal_error"}, {}

    def _rate_limit_answer(self, channel: str) -> Answer | None:
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
