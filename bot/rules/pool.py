"""The public pool's rules (pure): who may claim, in PRODUCT.md's order, and when a refusal frees up.

The claim checks run in this order: may this person claim -> holding cap -> daily limit ->
previous-owner cooldown. The last step, the atomic write, belongs to the database. Each refusal names
its rule and, where time will lift it, the instant it does ("from 9 Dec 10:00" in the person's zone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.rules.calendar import zone

DEFAULT_RECYCLE_DAYS = {"A": 15, "B": 30, "C": 45}


@dataclass(frozen=True)
class PoolRules:
    """A workspace's pool rules; the defaults are PRODUCT.md's."""

    recycle_days_without_visit: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RECYCLE_DAYS))
    days_to_first_order: int = 90
    dealt_exempt: bool = True
    warning_days: int = 3
    holding_cap: int = 200
    dealt_count_in_cap: bool = False
    daily_claim_limit: int = 10
    cooldown_days: int = 7
    lock_cap: int = 20


class ClaimRule(StrEnum):
    NOT_ALLOWED = "not_allowed"
    HOLDING_CAP = "holding_cap"
    DAILY_LIMIT = "daily_limit"
    COOLDOWN = "cooldown"


@dataclass(frozen=True)
class ClaimFacts:
    """What the service knows about one person claiming one customer, at `now`."""

    now: datetime
    timezone: str
    may_claim: bool
    holding: int  # customers held, counted as the rules say (dealt ones only if they count)
    claims_today: int  # claims since the start of the person's own day
    last_let_go_at: datetime | None  # when this person released or lost this customer, if ever


@dataclass(frozen=True)
class Refusal:
    rule: ClaimRule
    frees_at: datetime | None = None


def start_of_local_day(now: datetime, timezone: str) -> datetime:
    local = now.astimezone(zone(timezone))
    return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)


def next_local_midnight(now: datetime, timezone: str) -> datetime:
    """When "today" ends for the person: the daily claim limit frees up then."""
    local_zone = zone(timezone)
    tomorrow: date = now.astimezone(local_zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=local_zone)


def check_claim(rules: PoolRules, facts: ClaimFacts) -> Refusal | None:
    """The first rule that refuses the claim, or None when it may go ahead to the atomic write."""
    if not facts.may_claim:
        return Refusal(ClaimRule.NOT_ALLOWED)
    if facts.holding >= rules.holding_cap:
        return Refusal(ClaimRule.HOLDING_CAP)
    if facts.claims_today >= rules.daily_claim_limit:
        return Refusal(ClaimRule.DAILY_LIMIT, next_local_midnight(facts.now, facts.timezone))
    if facts.last_let_go_at is not None:
        frees_at = facts.last_let_go_at + timedelta(days=rules.cooldown_days)
        if facts.now < frees_at:
            return Refusal(ClaimRule.COOLDOWN, frees_at.astimezone(zone(facts.timezone)))
    return None


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


@dataclass(frozen=True)
class Recycle:
    at: datetime
    reason: RecycleReason


def days_without_visit(rules: PoolRules, level: str) -> int:
    return rules.recycle_days_without_visit.get(level, max(rules.recycle_days_without_visit.values()))


def recycle_at(rules: PoolRules, holding: Holding) -> Recycle | None:
    """When the nightly rule recycles this customer and why, or None if it never will.

    No visit for the level's days (the clock runs from the later of owned-since and the last visit's
    day), or no first order within `days_to_first_order` of being claimed; whichever comes first, and
    not before an extension ends. Locked customers never; customers who ordered only if the admin
    turned the exemption off. The nightly SQL (store/recycle.py) selects exactly these.
    """
    if holding.locked or (holding.dealt and rules.dealt_exempt):
        return None
    due = Recycle(
        holding.clock_from + timedelta(days=days_without_visit(rules, holding.level)), RecycleReason.NO_VISIT
    )
    if not holding.dealt:
        no_order = holding.owned_since + timedelta(days=rules.days_to_first_order)
        if no_order <= due.at:
            due = Recycle(no_order, RecycleReason.NO_ORDER)
    if holding.extended_until is not None and holding.extended_until > due.at:
        return Recycle(holding.extended_until, due.reason)
    return due


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
