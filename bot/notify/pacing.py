"""Pacing posts at the rate Slack accepts them."""

from __future__ import annotations

import time
from collections.abc import Callable

CHANNEL_GAP_SECONDS = 1.0  # Slack allows about one message per second per channel
WORKSPACE_MESSAGES_PER_SECOND = 50  # and about fifty a second (chat.postMessage) in a workspace
WORKSPACE_GAP_SECONDS = 1.0 / WORKSPACE_MESSAGES_PER_SECOND


class Pacer:
    """Keeps posts to one channel at least a second apart, and any two posts at least 1/50 s apart
    (Slack's limit for the whole workspace), within a run: a fan-out of many DMs goes out at about
    the rate Slack accepts instead of in a burst answered 429."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self.sleep = sleep
        self._last: dict[str, float] = {}
        self._last_any: float | None = None

    def wait_for(self, channel: str) -> None:
        now = time.monotonic()
        gap = 0.0
        last = self._last.get(channel)
        if last is not None:
            gap = CHANNEL_GAP_SECONDS - (now - last)
        if self._last_any is not None:
            gap = max(gap, WORKSPACE_GAP_SECONDS - (now - self._last_any))
        if gap > 0:
            self.sleep(gap)
        self._last[channel] = self._last_any = time.monotonic()
