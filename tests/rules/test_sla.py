import math
import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.rules.calendar import is_working_day
from bot.rules.sla import (
    CALENDAR,
    DEFAULT_SLA_HOURS,
    SEVERITIES,
    WORKING,
    Deadlines,
    SlaClock,
    deadlines,
    valid_hours,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
CN_WORKING = SlaClock(WORKING, "Asia/Shanghai", "CN")
CN_CALENDAR = SlaClock(CALENDAR, "Asia/Shanghai", "CN")
US_WORKING = SlaClock(WORKING, "America/New_York", "US")
US_CALENDAR = SlaClock(CALENDAR, "America/New_York", "US")
QUARTER = timedelta(minutes=15)


def shanghai(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def new_york(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("severity", "respond_due", "resolve_due"),
    [
        ("urgent", shanghai(11, 20, 17), shanghai(11, 20, 20)),
        ("high", shanghai(11, 20, 20), shanghai(11, 21, 16)),
        ("medium", shanghai(11, 21, 0), shanghai(11, 23, 16)),
        ("low", shanghai(11, 21, 16), shanghai(11, 25, 16)),
    ],
)
def test_calendar_hours_count_nights_and_weekends(severity, respond_due, resolve_due):
    friday_afternoon = shanghai(11, 20, 16)
    due = deadlines(CN_CALENDAR, friday_afternoon, *DEFAULT_SLA_HOURS[severity])
    assert (due.respond_due_at, due.resolve_due_at) == (respond_due, resolve_due)


def test_due_times_come_out_in_utc():
    due = CN_WORKING.add(shanghai(11, 23, 10), 4)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    assert CN_CALENDAR.add(shanghai(11, 23, 10), 4).tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        pytest.param(shanghai(11, 23, 10), 4, shanghai(11, 23, 14), id="within-a-day"),
        pytest.param(shanghai(11, 23, 16), 4, shanghai(11, 24, 11), id="across-a-night"),
        pytest.param(shanghai(11, 20, 16), 4, shanghai(11, 23, 11), id="across-a-weekend"),
        pytest.param(shanghai(11, 21, 14), 4, shanghai(11, 23, 13), id="filed-on-saturday"),
        pytest.param(shanghai(11, 23, 7), 4, shanghai(11, 23, 13), id="filed-before-opening"),
        pytest.param(shanghai(11, 23, 20), 4, shanghai(11, 24, 13), id="filed-after-closing"),
        pytest.param(shanghai(11, 23, 18), 1, shanghai(11, 24, 10), id="filed-at-closing"),
        pytest.param(shanghai(11, 20, 14), 4, shanghai(11, 20, 18), id="runs-out-at-closing"),
        pytest.param(shanghai(11, 23, 9, 30), 0.25, shanghai(11, 23, 9, 45), id="a-quarter-hour"),
    ],
)
def test_working_hours_count_only_working_time(start, hours, due):
    assert CN_WORKING.add(start, hours) == due


@pytest.mark.parametrize(
    ("start", "due"),
    [
        pytest.param(shanghai(9, 30, 16), shanghai(10, 8, 11), id="filed-the-day-before"),
        pytest.param(shanghai(10, 2, 10), shanghai(10, 8, 13), id="filed-during-the-holiday"),
        pytest.param(shanghai(9, 24, 16), shanghai(9, 28, 11), id="mid-autumn-friday-skipped"),
    ],
)
def test_national_day_golden_week_2026_is_skipped(start, due):
    assert CN_WORKING.add(start, 4) == due


@pytest.mark.parametrize(
    ("start", "due"),
    [
        pytest.param(shanghai(10, 9, 16), shanghai(10, 10, 11), id="saturday-10-oct-after-national-day"),
        pytest.param(shanghai(9, 19, 12), shanghai(9, 20, 13), id="sunday-20-sep-before-national-day"),
        pytest.param(shanghai(2, 13, 16), shanghai(2, 14, 11), id="saturday-14-feb-before-spring-festival"),
    ],
)
def test_a_make_up_working_day_on_a_weekend_counts(start, due):
    assert due.weekday() >= 5  # a Saturday or Sunday
    assert CN_WORKING.add(start, 4) == due


@pytest.mark.parametrize(
    ("start", "due"),
    [
        pytest.param(shanghai(9, 30, 16), shanghai(10, 1, 11), id="national-day-is-a-weekday"),
        pytest.param(shanghai(10, 9, 16), shanghai(10, 12, 11), id="no-make-up-saturday"),
    ],
)
def test_a_country_the_holidays_package_does_not_know_works_monday_to_friday(start, due):
    assert SlaClock(WORKING, "Asia/Shanghai", "XX").add(start, 4) == due


def test_low_severity_120_working_hours_take_13_days_and_3_hours():
    monday_opening = shanghai(11, 2, 9)  # 120 h = 13 days of 9 h, then 3 h on the 14th working day
    due = CN_WORKING.add(monday_opening, DEFAULT_SLA_HOURS["low"][1])
    assert due == shanghai(11, 19, 12)
    assert CN_WORKING.elapsed(monday_opening, due) == timedelta(hours=120)


def test_deadlines_nudge_at_half_of_each_sla():
    friday_afternoon = shanghai(11, 20, 16)
    assert deadlines(CN_WORKING, friday_afternoon, 4, 24) == Deadlines(
        respond_nudge_at=shanghai(11, 20, 18),
        respond_due_at=shanghai(11, 23, 11),
        resolve_nudge_at=shanghai(11, 24, 10),
        resolve_due_at=shanghai(11, 25, 13),
    )


def test_custom_working_hours_are_used():
    clock = SlaClock(WORKING, "Asia/Shanghai", "CN", time(8, 30), time(12, 15))
    assert clock.add(shanghai(11, 23, 12), 1) == shanghai(11, 24, 9, 15)


CLOCKS = [
    CN_WORKING,
    US_WORKING,
    SlaClock(WORKING, "Europe/London", "GB", time(8, 30), time(12, 15)),
    CN_CALENDAR,
    US_CALENDAR,
]


def test_elapsed_remaining_and_halfway_undo_add_for_many_starts():
    rng = random.Random(20261001)
    for _ in range(500):
        clock = rng.choice(CLOCKS)
        start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(365 * 86400))
        hours = rng.uniform(0, 150)
        due = clock.add(start, hours)
        half = clock.halfway(start, hours)
        assert start <= half <= due
        assert clock.elapsed(start, due) == timedelta(hours=hours), (clock, start, hours)
        assert clock.elapsed(start, half) == timedelta(hours=hours / 2), (clock, start, hours)
        assert clock.remaining(start, due) == timedelta(hours=hours)
        assert clock.remaining(due, start) == -timedelta(hours=hours)


def _working_quarters(clock, start, end):
    """A reference to check against: every quarter hour from start to end, counted one by one."""
    local_zone = ZoneInfo(clock.timezone)
    slot = start
    while slot < end:
        local = slot.astimezone(local_zone)
        if is_working_day(local.date(), clock.country) and clock.work_start <= local.time() < clock.work_end:
            yield slot
        slot += QUARTER


@pytest.mark.parametrize("clock", [CN_WORKING, US_WORKING], ids=["CN", "US"])
def test_working_time_matches_counting_quarter_hours_one_by_one(clock):
    rng = random.Random(7)
    for _ in range(80):
        start = datetime(2026, 1, 1, tzinfo=UTC) + QUARTER * rng.randrange(365 * 96)
        end = start + QUARTER * rng.randrange(12 * 96)
        assert clock.elapsed(start, end) == QUARTER * len(list(_working_quarters(clock, start, end)))
        quarters = rng.randrange(1, 160)
        counted = _working_quarters(clock, start, start + timedelta(days=60))
        last = next(slot for index, slot in enumerate(counted, 1) if index == quarters)
        assert clock.add(start, quarters / 4) == last + QUARTER, (start, quarters)


@pytest.mark.parametrize("clock", [CN_WORKING, CN_CALENDAR], ids=["working", "calendar"])
def test_no_sla_time_passes_when_end_is_not_after_start(clock):
    start = shanghai(11, 23, 10)
    assert clock.elapsed(start, start) == timedelta(0)
    assert clock.elapsed(start, start - timedelta(hours=3)) == timedelta(0)


FRIDAY_17 = shanghai(11, 20, 17)


@pytest.mark.parametrize(
    ("clock", "now", "due", "left"),
    [
        pytest.param(CN_WORKING, shanghai(11, 20, 16), shanghai(11, 23, 11), 4, id="working-time-left"),
        pytest.param(CN_CALENDAR, shanghai(11, 20, 16), FRIDAY_17, 1, id="calendar-time-left"),
        pytest.param(
            CN_WORKING, shanghai(11, 20, 18), shanghai(11, 23, 10), 1, id="working-left-over-weekend"
        ),
        pytest.param(CN_WORKING, shanghai(11, 23, 10), FRIDAY_17, -2, id="working-breached"),
        pytest.param(CN_CALENDAR, shanghai(11, 23, 10), FRIDAY_17, -65, id="calendar-breached"),
        pytest.param(CN_WORKING, shanghai(11, 22, 10), FRIDAY_17, -1, id="breached-weekend-uncounted"),
    ],
)
def test_remaining_is_negative_after_the_due_time(clock, now, due, left):
    assert clock.remaining(now, due) == timedelta(hours=left)


@pytest.mark.parametrize(
    ("clock", "start", "hours", "due"),
    [
        pytest.param(
            US_CALENDAR, new_york(3, 7, 12), 24, datetime(2026, 3, 8, 17, tzinfo=UTC), id="calendar-spring"
        ),
        pytest.param(
            US_CALENDAR, new_york(10, 31, 12), 24, datetime(2026, 11, 1, 16, tzinfo=UTC), id="calendar-autumn"
        ),
        pytest.param(
            US_WORKING, new_york(3, 6, 16), 4, datetime(2026, 3, 9, 15, tzinfo=UTC), id="working-spring"
        ),
        pytest.param(
            US_WORKING, new_york(10, 30, 16), 4, datetime(2026, 11, 2, 16, tzinfo=UTC), id="working-autumn"
        ),
    ],
)
def test_daylight_saving_changes_neither_add_nor_lose_sla_time(clock, start, hours, due):
    assert clock.add(start, hours) == due
    assert clock.elapsed(start, due) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        pytest.param(new_york(3, 7, 12), new_york(3, 8, 12), 23, id="spring-night-is-23-hours"),
        pytest.param(new_york(10, 31, 12), new_york(11, 1, 12), 25, id="autumn-night-is-25-hours"),
    ],
)
def test_calendar_elapsed_counts_real_hours_not_wall_clock_hours(start, end, hours):
    assert US_CALENDAR.elapsed(start, end) == timedelta(hours=hours)


@pytest.mark.parametrize(("work_start", "work_end"), [(time(18), time(9)), (time(9), time(9))])
def test_working_hours_must_end_after_they_start(work_start, work_end):
    with pytest.raises(ValueError, match="end after"):
        SlaClock(WORKING, "Asia/Shanghai", "CN", work_start, work_end)


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode"):
        SlaClock("business", "Asia/Shanghai", "CN")


def test_add_gives_up_when_the_hours_do_not_fit_in_400_days():
    one_minute_a_day = SlaClock(WORKING, "Asia/Shanghai", "CN", time(9), time(9, 1))
    assert one_minute_a_day.add(shanghai(11, 23, 9), 2 / 60) == shanghai(11, 24, 9, 1)
    with pytest.raises(ValueError, match="400 days"):
        one_minute_a_day.add(shanghai(11, 23, 9), 24 * 60)


@pytest.mark.parametrize("clock", [CN_WORKING, CN_CALENDAR], ids=["working", "calendar"])
def test_negative_hours_and_naive_times_are_refused(clock):
    with pytest.raises(ValueError, match="negative"):
        clock.add(shanghai(11, 23, 10), -1)
    with pytest.raises(ValueError, match="aware"):
        clock.add(datetime(2026, 11, 23, 10), 1)  # noqa: DTZ001 (a naive time is what is refused)
    with pytest.raises(ValueError, match="aware"):
        clock.elapsed(datetime(2026, 11, 23, 10), datetime(2026, 11, 23, 12))  # noqa: DTZ001 (refused)


@pytest.mark.parametrize(
    ("respond", "resolve", "problem"),
    [
        (1, 4, None),
        (4, 4, None),
        (0.5, 24 * 60, None),
        (0, 4, "not_positive"),
        (-1, 4, "not_positive"),
        (1, 0, "not_positive"),
        (math.nan, 4, "not_positive"),
        (5, 4, "respond_after_resolve"),
        (1, 24 * 60 + 1, "too_long"),
    ],
)
def test_valid_hours_names_the_problem(respond, resolve, problem):
    assert valid_hours(respond, resolve) == problem


def test_the_default_hours_cover_every_severity_and_are_valid():
    assert tuple(DEFAULT_SLA_HOURS) == SEVERITIES
    assert all(valid_hours(*hours) is None for hours in DEFAULT_SLA_HOURS.values())
