"""The calendar of the story: day 1, its morning and the working days around it, in the sample's
time zone."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.playground.sample.cast import TIMEZONE
from bot.rules.calendar import is_working_day, zone
from bot.services.digest import previous_working_day


@dataclass(frozen=True)
class Calendar:
    """The days the story is told against, in the sample's time zone."""

    now: datetime
    country: str
    today: date  # the local day at `now`
    first_day: date  # day 1: the first working day at or after today
    first_morning: datetime  # day 1's reminder time, or `now` when later
    last_working_day: date  # the working day before day 1: "yesterday" in day 1's digest

    @classmethod
    def starting(cls, now: datetime, *, country: str, morning: time) -> Calendar:
        today = now.astimezone(zone(TIMEZONE)).date()
        first_day = _step_to_working_day(today, country, forward=True)
        first_morning = max(now, datetime.combine(first_day, morning, tzinfo=zone(TIMEZONE)))
        last_working_day = previous_working_day(first_day, country)
        return cls(now, country, today, first_day, first_morning, last_working_day)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=zone(TIMEZONE))

    def day1(self, days: int) -> date:
        """Day 1 plus `days` (negative: before it)."""
        return self.first_day + timedelta(days=days)

    def working_on_or_before(self, day: date) -> date:
        return _step_to_working_day(day, self.country, forward=False)

    def working_on_or_after(self, day: date) -> date:
        return _step_to_working_day(day, self.country, forward=True)

    def working_day_in(self, rng: random.Random, low: date, high: date) -> date:
        """A working day from `low` to `high`; `high` when there is none in between."""
        if low >= high:
            return high
        day = self.working_on_or_before(low + timedelta(days=rng.randint(0, (high - low).days)))
        return day if day >= low else high


def _step_to_working_day(day: date, country: str, *, forward: bool) -> date:
    step = timedelta(days=1 if forward else -1)
    while not is_working_day(day, country):
        day += step
    return day
