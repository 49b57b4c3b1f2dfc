"""Recycling's rules (pure): when an owned customer goes back to the pool and why, when its owner is
warned, how a visit restarts the clock and how far an extension holds it.

The nightly SQL (store/recycle.py) selects exactly the customers `recycle_at` says are due; a
property-based test (tests/test_recycle_due_soon.py) holds the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.rules.calendar import zone

if TYPE_CHECKING:  # the workspace's pool settings; bot.rules.pool re-exports these rules
    from bot.rules.pool import PoolRules


class RecycleReason(StrEnum):
    NO_VISIT = "no_visit"
    NO_ORDER = "no_order"


@dataclass(frozen=True)
class Holding:
    """The facts about one owned customer that decide when it goes back to the pool."""

    level: str
    owned_since: datetime
    clock_from: datetime  # the later of owned-since and the start of the last visit's day
    dealt: bool
    locked: bool
    extended_until: datetime | None = None
    opportunity_moved_at: datetime | None = None  # its open opportunities' latest stage move, if any


@dataclass(frozen=True)
class Recycle:
    at: datetime
    reason: RecycleReason
    # No first order, on the opportunity's clock: its open opportunity last moved then.
    opportunity_moved_at: datetime | None = None


def days_without_visit(rules: PoolRules, level: str) -> int:
    return rules.recycle_days_without_visit.get(level, max(rules.recycle_days_without_visit.values()))


def recycle_at(rules: PoolRules, holding: Holding) -> Recycle | None:
    """When the nightly rule recycles this customer and why, or None if it never will.

    No visit for the level's days (the clock runs from the later of owned-since and the last visit's
    day), or no first order within `days_to_first_order` of being claimed (nor within
    `opportunity_spares_days` of its open opportunity's latest move); whichever comes first, and not
    before an extension ends. Locked customers never; customers who ordered only if the admin turned
    the exemption off. The nightly SQL (store/recycle.py) selects exactly these.
    """
    if holding.locked or (holding.dealt and rules.dealt_exempt):
        return None
    due = Recycle(
        holding.clock_from + timedelta(days=days_without_visit(rules, holding.level)), RecycleReason.NO_VISIT
    )
    if not holding.dealt:
        no_order = _no_order_at(rules, holding)
        if no_order.at <= due.at:
            due = no_order
    if holding.extended_until is not None and holding.extended_until > due.at:
        return Recycle(holding.extended_until, due.reason, due.opportunity_moved_at)
    return due


def _no_order_at(rules: PoolRules, holding: Holding) -> Recycle:
    at = holding.owned_since + timedelta(days=rules.days_to_first_order)
    moved = holding.opportunity_moved_at
    if rules.opportunity_spares_days and moved is not None:
        spared_until = moved + timedelta(days=rules.opportunity_spares_days)
        if spared_until > at:
            return Recycle(spared_until, RecycleReason.NO_ORDER, moved)
    return Recycle(at, RecycleReason.NO_ORDER)


def warn_from(rules: PoolRules, recycle: datetime) -> datetime:
    """When the owner is warned that a recycle is coming."""
    return recycle - timedelta(days=rules.warning_days)


def recycle_clock_after_visit(
    clock_from: datetime | None, owned_since: datetime, visited_on: date, timezone: str
) -> datetime:
    """A visit restarts the no-visit clock from the start of its day in the visitor's zone (a visit
    logged for an earlier day never winds the clock back)."""
    day_start = datetime.combine(visited_on, time(0), tzinfo=zone(timezone)).astimezone(owned_since.tzinfo)
    return max(clock_from or owned_since, owned_since, day_start)


def extended_until(rules_days: int, due: datetime, current: datetime | None, now: datetime) -> datetime:
    """An extension adds `rules_days` to the recycle clock: from the later of the recycle it was about,
    an extension already granted, and now."""
    return max(due, current or due, now) + timedelta(days=rules_days)
