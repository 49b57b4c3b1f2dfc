"""Time zones and working days: a person's local day from an instant, and when a morning send is due."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays


def zone(name: str, fallback: str = "UTC") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(zone(timezone)).date()


@cache
def _public_holidays(country: str, year: int) -> holidays.HolidayBase | None:
    try:
        return holidays.country_holidays(country, years=year)
    except NotImplementedError:  # a country the package does not know
        return None


def is_working_day(day: date, country: str) -> bool:
    """A working day in `country`: China's make-up working days (调休) count, public holidays do not.
    A country the holidays package does not know works Monday to Friday."""
    calendar = _public_holidays(country.upper(), day.year)
    if calendar is None:
        return day.weekday() < 5
    return bool(calendar.is_working_day(day))


def next_working_day(after: date, country: str) -> date:
    """The first working day after `after` in `country` (a Friday's is the Monday; a holiday skipped)."""
    day = after + timedelta(days=1)
    for _ in range(60):  # the longest Chinese holiday is 8 days
        if is_working_day(day, country):
            return day
        day += timedelta(days=1)
    return after + timedelta(days=1)


def due_day(now: datetime, timezone: str, hour: time, country: str) -> date | None:
    """The person's local day whose `hour` send is due as of `now`: today, if it is a working day and
    the hour has come; else None. A job run later the same day still finds it (catch-up); the next
    day's run does not send yesterday's."""
    local = now.astimezone(zone(timezone))
    if local.time() < hour or not is_working_day(local.date(), country):
        return None
    return local.date()


def next_send_at(now: datetime, timezone: str, hour: time, country: str) -> datetime:
    """The next instant, at or after `now`, that is `hour` on a working day in the person's zone."""
    local_zone = zone(timezone)
    day = now.astimezone(local_zone).date()
    for offset in range(0, 60):  # the longest Chinese holiday is 8 days; 60 is far beyond it
        candidate = datetime.combine(day + timedelta(days=offset), hour, tzinfo=local_zone)
        if candidate >= now and is_working_day(candidate.date(), country):
            return candidate
    raise ValueError(f"no working day within 60 days in {country}")


def quiet_until(now: datetime, timezone: str, start: time, end: time, country: str) -> datetime | None:
    """Outside the person's working hours (start to end of a working day, in their zone): when they
    begin again. None within them."""
    local = now.astimezone(zone(timezone))
    if is_working_day(local.date(), country) and start <= local.time() < end:
        return None
    return next_send_at(now, timezone, start, country)


def first_working_day_of_week(day: date, country: str) -> bool:
    """`day` is the first working day of its week (Monday, or the day after a Monday holiday...)."""
    monday = day - timedelta(days=day.weekday())
    earlier = (monday + timedelta(days=n) for n in range(day.weekday()))
    return is_working_day(day, country) and not any(is_working_day(d, country) for d in earlier)
