"""The plan: what to write, made before anything is written. Its customers, visits, orders, pool
moves and complaints, and the seeded planner that makes them."""

from __future__ import annotations

import dataclasses
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.playground.sample.cast import IDS, TIMEZONE
from bot.playground.sample.days import Calendar
from bot.playground.sample.words import Words
from bot.rules import churn as churn_rules
from bot.rules.calendar import zone
from bot.rules.followups import CADENCE_DAYS
from bot.rules.names import name_key
from bot.rules.pool import PoolRules
from bot.rules.recycle import days_without_visit

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
class _Move:
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
class _Complaint:
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
    moves: list[_Move] = field(default_factory=list)
    complaints: list[_Complaint] = field(default_factory=list)

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
OVERDUE = "overdue_"  # a story: "overdue_3" is a follow-up 3 days overdue on day 1
# The levels some parts need: the recycle periods (A 15, B 30, C 45 days) set when they go back.
# B for the overdue follow-ups: their visits a fortnight ago keep them far from their recycle.
_STORY_LEVELS = {
    "recycle_mei_b": "B", "recycle_mei_a": "A", "recycle_li_c": "C",
    "overdue_1": "B", "overdue_2": "B", "overdue_3": "B", "overdue_5": "B",
}  # fmt: skip
REPS = (MEI, LI, WANG)


class Planner:
    """Makes the plan from a seeded random generator: the crowd first, then the parts of the story."""

    def __init__(self, rng: random.Random, words: Words, calendar: Calendar, rules: Rules) -> None:
        self.rng, self.words, self.cal, self.rules = rng, words, calendar, rules
        self.plan = Plan()
        self.keys: set[str] = set()
        self.phones: set[str] = set()

    def make(self) -> Plan:
        self._cast_customers()
        self._buy()
        self._rank_levels()
        self._visit()
        self._visits_yesterday()
        self._move()
        self._complain()
        return self.plan

    # customers
    def _cast_customers(self) -> None:
        total = self.rng.randint(250, 290)
        fixed = [
            ("acme", MEI, DEALT_COHORT, "A"), ("blue_river", None, POOL_COHORT, "B"),
            ("northwind", MEI, PROSPECT_COHORT, "B"), ("harbor", None, POOL_COHORT, "C"),
            ("summit", None, POOL_COHORT, "B"), ("evergreen", MEI, DEALT_COHORT, "B"),
            ("jade", LI, DEALT_COHORT, "B"),
        ]  # fmt: skip
        for story, owner, cohort, level in fixed:
            self._add(self.words.fixed[story], owner, cohort, level, story)
        claimed_later, released_later = 7, 1  # the story's claims and Li's release
        pool_cohort = round(total * 0.4) + claimed_later - released_later
        pool_cohort -= sum(1 for part in fixed if part[2] == POOL_COHORT)
        for _ in range(pool_cohort):
            self._add(self._new_name(), None, POOL_COHORT, self._prospect_level())
        owned = total - len(self.plan.customers)
        owners = [REPS[n % len(REPS)] for n in range(owned)]
        self.rng.shuffle(owners)
        for n, owner in enumerate(owners):
            cohort = DEALT_COHORT if n % 2 == 0 else PROSPECT_COHORT
            self._add(self._new_name(), owner, cohort, self._prospect_level())
        self._cast_roles()

    def _cast_roles(self) -> None:
        """Parts of the story for customers of the crowd."""
        parts = [
            (
                None,
                POOL_COHORT,
                ("recycle_mei_b", "recycle_mei_a", "recycle_li_c", "claim_wang", "claim_wang"),
            ),
            (MEI, PROSPECT_COHORT, ("overdue_1", "overdue_3", "overdue_5")),  # days overdue on day 1
            (LI, PROSPECT_COHORT, ("overdue_2", "release")),
            (LI, DEALT_COHORT, ("stopped",)),
            (WANG, DEALT_COHORT, ("stopped", "spend_down", "complaint_wang")),
        ]
        for owner, cohort, stories in parts:
            for customer, story in zip(self.plan.crowd(owner, cohort), stories, strict=False):
                customer.story = story
                customer.level = _STORY_LEVELS.get(story, customer.level)

    def _add(self, name: str, owner: str | None, cohort: str, level: str, story: str = "") -> None:
        self.keys.add(name_key(name))
        first, contact = self.words.contact(self.rng)
        details = {
            "contact_person": contact,
            "phone": self._new_phone(),
            "email": self.words.mail(self.rng, first, name_key(name)),
            "region": self.rng.choice(self.words.regions),
            "industry": self.rng.choice(self.words.industries),
            "products": self.rng.choice(self.words.products),
            "tags": self.rng.choice(self.words.tags),
            "source": self.rng.choice(self.words.sources),
        }
        self.plan.customers.append(PlannedCustomer(name, owner, cohort, level, story, details))

    def _new_name(self) -> str:
        """A company name whose key no other customer has (the import would skip a duplicate)."""
        while True:
            name = self.words.company(self.rng)
            if name_key(name) not in self.keys:
                return name

    def _new_phone(self) -> str:
        while True:
            phone = f"1{self.rng.choice('3589')}{self.rng.randint(0, 9)} {self.rng.randint(0, 9999):04d} {self.rng.randint(0, 9999):04d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _prospect_level(self) -> str:
        return self.rng.choices(("A", "B", "C"), weights=(2, 4, 4))[0]

    # orders
    def _buy(self) -> None:
        for customer in self.plan.customers:
            if customer.cohort == DEALT_COHORT:
                self.plan.orders += self._orders_of(customer)

    def _orders_of(self, customer: PlannedCustomer) -> list[Order]:
        if customer.story == "acme":
            return self._stopped_orders(customer, gap=30, size=160_000, stop=self.cal.day1(-75))
        if customer.story == "stopped":
            gap = self.rng.randint(20, 35)
            stop = self.cal.day1(-(2 * gap + self.rng.randint(10, 25)))
            return self._stopped_orders(customer, gap=gap, size=self.rng.randint(20, 60) * 1000, stop=stop)
        if customer.story == "spend_down":
            return self._shrinking_orders(customer)
        return self._steady_orders(customer)

    def _steady_orders(self, customer: PlannedCustomer) -> list[Order]:
        """A buyer no churn signal fires on, from today to a few days past the tour."""
        orders: list[Order] = []
        for _ in range(STEADY_ATTEMPTS):
            orders = self._new_buyer(customer) if self.rng.random() < 0.12 else self._regular_buyer(customer)
            if self._quiet(orders):
                break
        return orders

    def _new_buyer(self, customer: PlannedCustomer) -> list[Order]:
        day = self.cal.working_day_in(self.rng, self.cal.day1(-80), self.cal.last_working_day)
        return [self._order(customer, day, self.rng.randint(3, 40) * 1000)]

    def _regular_buyer(self, customer: PlannedCustomer) -> list[Order]:
        gap = self.rng.randint(14, 35)
        last = self.cal.working_on_or_before(
            self.cal.last_working_day - timedelta(days=self.rng.randint(0, gap - 2))
        )
        return self._every(customer, gap, self.rng.randint(3, 60) * 1000, _orders_over(self.rng, gap), last)

    def _stopped_orders(self, customer: PlannedCustomer, *, gap: int, size: int, stop: date) -> list[Order]:
        """A regular rhythm that stopped: the order gap (and the spend) signals fire."""
        return self._every(
            customer, gap, size, _orders_over(self.rng, gap), self.cal.working_on_or_before(stop)
        )

    def _shrinking_orders(self, customer: PlannedCustomer) -> list[Order]:
        """Orders as regular as ever, but the last 90 days' at 40 % of the amounts before."""
        gap, size = self.rng.randint(14, 21), self.rng.randint(20, 50) * 1000
        orders = self._every(customer, gap, size, _orders_over(self.rng, gap), self.cal.last_working_day)
        recent = self.cal.today - timedelta(days=churn_rules.SPEND_WINDOW_DAYS - 1)
        return [dataclasses.replace(o, amount=o.amount * 2 // 5) if o.day >= recent else o for o in orders]

    def _every(self, customer: PlannedCustomer, gap: int, size: int, count: int, last: date) -> list[Order]:
        """`count` orders about `gap` days apart, the last on `last`."""
        orders, day = [], last
        for _ in range(count):
            orders.append(self._order(customer, day, size))
            day = self.cal.working_on_or_before(day - timedelta(days=gap + self.rng.randint(-3, 3)))
        return orders

    def _order(self, customer: PlannedCustomer, day: date, size: int) -> Order:
        amount = round(size * self.rng.uniform(0.92, 1.08))
        return Order(customer.name, day, amount, customer.details["products"])

    def _quiet(self, orders: list[Order]) -> bool:
        """Neither the order gap nor the spend signal fires from today until a few days after day 1."""
        end = self.cal.day1(HEALTHY_MARGIN_DAYS)
        days = [self.cal.today + timedelta(days=n) for n in range((end - self.cal.today).days + 1)]
        return not any(_order_gap(orders, day) or _spend_down(orders, day) for day in days)

    def _rank_levels(self) -> None:
        """The buyers' levels as the `tiers` job would set them, so its first run changes (almost) none."""
        since = self.cal.today - timedelta(days=364)
        revenue = {c.name: 0 for c in self.plan.customers if c.cohort == DEALT_COHORT}
        for order in self.plan.orders:
            if since <= order.day <= self.cal.today:
                revenue[order.customer] += order.amount
        ranked = sorted(revenue.values())
        a_share = self.rules.tier_a_percent / 100
        ab_share = (self.rules.tier_a_percent + self.rules.tier_b_percent) / 100
        for customer in self.plan.customers:
            if customer.cohort == DEALT_COHORT:
                place = (len(ranked) - bisect_left(ranked, revenue[customer.name])) / len(ranked)
                customer.level = "A" if place <= a_share else "B" if place <= ab_share else "C"

    # visits
    def _visit(self) -> None:
        for customer in self.plan.customers:
            if customer.owner is None:
                continue  # the pool's customers, and those the story claims later: nobody visits them
            if customer.story.startswith(OVERDUE):
                self._overdue_visits(customer, int(customer.story.removeprefix(OVERDUE)))
                continue
            visit = {
                "acme": self._acme_visits,
                "northwind": self._northwind_visits,
                "stopped": self._neglected_visits,
                "spend_down": self._neglected_visits,
            }.get(customer.story, self._healthy_visits)
            visit(customer)

    def _since(self, customer: PlannedCustomer) -> date:
        owned_from = (self.cal.now - COHORT_AGE[customer.cohort]).astimezone(zone(TIMEZONE)).date()
        return max(self.cal.day1(-VISIT_HISTORY_DAYS), owned_from + timedelta(days=1))

    def _limit_days(self, customer: PlannedCustomer) -> int:
        """How long the customer may go without a visit: the churn cadence for buyers, the recycle
        period for prospects."""
        if customer.cohort == DEALT_COHORT:
            return CADENCE_DAYS[customer.level]
        return days_without_visit(self.rules.pool, customer.level)

    def _healthy_visits(self, customer: PlannedCustomer) -> None:
        limit = self._limit_days(customer)
        lowest = max(self.cal.day1(HEALTHY_MARGIN_DAYS - limit), self._since(customer))
        last = self.cal.working_day_in(self.rng, lowest, self.cal.last_working_day)
        follow_up = self._promised_after(customer, last) if self.rng.random() < 0.7 else None
        self._visit_run(customer, last, self._since(customer), spacing=limit * 2 // 3, follow_up=follow_up)

    def _promised_after(self, customer: PlannedCustomer, visited: date) -> date:
        """A follow-up after day 1 (day 1's reminders tell the story's own), on a working day: the
        level's cadence from the visit, or a day of the tour's first weeks when that has passed."""
        cadence = CADENCE_DAYS[customer.level]
        promised = visited + timedelta(days=self.rng.randint(cadence // 2, cadence))
        if promised <= self.cal.first_day:
            promised = self.cal.day1(self.rng.randint(1, 20))
        return self.cal.working_on_or_after(promised)

    def _neglected_visits(self, customer: PlannedCustomer) -> None:
        """Visits that stopped a while before the level's cadence ran out: contact overdue."""
        last = self.cal.working_on_or_before(
            self.cal.day1(-CADENCE_DAYS[customer.level] - self.rng.randint(5, 20))
        )
        self._visit_run(customer, last, self._since(customer), spacing=30)

    def _acme_visits(self, customer: PlannedCustomer) -> None:
        """Good ratings until the complaint's follow-up call (10 days ago) gave a 2."""
        for days in (-25, -48, -70):
            day = self.cal.working_on_or_before(self.cal.day1(days))
            self.plan.visits.append(self._visit_on(customer, day, satisfaction=4))

    def _northwind_visits(self, customer: PlannedCustomer) -> None:
        last = self.cal.working_on_or_before(self.cal.day1(-14))
        self._visit_run(customer, last, self._since(customer), spacing=20, follow_up=self.cal.first_day)

    def _overdue_visits(self, customer: PlannedCustomer, days_overdue: int) -> None:
        """A follow-up promised for a day now past: its visit goes in as of `overdue_clock_day`, the
        earlier visits with the rest."""
        clock_day = overdue_clock_day(self.cal)
        last = self.cal.working_day_in(self.rng, clock_day - timedelta(days=8), clock_day)
        self._visit_run(customer, last - timedelta(days=10), self._since(customer), spacing=20)
        follow_up = self.cal.day1(-days_overdue)
        self.plan.visits.append(self._visit_on(customer, last, follow_up=follow_up, early=True))

    def _visit_run(
        self,
        customer: PlannedCustomer,
        last: date,
        since: date,
        *,
        spacing: int,
        follow_up: date | None = None,
    ) -> None:
        """Visits from `last` back to `since`, a few days to `spacing` apart; the latest promises the
        follow-up."""
        day = last
        while day >= since:
            satisfaction = self.rng.choice((3, 4, 4, 5, 5)) if self.rng.random() < 0.35 else None
            self.plan.visits.append(self._visit_on(customer, day, satisfaction, follow_up))
            follow_up = None
            gap = self.rng.randint(max(1, spacing // 2), max(1, spacing))
            day = self.cal.working_on_or_before(day - timedelta(days=gap))

    def _visit_on(
        self,
        customer: PlannedCustomer,
        day: date,
        satisfaction: int | None = None,
        follow_up: date | None = None,
        *,
        early: bool = False,
    ) -> Visit:
        kind = self.rng.choice(("call", "call", "on_site", "message", "email", "meeting"))
        note = self.rng.choice(self.words.notes)
        return Visit(customer.name, customer.owner or "", day, kind, note, satisfaction, follow_up, early)

    def _visits_yesterday(self) -> None:
        """At least two visits by each rep on the working day before day 1, for day 1's digest."""
        day = self.cal.last_working_day
        for rep in REPS:
            done = sum(1 for v in self.plan.visits if v.author == rep and v.day == day)
            healthy = [c for c in self.plan.customers if c.owner == rep and not c.story]
            for customer in self.rng.sample(healthy, max(0, 2 - done)):
                self.plan.visits.append(self._visit_on(customer, day))

    # pool moves and complaints
    def _move(self) -> None:
        """Claims made so that each customer's recycle falls in the first nights, and Wang's claims
        and Li's release of the day before day 1 (for the digest)."""
        morning = self.cal.first_morning
        recycles = (
            ("harbor", MEI, timedelta(hours=15), False), ("recycle_mei_b", MEI, timedelta(days=1, hours=15), False),
            ("summit", LI, timedelta(days=1, hours=16), True), ("recycle_mei_a", MEI, timedelta(days=2, hours=12), False),
            ("recycle_li_c", LI, timedelta(days=2, hours=15), False),
        )  # fmt: skip
        for story, rep, after, no_order in recycles:
            customer = self.plan.named(story)
            period = self.rules.pool.days_to_first_order if no_order else self._limit_days(customer)
            self.plan.moves.append(_Move(customer.name, rep, morning + after - timedelta(days=period)))
            customer.owner = rep
        yesterday = self.cal.last_working_day
        for customer, hour in zip(
            [c for c in self.plan.customers if c.story == "claim_wang"], (10, 14), strict=True
        ):
            self.plan.moves.append(_Move(customer.name, WANG, self.cal.at(yesterday, hour, 30)))
            customer.owner = WANG
        released = self.plan.named("release")
        release = _Move(
            released.name, LI, self.cal.at(yesterday, 16), release=True, note=self.words.release_note
        )
        self.plan.moves.append(release)
        self._summit_visits()

    def _summit_visits(self) -> None:
        """Li visits Summit after claiming it, so it is the missing order that sends it back."""
        summit = self.plan.named("summit")
        for days in (-40, -9):
            day = self.cal.working_on_or_before(self.cal.day1(days))
            self.plan.visits.append(self._visit_on(summit, day))

    def _complain(self) -> None:
        now, texts, cal = self.cal.now, self.words.complaint_texts, self.cal
        acme, evergreen = self.plan.named("acme").name, self.plan.named("evergreen").name
        self.plan.complaints += [
            _Complaint(acme, MEI, "quality", "high", texts["acme"], cal.at(cal.today - timedelta(days=12), 10, 30), (
                Step(timedelta(hours=1), "acknowledge"),
                Step(timedelta(days=1, hours=2), "resolve", texts["acme_resolution"]),
                Step(timedelta(days=2, hours=4), "close", texts["acme_comment"], satisfaction=2),
            )),
            _Complaint(evergreen, MEI, "billing", "low", texts["evergreen_billing"], cal.at(cal.today - timedelta(days=15), 11), (
                Step(timedelta(hours=2), "acknowledge"),
                Step(timedelta(days=1), "resolve", texts["evergreen_resolution"]),
                Step(timedelta(days=2), "close", texts["evergreen_comment"], satisfaction=4),
            )),
            _Complaint(evergreen, MEI, "service", "medium", texts["evergreen_service"], now - timedelta(hours=30), (
                Step(timedelta(hours=2), "acknowledge"),
            )),
            _Complaint(self.plan.named("jade").name, LI, "delivery", "urgent", texts["jade"], now - timedelta(minutes=20)),
            _Complaint(self.plan.named("complaint_wang").name, WANG, "quality", "low", texts["wang"], now - timedelta(hours=3)),
        ]  # fmt: skip


def _orders_over(rng: random.Random, gap: int) -> int:
    """How many orders `gap` days apart fill one to two years."""
    return max(FEWEST_ORDERS, round(rng.randint(365, 700) / gap))


def overdue_clock_day(calendar: Calendar) -> date:
    """The day the overdue follow-ups were promised on (a follow-up is promised for today or later)."""
    return min(calendar.first_day, calendar.today) - timedelta(days=6)


def _order_gap(orders: list[Order], today: date) -> bool:
    """store.churn.order_gap for one customer."""
    days = [order.day for order in orders if order.day <= today]
    if len(days) < 2:
        return False
    since = (today - max(days)).days
    span = (max(days) - min(days)).days
    gap = churn_rules.GAP_MULTIPLIER
    return since > gap * churn_rules.MIN_USUAL_GAP_DAYS and since * (len(days) - 1) > gap * span


def _spend_down(orders: list[Order], today: date) -> bool:
    """store.churn.spend_down for one customer."""
    recent_from = today - timedelta(days=churn_rules.SPEND_WINDOW_DAYS - 1)
    previous_from = recent_from - timedelta(days=churn_rules.SPEND_WINDOW_DAYS)
    recent = sum(o.amount for o in orders if recent_from <= o.day <= today)
    previous = sum(o.amount for o in orders if previous_from <= o.day < recent_from)
    return previous > 0 and recent * 100 <= previous * (100 - churn_rules.SPEND_DROP_PERCENT)
