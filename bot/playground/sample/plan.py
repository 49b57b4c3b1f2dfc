"""The plan: what to write, made before anything is written, by a seeded planner: the crowd of
customers first, then the parts of the story (its data in `planned`, its orders in `plan_orders`, its
visits in `plan_visits`)."""

from __future__ import annotations

import random
from datetime import timedelta

from bot.playground.sample.days import Calendar
from bot.playground.sample.plan_orders import Orders
from bot.playground.sample.plan_visits import Visits, overdue_clock_day
from bot.playground.sample.planned import (
    COHORT_AGE,
    DEALT_COHORT,
    LI,
    MEI,
    POOL_COHORT,
    PROSPECT_COHORT,
    REPS,
    WANG,
    Complaint,
    Move,
    Order,
    Plan,
    PlannedCustomer,
    Rules,
    Step,
    Visit,
)
from bot.playground.sample.words import Words
from bot.rules.names import name_key

__all__ = [
    "COHORT_AGE", "POOL_COHORT", "Order", "Plan", "PlannedCustomer", "Planner", "Rules", "Step", "Visit",
    "overdue_clock_day",
]  # fmt: skip

# The levels some parts need: the recycle periods (A 15, B 30, C 45 days) set when they go back.
# B for the overdue follow-ups: their visits a fortnight ago keep them far from their recycle.
_STORY_LEVELS = {
    "recycle_mei_b": "B", "recycle_mei_a": "A", "recycle_li_c": "C",
    "overdue_1": "B", "overdue_2": "B", "overdue_3": "B", "overdue_5": "B",
}  # fmt: skip


class Planner(Orders, Visits):
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
            self.plan.moves.append(Move(customer.name, rep, morning + after - timedelta(days=period)))
            customer.owner = rep
        yesterday = self.cal.last_working_day
        for customer, hour in zip(
            [c for c in self.plan.customers if c.story == "claim_wang"], (10, 14), strict=True
        ):
            self.plan.moves.append(Move(customer.name, WANG, self.cal.at(yesterday, hour, 30)))
            customer.owner = WANG
        released = self.plan.named("release")
        release = Move(
            released.name, LI, self.cal.at(yesterday, 16), release=True, note=self.words.release_note
        )
        self.plan.moves.append(release)
        self._summit_visits()

    def _complain(self) -> None:
        now, texts, cal = self.cal.now, self.words.complaint_texts, self.cal
        acme, evergreen = self.plan.named("acme").name, self.plan.named("evergreen").name
        self.plan.complaints += [
            Complaint(acme, MEI, "quality", "high", texts["acme"], cal.at(cal.today - timedelta(days=12), 10, 30), (
                Step(timedelta(hours=1), "acknowledge"),
                Step(timedelta(days=1, hours=2), "resolve", texts["acme_resolution"]),
                Step(timedelta(days=2, hours=4), "close", texts["acme_comment"], satisfaction=2),
            )),
            Complaint(evergreen, MEI, "billing", "low", texts["evergreen_billing"], cal.at(cal.today - timedelta(days=15), 11), (
                Step(timedelta(hours=2), "acknowledge"),
                Step(timedelta(days=1), "resolve", texts["evergreen_resolution"]),
                Step(timedelta(days=2), "close", texts["evergreen_comment"], satisfaction=4),
            )),
            Complaint(evergreen, MEI, "service", "medium", texts["evergreen_service"], now - timedelta(hours=30), (
                Step(timedelta(hours=2), "acknowledge"),
            )),
            Complaint(self.plan.named("jade").name, LI, "delivery", "urgent", texts["jade"], now - timedelta(minutes=20)),
            Complaint(self.plan.named("complaint_wang").name, WANG, "quality", "low", texts["wang"], now - timedelta(hours=3)),
        ]  # fmt: skip
