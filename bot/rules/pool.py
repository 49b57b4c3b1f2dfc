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

# Recycling's rules live in bot/rules/recycle.py; these names stay importable from here for the
# modules of other features that still import them from the pool (to move with those modules).
from bot.rules.recycle import Recycle as Recycle
from bot.rules.recycle import RecycleReason as RecycleReason
from bot.rules.recycle import recycle_clock_after_visit as recycle_clock_after_visit

DEFAULT_RECYCLE_DAYS = {"A": 15, "B": 30, "C": 45}


@dataclass(frozen=True)
class PoolRules:
    """A workspace's pool rules; the defaults are PRODUCT.md's."""

    recycle_days_without_visit: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RECYCLE_DAYS))
    days_to_first_order: int = 90
    # A customer with an open opportunity whose stage moved (or that was opened) this recently is not
    # recycled for want of a first order: the clock runs from that move instead. 0: no such exemption.
    opportunity_spares_days: int = 30
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
