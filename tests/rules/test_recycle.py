from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.rules.pool import PoolRules
from bot.rules.recycle import (
    Holding,
    Recycle,
    RecycleReason,
    extended_until,
    recycle_at,
    recycle_clock_after_visit,
    warn_from,
)

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 Dec in Shanghai
RULES = PoolRules()


def owned(level="B", *, days_ago=0, visit_days_ago=None, dealt=False, locked=False, extended_until=None):
    since = NOW - timedelta(days=days_ago)
    visit = NOW - timedelta(days=visit_days_ago) if visit_days_ago is not None else since
    return Holding(
        level=level,
        owned_since=since,
        clock_from=max(since, visit),
        dealt=dealt,
        locked=locked,
        extended_until=extended_until,
    )


def due_at(rules, holding):
    due = recycle_at(rules, holding)
    return due.at if due else None


def test_recycling_counts_from_the_later_of_last_visit_and_owned_since():
    assert recycle_at(RULES, owned("A", days_ago=60, visit_days_ago=5)) == Recycle(
        NOW + timedelta(days=10), RecycleReason.NO_VISIT
    )
    assert due_at(RULES, owned("C", days_ago=10, visit_days_ago=40)) == NOW + timedelta(days=35)


def test_no_first_order_within_90_days_recycles_even_with_visits():
    assert recycle_at(RULES, owned("A", days_ago=85, visit_days_ago=0)) == Recycle(
        NOW + timedelta(days=5), RecycleReason.NO_ORDER
    )


def test_an_extension_holds_the_recycle_until_it_ends_and_keeps_the_reason():
    later = NOW + timedelta(days=12)
    held = recycle_at(RULES, owned("A", days_ago=60, visit_days_ago=10, extended_until=later))
    assert held == Recycle(later, RecycleReason.NO_VISIT)
    earlier = NOW - timedelta(days=1)  # an extension that has run out changes nothing
    assert due_at(
        RULES, owned("A", days_ago=60, visit_days_ago=10, extended_until=earlier)
    ) == NOW + timedelta(days=5)


def test_an_extension_adds_days_from_the_later_of_the_due_recycle_an_earlier_extension_and_now():
    assert extended_until(7, NOW + timedelta(days=2), None, NOW) == NOW + timedelta(days=9)
    assert extended_until(7, NOW - timedelta(days=1), None, NOW) == NOW + timedelta(days=7)
    assert extended_until(7, NOW, NOW + timedelta(days=5), NOW) == NOW + timedelta(days=12)


def test_a_visit_restarts_the_clock_at_the_start_of_its_day_in_the_visitors_zone_never_backwards():
    since = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    clock = recycle_clock_after_visit(None, since, date(2026, 11, 20), "Asia/Shanghai")
    assert clock.isoformat() == "2026-11-19T16:00:00+00:00"
    assert recycle_clock_after_visit(clock, since, date(2026, 11, 5), "Asia/Shanghai") == clock
    assert recycle_clock_after_visit(None, since, date(2026, 10, 1), "Asia/Shanghai") == since


def test_dealt_and_locked_customers_are_exempt_unless_the_exemption_is_off():
    assert recycle_at(RULES, owned(dealt=True)) is None
    assert recycle_at(RULES, owned(locked=True)) is None
    strict = PoolRules(dealt_exempt=False)
    assert due_at(strict, owned("B", days_ago=0, dealt=True)) == NOW + timedelta(days=30)


def test_the_warning_comes_three_days_before():
    assert warn_from(RULES, NOW) == NOW - timedelta(days=3)


@given(st.integers(0, 400), st.one_of(st.none(), st.integers(0, 400)), st.sampled_from("ABC"))
def test_an_owner_always_has_at_least_the_levels_days_after_a_visit(days_ago, visit_days_ago, level):
    if visit_days_ago is not None and visit_days_ago > days_ago:
        visit_days_ago = days_ago
    due = due_at(RULES, owned(level, days_ago=days_ago, visit_days_ago=visit_days_ago))
    assert due is not None
    last_touch = NOW - timedelta(days=visit_days_ago if visit_days_ago is not None else days_ago)
    assert due <= last_touch + timedelta(days=RULES.recycle_days_without_visit[level])
