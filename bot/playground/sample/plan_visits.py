"""The visits in the plan: healthy runs, neglected ones, the stories' own (Acme, Northwind, Summit, the
overdue follow-ups) and each rep's visits of the working day before day 1."""

from __future__ import annotations

import random
from datetime import date, timedelta

from bot.playground.sample.cast import TIMEZONE
from bot.playground.sample.days import Calendar
from bot.playground.sample.planned import (
    COHORT_AGE,
    DEALT_COHORT,
    HEALTHY_MARGIN_DAYS,
    OVERDUE,
    REPS,
    VISIT_HISTORY_DAYS,
    Plan,
    PlannedCustomer,
    Rules,
    Visit,
)
from bot.playground.sample.words import Words
from bot.rules.calendar import zone
from bot.rules.followups import CADENCE_DAYS
from bot.rules.recycle import days_without_visit


class Visits:
    """The planner's visits (`plan.Planner` is the whole planner)."""

    rng: random.Random
    words: Words
    cal: Calendar
    rules: Rules
    plan: Plan

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

    def _summit_visits(self) -> None:
        """Li visits Summit after claiming it, so it is the missing order that sends it back."""
        summit = self.plan.named("summit")
        for days in (-40, -9):
            day = self.cal.working_on_or_before(self.cal.day1(days))
            self.plan.visits.append(self._visit_on(summit, day))


def overdue_clock_day(calendar: Calendar) -> date:
    """The day the overdue follow-ups were promised on (a follow-up is promised for today or later)."""
    return min(calendar.first_day, calendar.today) - timedelta(days=6)
