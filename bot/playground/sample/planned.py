"""The plan's data: what to write, made before anything is written (its customers, visits, orders, pool
moves and complaints) and the constants the planner's parts share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.playground.sample.cast import IDS
from bot.rules.pool import PoolRules

POOL_COHORT, DEALT_COHORT, PROSPECT_COHORT = "pool", "dealt", "prospect"
# When each cohort came in: the pool's customers long ago, the buyers before their first orders, the
# prospects recently enough that none is near the "no order within 90 days" rule.
COHORT_AGE = {
    POOL_COHORT: timedelta(days=200),
    DEALT_COHORT: timedelta(days=730),
    PROSPECT_COHORT: timedelta(days=50),
}
HEALTHY_MARGIN_DAYS = 6  # a healthy customer is at least this far from a recycle or a churn signal
VISIT_HISTORY_DAYS = 90
STEADY_ATTEMPTS = 30
FEWEST_ORDERS = 6  # a buyer's rhythm needs a few orders to be a rhythm


@dataclass
class PlannedCustomer:
    name: str
    owner: str | None
    cohort: str
    level: str
    story: str = ""  # the part it plays ("" for the crowd)
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Visit:
    customer: str
    author: str
    day: date
    kind: str
    note: str
    satisfaction: int | None = None
    follow_up: date | None = None
    early: bool = False  # imported as of an earlier day: its follow-up is overdue today


@dataclass(frozen=True)
class Order:
    customer: str
    day: date
    amount: int  # yuan
    product: str


@dataclass(frozen=True)
class Move:
    """A claim (to the person) or a release (from them) through the pool service, at `at`."""

    customer: str
    user_id: str
    at: datetime
    release: bool = False
    note: str = ""  # why it was released


@dataclass(frozen=True)
class Step:
    after: timedelta  # after the filing
    action: str  # "acknowledge", "resolve" or "close"
    text: str = ""
    satisfaction: int | None = None


@dataclass(frozen=True)
class Complaint:
    customer: str
    filer: str
    category: str
    severity: str
    description: str
    filed_at: datetime
    steps: tuple[Step, ...] = ()


@dataclass
class Plan:
    customers: list[PlannedCustomer] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)

    def named(self, story: str) -> PlannedCustomer:
        return next(customer for customer in self.customers if customer.story == story)

    def crowd(self, owner: str | None, cohort: str) -> list[PlannedCustomer]:
        return [c for c in self.customers if c.owner == owner and c.cohort == cohort and not c.story]


@dataclass(frozen=True)
class Rules:
    pool: PoolRules
    tier_a_percent: int
    tier_b_percent: int


MEI, LI, WANG = IDS["mei"], IDS["li"], IDS["wang"]
REPS = (MEI, LI, WANG)
OVERDUE = "overdue_"  # a story: "overdue_3" is a follow-up 3 days overdue on day 1
