"""The churn signals, each a function of the scoring context (`Scoring`) that selects the ids of the
dealt customers where it fires; store/churn.py scores them together."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from store.models import Customer, Order
from store.sql import day_number


@dataclass(frozen=True)
class Scoring:
    """What every signal sees: the workspace, its day, and the thresholds (bot.rules.churn)."""

    workspace_id: str
    today: date
    cadence_days: Mapping[str, int]
    gap_multiplier: int
    min_usual_gap_days: int
    spend_window_days: int
    spend_drop_percent: int
    low_satisfaction: int
    complaint_window_days: int = 30
    complaints_in_window: int = 2

    def complaints_since(self) -> datetime:
        return datetime.combine(
            self.today - timedelta(days=self.complaint_window_days - 1), time(0), tzinfo=UTC
        )

    def dealt(self) -> list[sa.ColumnElement[bool]]:
        return [col(Customer.workspace_id) == self.workspace_id, col(Customer.dealt_at).is_not(None)]


SignalQuery = Callable[[Scoring], sa.Select[Any]]


def contact_overdue(scoring: Scoring) -> sa.Select[Any]:
    """No contact (visit, else the first order) within the level's cadence."""
    cutoff = sa.case(
        *((col(Customer.level) == level, scoring.today - timedelta(days=days))
          for level, days in scoring.cadence_days.items()),
        else_=scoring.today - timedelta(days=max(scoring.cadence_days.values())),
    )  # fmt: skip
    last_contact = sa.func.coalesce(col(Customer.last_visit_on), col(Customer.first_order_on))
    return sa.select(col(Customer.id)).where(*scoring.dealt(), last_contact < cutoff)


def order_gap(scoring: Scoring) -> sa.Select[Any]:
    """Days since the last order beyond `gap_multiplier` times the usual gap (span / gaps, at least
    `min_usual_gap_days`), without dividing: since × (orders − 1) > multiplier × span."""
    last, first = day_number(col(Customer.last_order_on)), day_number(col(Customer.first_order_on))
    since = day_number(sa.literal(scoring.today, sa.Date)) - last
    return sa.select(col(Customer.id)).where(
        *scoring.dealt(),
        col(Customer.order_count) >= 2,
        since > scoring.gap_multiplier * scoring.min_usual_gap_days,
        since * (col(Customer.order_count) - 1) > scoring.gap_multiplier * (last - first),
    )


def spend_windows(today: date, window_days: int) -> tuple[date, date]:
    """The first day of the recent window and of the one before it (both end today)."""
    recent_from = today - timedelta(days=window_days - 1)
    return recent_from, recent_from - timedelta(days=window_days)


def spend_down(scoring: Scoring) -> sa.Select[Any]:
    """Spend of the recent window down `spend_drop_percent` or more on the window before (which had
    some): one range of ix_order_day, grouped per customer."""
    recent_from, previous_from = spend_windows(scoring.today, scoring.spend_window_days)
    amount, day = col(Order.amount_base_minor), col(Order.ordered_on)
    recent = sa.func.sum(sa.case((day >= recent_from, amount), else_=0))
    previous = sa.func.sum(sa.case((day < recent_from, amount), else_=0))
    return (
        sa.select(col(Order.customer_id))
        .where(col(Order.workspace_id) == scoring.workspace_id, day >= previous_from, day <= scoring.today)
        .group_by(col(Order.customer_id))
        .having(previous > 0, recent * 100 <= previous * (100 - scoring.spend_drop_percent))
    )


def low_satisfaction(scoring: Scoring) -> sa.Select[Any]:
    """The latest recorded satisfaction at or below `low_satisfaction`."""
    return sa.select(col(Customer.id)).where(
        *scoring.dealt(), col(Customer.last_satisfaction) <= scoring.low_satisfaction
    )
