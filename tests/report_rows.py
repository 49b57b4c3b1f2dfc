"""Last week of a small company, written row by row for the reports' tests (`week`), and the helpers
that write such rows. NOW is Monday 23 November 2026, 10:00 in Shanghai."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.services import orders, visits
from bot.services.people import Actor
from store.models import ChurnChange, ChurnState, Complaint, Customer, OwnershipEvent
from tests import builders
from tests.conftest import MANAGER, NOW, OTHER_REP, REP
from tests.test_churn import rep
from tests.test_followups import team

LAST_MONDAY, LAST_SUNDAY = date(2026, 11, 16), date(2026, 11, 22)  # NOW is Monday 23 Nov, 10:00 in Shanghai


def manager() -> Actor:
    return Actor(builders.WORKSPACE, MANAGER, "Max", "manager", None, "Asia/Shanghai", "en")


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=NOW.tzinfo)


def visit(env, customer: Customer, by: str, day: date) -> None:
    visits.log_visit(env, rep(by), visits.VisitDraft(customer.id or 0, "call", day, "note"))


def order(env, customer: Customer, by: str, day: date, amount: int) -> None:
    orders.log_order(env, rep(by), orders.OrderDraft(customer.id or 0, str(amount), "CNY", day))


def moves(env, *rows: tuple[str, str | None, str | None, date]) -> None:
    acme = builders.customer(env, "Flow Co", owner=None)
    with env.db.session() as session:
        for kind, from_owner, to_owner, day in rows:
            session.add(
                OwnershipEvent(workspace_id=builders.WORKSPACE, customer_id=acme.id or 0, kind=kind,
                               from_owner_id=from_owner, to_owner_id=to_owner, at=at(day))
            )  # fmt: skip


def complaint(env, customer: Customer, category: str, filed: datetime, **values) -> None:
    with env.db.session() as session:
        session.add(
            Complaint(workspace_id=builders.WORKSPACE, customer_id=customer.id or 0, updated_at=filed,
                      category=category, severity="high", status="open", description="x", filed_by=REP,
                      assignee_id=values.pop("assignee", REP), filed_at=filed, **values)
        )  # fmt: skip


@pytest.fixture
def week(env):
    """Last week of Mei's and Li's team, and something of another team's."""
    team(env)
    builders.person(env, "U0MGRB", role="manager", name="Bo")
    builders.person(env, "U0WU", manager_id="U0MGRB", name="Wu")
    key = builders.customer(env, "Key Account", owner=REP, level="A")
    small = builders.customer(env, "Small Shop", owner=OTHER_REP, level="C")
    theirs = builders.customer(env, "Other Team Co", owner="U0WU", level="B")
    for day in (LAST_MONDAY, date(2026, 11, 18), LAST_SUNDAY):
        visit(env, key, REP, day)
    visit(env, key, REP, date(2026, 11, 15))  # the week before: not counted
    visit(env, small, OTHER_REP, date(2026, 11, 19))
    visit(env, theirs, "U0WU", date(2026, 11, 19))
    order(env, key, REP, date(2026, 11, 17), 1000)
    order(env, key, REP, date(2026, 11, 3), 500)  # three weeks before
    order(env, small, OTHER_REP, date(2026, 11, 20), 200)
    order(env, theirs, "U0WU", date(2026, 11, 20), 9999)
    moves(
        env,
        ("claim", None, REP, date(2026, 11, 17)),
        ("recycle", OTHER_REP, None, date(2026, 11, 21)),
        ("assign", None, OTHER_REP, date(2026, 11, 10)),  # the week before
        ("claim", None, "U0WU", date(2026, 11, 17)),  # another team
    )
    complaint(env, key, "delivery", at(date(2026, 11, 17)), resolved_at=at(date(2026, 11, 17), 18))
    complaint(
        env,
        small,
        "quality",
        at(date(2026, 11, 18)),
        assignee=OTHER_REP,
        resolve_breached_at=at(date(2026, 11, 20)),
    )
    complaint(
        env, small, "quality", at(date(2026, 11, 20)), assignee=OTHER_REP, resolved_at=at(date(2026, 11, 21))
    )
    with env.db.session() as session:
        session.add(
            ChurnState(
                workspace_id=builders.WORKSPACE,
                customer_id=key.id or 0,
                score=5,
                band="critical",
                signals=0,
                since=NOW,
                updated_at=NOW,
            )
        )
        session.add(ChurnChange(workspace_id=builders.WORKSPACE, customer_id=key.id or 0, from_band="none",
                                to_band="watch", score=1, signals=0, at=at(date(2026, 10, 1))))  # fmt: skip
    return env
