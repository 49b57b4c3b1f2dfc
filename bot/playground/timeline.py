"""The playground's time: the clock moved on hour by hour with the scheduler's jobs run at each, the
outbox delivered as the worker would, and the lazy listeners waited for, so each line's output is
complete."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from slack_sdk import WebClient

from bot import jobs, notify
from bot.clock import FixedClock
from bot.env import Env
from bot.i18n import N_
from bot.playground.screen import Screen
from bot.playground.world import Change, Happening

TIMEZONE = "Asia/Shanghai"  # the sample workspace's people all work in Shanghai
JOB_STEP = timedelta(hours=1)
LAZY_WAIT_SECONDS = 15.0


class TrackedExecutor(ThreadPoolExecutor):
    """Runs the lazy listeners and can wait until none is left, so each line's output is complete."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="lazy")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = LAZY_WAIT_SECONDS) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._pending == 0, timeout)


class Timeline(Screen):
    """The clock and what runs as it moves (`session.Playground` is the whole session)."""

    clock: FixedClock
    env: Env
    executor: TrackedExecutor
    jobs_client: WebClient

    def _today(self) -> date:
        return self.clock.now().astimezone(ZoneInfo(TIMEZONE)).date()

    def _clock(self, rest: str) -> None:
        if not rest:
            self._say(N_("It is %(now)s."), now=self._local(self.clock.now()))
            return
        target = self._clock_target(rest)
        if target is None:
            self._say(N_("Say clock +3d, clock +2h, or clock 2026-12-01 09:00."))
            return
        if target <= self.clock.now():
            self._say(N_("The clock only goes forward."))
            return
        self._run_until(target)
        self._say(N_("It is %(now)s."), now=self._local(self.clock.now()))

    def _clock_target(self, rest: str) -> datetime | None:
        relative = re.fullmatch(r"\+(\d+)\s*([dhm])", rest.strip())
        if relative:
            unit = {"d": "days", "h": "hours", "m": "minutes"}[relative.group(2)]
            return self.clock.now() + timedelta(**{unit: int(relative.group(1))})
        try:
            moment = datetime.fromisoformat(rest.strip())
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(TIMEZONE))

    def _run_until(self, target: datetime) -> None:
        for instant in _steps(self.clock.now(), target):
            self.clock.set(instant)
            for job in jobs.JOBS.values():
                if job.name != "outbox":  # delivered below, without real-time pacing
                    job.run(self.env, self.jobs_client)
            happenings = self._settle()
            if any(h.change is not Change.VIEW for h in happenings):
                self._heading(self._local(instant))
                self._show_happenings(happenings)

    def _deliver(self) -> None:
        """The outbox job's delivery, without waiting between posts: the clock is simulated."""
        while notify.deliver_due(self.env, self.jobs_client, pacer=notify.Pacer(sleep=lambda _s: None)).sent:
            pass

    def _settle(self) -> list[Happening]:
        self.executor.wait_idle()
        self._deliver()
        self.executor.wait_idle()
        return self.world.absorb()

    def _local(self, moment: datetime) -> str:
        local = moment.astimezone(ZoneInfo(TIMEZONE))
        return format_datetime(local, "EEE yyyy-MM-dd HH:mm", locale=self.lang.babel) + f" ({TIMEZONE})"


def _steps(start: datetime, end: datetime) -> Iterator[datetime]:
    """Each whole hour after `start` up to `end`, then `end`: when the worker's ticks would run the
    jobs that matter (each is a catch-up function of now, so an hour's ticks are one)."""
    step = start.replace(minute=0, second=0, microsecond=0) + JOB_STEP
    while step < end:
        yield step
        step += JOB_STEP
    yield end
