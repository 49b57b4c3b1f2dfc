from datetime import UTC, date, datetime, time

import pytest

from bot.rules.calendar import due_day, is_working_day, next_send_at, next_working_day

NINE = time(9, 0)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-11-23", True),  # a Monday
        ("2026-11-28", False),  # a Saturday
        ("2026-10-01", False),  # National Day
        ("2026-10-10", True),  # a Saturday worked to make up for the National Day holiday (调休)
        ("2026-02-14", True),  # a make-up Saturday before the Spring Festival
    ],
)
def test_working_days_in_china_know_holidays_and_make_up_days(day, working):
    assert is_working_day(date.fromisoformat(day), "CN") is working


def test_a_country_the_package_does_not_know_works_monday_to_friday():
    assert is_working_day(date(2026, 11, 23), "XX")
    assert not is_working_day(date(2026, 11, 28), "XX")


@pytest.mark.parametrize("country", ["IL", "SA"])
def test_in_israel_and_saudi_arabia_the_week_runs_from_sunday_to_thursday(country):
    sunday, friday = date(2026, 11, 29), date(2026, 11, 27)
    assert is_working_day(sunday, country)
    assert not is_working_day(friday, country)


@pytest.mark.parametrize(
    ("after", "next_day"),
    [
        ("2026-11-23", "2026-11-24"),  # Monday → Tuesday
        ("2026-11-27", "2026-11-30"),  # Friday → Monday
        ("2026-09-30", "2026-10-08"),  # before the National Day holiday (Oct 1–7) → after it
    ],
)
def test_the_next_working_day_skips_weekends_and_holidays(after, next_day):
    assert next_working_day(date.fromisoformat(after), "CN") == date.fromisoformat(next_day)


def test_a_morning_send_is_due_from_its_hour_on_a_working_day_in_the_persons_zone():
    before = datetime(2026, 11, 23, 0, 59, tzinfo=UTC)  # 08:59 in Shanghai
    after = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    assert due_day(before, "Asia/Shanghai", NINE, "CN") is None
    assert due_day(after, "Asia/Shanghai", NINE, "CN") == date(2026, 11, 23)
    assert due_day(after, "Europe/London", NINE, "GB") is None  # 01:00 in London


def test_no_send_is_due_on_a_holiday_even_late_in_the_day():
    assert due_day(datetime(2026, 10, 1, 8, 0, tzinfo=UTC), "Asia/Shanghai", NINE, "CN") is None


def test_the_next_send_skips_the_national_day_holiday_and_keeps_the_make_up_saturday():
    after_last_send = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 on 30 Sep in Shanghai
    assert next_send_at(after_last_send, "Asia/Shanghai", NINE, "CN") == datetime(
        2026, 10, 8, 1, 0, tzinfo=UTC
    )
    friday = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
    assert next_send_at(friday, "Asia/Shanghai", NINE, "CN") == datetime(2026, 10, 10, 1, 0, tzinfo=UTC)
