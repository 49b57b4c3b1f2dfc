"""Customer value and lifecycle: the level tiers, the stages, and the lifetime value estimate.

Levels (the `tiers` job, nightly): among the customers who have ordered, ranked by revenue of the last
12 months, the top `a_percent` are A, the next `b_percent` B, the rest C (defaults 20 % and 30 %). A
level set by hand is kept until cleared; prospects keep the level they were given.

Stages (PRODUCT.md): prospect (never ordered) → new (first order within 90 days) → active → at risk
(churn band at risk or critical) → dormant (no order for twice the usual gap, or for over 365 days) →
won back (an order after dormant; active again 90 days later). Lost is marked by hand with a reason and
undone by a new order.

Lifetime value = average order × orders a year × expected years, where expected years come from the
workspace's own retention r (the share of last year's buying customers who bought again this year):
1 / (1 − r), between 1 and 10 years; with fewer than 20 such customers, 3 years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEFAULT_A_PERCENT = 20
DEFAULT_B_PERCENT = 30
REVENUE_DAYS = 365
NEW_DAYS = 90
WON_BACK_DAYS = 90
DORMANT_DAYS = 365
DEFAULT_YEARS = 3.0
MIN_RETENTION_BASE = 20
MAX_YEARS = 10.0

PROSPECT, INTERESTED, NEW, ACTIVE, AT_RISK, DORMANT, WON_BACK, LOST = (
    "prospect", "interested", "new", "active", "at_risk", "dormant", "won_back", "lost",
)  # fmt: skip


def expected_years(retention_percent: int | None, base: int) -> float:
    """How many years a customer keeps buying, from the workspace's retention."""
    if retention_percent is None or base < MIN_RETENTION_BASE:
        return DEFAULT_YEARS
    churn = 1 - retention_percent / 100
    return MAX_YEARS if churn <= 1 / MAX_YEARS else max(1.0, 1 / churn)


@dataclass(frozen=True)
class Value:
    """A customer's value, in minor units of the workspace currency."""

    revenue_12m: int
    orders_12m: int
    average_order: int
    lifetime: int  # the estimate
    years: float  # the horizon it used


def value_of(
    *,
    revenue_12m: int,
    orders_12m: int,
    revenue_all: int,
    orders_all: int,
    first_order_on: date | None,
    today: date,
    years: float,
) -> Value:
    """Average order over every order; orders a year over the time since the first (at least a year)."""
    if orders_all <= 0 or first_order_on is None:
        return Value(revenue_12m, orders_12m, 0, 0, years)
    average = round(revenue_all / orders_all)
    span_years = max(1.0, (today - first_order_on).days / 365)
    per_year = orders_all / span_years
    return Value(revenue_12m, orders_12m, average, round(average * per_year * years), years)
