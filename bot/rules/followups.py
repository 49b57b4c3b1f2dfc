"""Follow-up cadence: when the next contact is due after a visit, by customer level."""

from __future__ import annotations

from datetime import date, timedelta

CADENCE_DAYS = {"A": 14, "B": 30, "C": 60}


def suggested_follow_up(level: str, visited_on: date) -> date:
    return visited_on + timedelta(days=CADENCE_DAYS.get(level, CADENCE_DAYS["C"]))


def follow_up_after_visit(*, current: date | None, chosen: date | None, visited_on: date) -> date | None:
    """The customer's next follow-up once a visit is logged.

    A chosen date wins. Without one, a follow-up that was due on or before the visit is fulfilled
    (cleared); a later promise stays.
    """
    if chosen is not None:
        return chosen
    if current is not None and current <= visited_on:
        return None
    return current
