"""The complaint SLA clock (pure): when a response or resolution is due, and how much SLA time is left.

An admin picks how SLA hours count. Calendar hours: every hour. Working hours: only the time inside
the working hours (09:00-18:00 by default) of the workspace zone's local working days, so a complaint
filed on Friday evening is not breached before anyone is at work. Working days are the country's
(`bot.rules.calendar.is_working_day`): weekends and public holidays are skipped, and China's make-up
working days (调休) on a weekend count.

All arithmetic is done on UTC instants, never on local wall clocks, so a daylight-saving change
neither adds nor loses an hour of SLA time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import ClassVar

from bot.rules.calendar import is_working_day, zone

SEVERITIES = ("urgent", "high", "medium", "low")
DEFAULT_SLA_HOURS = {"urgent": (1, 4), "high": (4, 24), "medium": (8, 72), "low": (24, 120)}
MAX_SLA_HOURS = 24 * 60  # 60 days: longer is a typo, not an SLA

CALENDAR = "calendar"
WORKING = "working"
MODES = (CALENDAR, WORKING)

# How far ahead `add` looks for working time. The longest SLA (60 days of hours) in 9-hour working days
# needs about 230 calendar days; beyond this the working hours are too short for the SLA.
MAX_SEARCH_DAYS = 400

Window = tuple[datetime, datetime]  # a stretch of working time, [opens, closes) in UTC


@dataclass(frozen=True)
class SlaClock:
    """How a workspace counts SLA hours: `mode` is CALENDAR or WORKING; the rest matters for WORKING."""

    CALENDAR: ClassVar[str] = CALENDAR
    WORKING: ClassVar[str] = WORKING

    mode: str
    timezone: str
    country: str
    work_start: time = time(9)
    work_end: time = time(18)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown SLA mode {self.mode!r}")
        if self.work_end <= self.work_start:
            raise ValueError("working hours must end after they start")

    def add(self, start: datetime, hours: float) -> datetime:
        """The instant (UTC) when `hours` of SLA time have passed since `start`.

        In working mode a start outside working time counts from the next opening, and the result may
        be a closing time (the SLA ran out exactly as the day ended)."""
        start = _as_utc(start)
        if hours < 0:
            raise ValueError("SLA hours must not be negative")
        budget = timedelta(hours=hours)
        if self.mode == CALENDAR:
            return start + budget
        for opens, closes in self._windows(start, MAX_SEARCH_DAYS):
            if budget <= closes - opens:
                return opens + budget
            budget -= closes - opens
        raise ValueError(f"{hours} SLA hours do not fit in {MAX_SEARCH_DAYS} days of working time")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """The SLA time between two instants (zero when `end` is not after `start`): the inverse of `add`."""
        start, end = _as_utc(start), _as_utc(end)
        if end <= start:
            return timedelta(0)
        if self.mode == CALENDAR:
            return end - start
        total = timedelta(0)
        for opens, closes in self._windows(start, self._days_spanned(start, end)):
            if opens >= end:
                break
            total += min(closes, end) - opens
        return total

    def remaining(self, now: datetime, due: datetime) -> timedelta:
        """The SLA time left until `due`; once past it, minus the SLA time since (for "breached 2 h ago",
        which in working mode does not count the weekend)."""
        if now <= due:
            return self.elapsed(now, due)
        return -self.elapsed(due, now)

    def halfway(self, start: datetime, hours: float) -> datetime:
        """When half the SLA has passed: the assignee is nudged then."""
        return self.add(start, hours / 2)

    def _windows(self, since: datetime, days: int) -> Iterator[Window]:
        """The working windows of `days` local days from `since`'s, in order, the first clipped to `since`."""
        first_day = since.astimezone(zone(self.timezone)).date()
        for offset in range(days):
            window = self._window(first_day + timedelta(days=offset))
            if window is not None and window[1] > since:
                yield max(window[0], since), window[1]

    def _window(self, day: date) -> Window | None:
        """A local day's working hours as UTC instants, or None on a day off."""
        if not is_working_day(day, self.country):
            return None
        local_zone = zone(self.timezone)
        opens = datetime.combine(day, self.work_start, tzinfo=local_zone).astimezone(UTC)
        closes = datetime.combine(day, self.work_end, tzinfo=local_zone).astimezone(UTC)
        return (opens, closes) if closes > opens else None  # hours a daylight-saving gap swallowed

    def _days_spanned(self, start: datetime, end: datetime) -> int:
        """How many local days `start` to `end` touch, so `elapsed` looks at exactly those."""
        local_zone = zone(self.timezone)
        return (end.astimezone(local_zone).date() - start.astimezone(local_zone).date()).days + 1


def _as_utc(instant: datetime) -> datetime:
    """The instant in UTC; a naive datetime has no instant, and guessing the server's zone would be wrong."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("SLA times must be timezone-aware")
    return instant.astimezone(UTC)


@dataclass(frozen=True)
class Deadlines:
    """A complaint's four SLA instants (UTC): a nudge at half of each SLA, a breach at its end."""

    respond_nudge_at: datetime
    respond_due_at: datetime
    resolve_nudge_at: datetime
    resolve_due_at: datetime


def deadlines(clock: SlaClock, start: datetime, respond_hours: float, resolve_hours: float) -> Deadlines:
    """The SLA instants of a complaint filed (or reopened) at `start`."""
    return Deadlines(
        respond_nudge_at=clock.halfway(start, respond_hours),
        respond_due_at=clock.add(start, respond_hours),
        resolve_nudge_at=clock.halfway(start, resolve_hours),
        resolve_due_at=clock.add(start, resolve_hours),
    )


class HoursProblem(StrEnum):
    """Why an admin's SLA hours were refused; the caller turns the code into a translated message."""

    NOT_POSITIVE = "not_positive"
    RESPOND_AFTER_RESOLVE = "respond_after_resolve"
    TOO_LONG = "too_long"


def valid_hours(respond: float, resolve: float) -> HoursProblem | None:
    """Why a severity's (respond, resolve) hours cannot be saved, or None when they can. Responding
    cannot be due after resolving; NaN counts as not positive."""
    if not (respond > 0 and resolve > 0):
        return HoursProblem.NOT_POSITIVE
    if respond > resolve:
        return HoursProblem.RESPOND_AFTER_RESOLVE
    if resolve > MAX_SLA_HOURS:
        return HoursProblem.TOO_LONG
    return None
