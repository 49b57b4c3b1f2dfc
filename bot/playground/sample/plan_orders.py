"""The buyers' orders in the plan: steady rhythms no churn signal fires on, the stories' stopped and
shrinking ones, and the levels the `tiers` job would give the buyers."""

from __future__ import annotations

import dataclasses
import random
from bisect import bisect_left
from datetime import date, timedelta

from bot.playground.sample.days import Calendar
from bot.playground.sample.planned import (
    DEALT_COHORT,
    FEWEST_ORDERS,
    HEALTHY_MARGIN_DAYS,
    STEADY_ATTEMPTS,
    Order,
    Plan,
    PlannedCustomer,
    Rules,
)
from bot.playground.sample.words import Words
from bot.rules import churn as churn_rules


class Orders:
    """The planner's orders (`plan.Planner` is the whole planner)."""

    rng: random.Random
    words: Words
    cal: Calendar
    rules: Rules
    plan: Plan

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


def _orders_over(rng: random.Random, gap: int) -> int:
    """How many orders `gap` days apart fill one to two years."""
    return max(FEWEST_ORDERS, round(rng.randint(365, 700) / gap))


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
