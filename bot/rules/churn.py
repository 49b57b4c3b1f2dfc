"""Churn warnings: the signals, their points, the bands, and the facts that explain a warning.

A dealt customer is scored every night. Each signal that fires adds its points; the score gives the
band. The SQL that finds where each signal fires lives in `store.churn` (one small function per
signal); this module holds the numbers both sides share and turns a customer's facts into reasons.

Points and bands (decided here, written in the README):
- contact overdue for the level's cadence (A 14, B 30, C 60 days): 1 point — alone, a watch;
- the last recorded satisfaction 2 or lower: 2 points;
- spend of the last 90 days down 30 % or more on the 90 days before: 2 points;
- days since the last order beyond twice the customer's usual gap: 3 points — alone, at risk;
- 2 or more complaints in 30 days, or an urgent one open: 3 points — alone, at risk.
Score 1–2 is watch, 3–4 at risk, 5 or more critical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntFlag
from typing import Protocol

from bot.rules.followups import CADENCE_DAYS

BAND_NONE = "none"
BAND_WATCH = "watch"
BAND_AT_RISK = "at_risk"
BAND_CRITICAL = "critical"
BAND_RANK = {BAND_NONE: 0, BAND_WATCH: 1, BAND_AT_RISK: 2, BAND_CRITICAL: 3}
# The lowest score of each band, highest band first.
BAND_FLOORS = ((5, BAND_CRITICAL), (3, BAND_AT_RISK), (1, BAND_WATCH))
# Bands serious enough to be told again, once a week, while they last.
REPEATED_BANDS = (BAND_AT_RISK, BAND_CRITICAL)
REPEAT_EVERY_DAYS = 7

GAP_MULTIPLIER = 2
# Two orders a day apart are not a rhythm: the usual gap counts as at least a week.
MIN_USUAL_GAP_DAYS = 7
SPEND_WINDOW_DAYS = 90
SPEND_DROP_PERCENT = 30
LOW_SATISFACTION = 2


class Signal(IntFlag):
    """One bit per signal, kept in churn_state.signals and churn_change.signals."""

    CONTACT_OVERDUE = 1
    ORDER_GAP = 2
    SPEND_DOWN = 4
    LOW_SATISFACTION = 8
    COMPLAINTS = 16


POINTS = {
    Signal.CONTACT_OVERDUE: 1,
    Signal.LOW_SATISFACTION: 2,
    Signal.SPEND_DOWN: 2,
    Signal.ORDER_GAP: 3,
    Signal.COMPLAINTS: 3,
}


def band_for(score: int) -> str:
    for floor, band in BAND_FLOORS:
        if score >= floor:
            return band
    return BAND_NONE


def cadence_days(level: str) -> int:
    return CADENCE_DAYS.get(level, CADENCE_DAYS["C"])


def usual_gap_days(first_order_on: date | None, last_order_on: date | None, order_count: int) -> int | None:
    """The customer's usual days between orders (span / gaps), at least a week; None below two orders."""
    if first_order_on is None or last_order_on is None or order_count < 2:
        return None
    span = (last_order_on - first_order_on).days
    return max(MIN_USUAL_GAP_DAYS, round(span / (order_count - 1)))


def spend_change_percent(recent: int, previous: int) -> int | None:
    """Spend of the last window against the one before, in whole percent (−35 means down 35 %)."""
    if previous <= 0:
        return None
    return round((recent - previous) * 100 / previous)


@dataclass(frozen=True)
class Facts:
    """What a warning says about one customer, read when the warning is written."""

    level: str
    last_contact_on: date | None
    last_order_on: date | None
    usual_gap: int | None
    spend_recent: int
    spend_previous: int
    last_satisfaction: int | None
    complaints_recent: int = 0
    urgent_complaint_open: bool = False


class FactsSource(Protocol):
    """A customer row, or a warning row read with it: where the facts come from."""

    @property
    def level(self) -> str: ...
    @property
    def last_visit_on(self) -> date | None: ...
    @property
    def first_order_on(self) -> date | None: ...
    @property
    def last_order_on(self) -> date | None: ...
    @property
    def order_count(self) -> int: ...
    @property
    def last_satisfaction(self) -> int | None: ...


def facts_of(
    source: FactsSource,
    spend_recent: int,
    spend_previous: int,
    complaints_recent: int = 0,
    urgent_open: bool = False,
) -> Facts:
    return Facts(
        level=source.level,
        last_contact_on=source.last_visit_on or source.first_order_on,
        last_order_on=source.last_order_on,
        usual_gap=usual_gap_days(source.first_order_on, source.last_order_on, source.order_count),
        spend_recent=spend_recent,
        spend_previous=spend_previous,
        last_satisfaction=source.last_satisfaction,
        complaints_recent=complaints_recent,
        urgent_complaint_open=urgent_open,
    )


@dataclass(frozen=True)
class Reason:
    """One signal of a warning with the numbers that explain it."""

    signal: Signal
    days: int = 0
    limit: int = 0  # the cadence, the usual gap, or the satisfaction scale
    percent: int = 0
    level: str = ""


def reasons(facts: Facts, signals: int, today: date) -> list[Reason]:
    """The reasons for the signals that fired (strongest first), each with its numbers as of today."""
    found = []
    fired = Signal(signals)
    if Signal.ORDER_GAP in fired and facts.last_order_on is not None and facts.usual_gap is not None:
        found.append(Reason(Signal.ORDER_GAP, days=(today - facts.last_order_on).days, limit=facts.usual_gap))
    if Signal.SPEND_DOWN in fired:
        change = spend_change_percent(facts.spend_recent, facts.spend_previous)
        if change is not None:
            found.append(Reason(Signal.SPEND_DOWN, percent=-change))
    if Signal.COMPLAINTS in fired:
        found.append(
            Reason(Signal.COMPLAINTS, days=facts.complaints_recent, limit=int(facts.urgent_complaint_open))
        )
    if Signal.LOW_SATISFACTION in fired and facts.last_satisfaction is not None:
        found.append(Reason(Signal.LOW_SATISFACTION, limit=facts.last_satisfaction))
    if Signal.CONTACT_OVERDUE in fired and facts.last_contact_on is not None:
        days = (today - facts.last_contact_on).days
        found.append(
            Reason(Signal.CONTACT_OVERDUE, days=days, limit=cadence_days(facts.level), level=facts.level)
        )
    return found
