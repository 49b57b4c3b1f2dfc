"""The recycle's SQL selects exactly what the pure rule (`bot.rules.recycle.recycle_at`) says, on random
customers (levels, claims, visits, first orders, locks, extensions, requests for more days) and random
clocks and rules, on the engine under test (SQLite, or PostgreSQL with TEST_DATABASE_URL):

- "back in the pool soon" (`services.recycle.due_soon`, which the warnings, the Home and the digest
  read): the customers whose recycle comes after now and within the window, each at its exact time and
  reason, with whether more days were asked for, soonest first;
- the nightly recycle's statements (`store.recycle.due_conditions` by now): those due as of now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col

from bot.rules.pool import PoolRules
from bot.rules.recycle import Holding, Recycle, recycle_at
from bot.services import opportunities, recycle
from store import recycle as recycle_store
from store.models import Customer, ExtensionRequest, Opportunity, OpportunityChange
from tests import builders

BASE = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
OWNERS = ("U0ANN", "U0BEN", "U0CHO")
# Whole half-days around a few weeks: recycles fall in and around the windows, on their edges often.
HALF_DAYS = st.integers(-8, 8).map(lambda n: timedelta(hours=12 * n))
SPAN = st.integers(0, 24).map(lambda n: timedelta(hours=12 * n))


@dataclass(frozen=True)
class Drawn:
    """One customer as drawn: its owner (None: in the pool) and what decides its recycle."""

    level: str
    owner: str | None
    claimed_days_ago: timedelta  # owned since BASE minus this
    visited_after: timedelta  # the recycle clock runs from owned-since plus this (a visit), or 0
    first_order_after: timedelta | None  # dealt this long after the claim, or never
    locked: bool
    extended_to: timedelta | None  # an extension running until BASE plus this
    asked: bool  # a request for more days is waiting
    opportunity_moved: timedelta | None = None  # an opportunity's stage moved BASE minus this, or none
    opportunity_open: bool = True  # that opportunity is still open (a won or lost one holds nothing off)


def _customer() -> st.SearchStrategy[Drawn]:
    return st.builds(
        Drawn,
        level=st.sampled_from("ABC"),
        owner=st.sampled_from((*OWNERS, None)),  # mostly owned: only those are ever recycled
        claimed_days_ago=SPAN,
        visited_after=SPAN,
        first_order_after=st.one_of(st.none(), st.none(), SPAN),
        locked=st.sampled_from((False, False, False, True)),
        extended_to=st.one_of(st.none(), HALF_DAYS),
        asked=st.booleans(),
        opportunity_moved=st.one_of(st.none(), SPAN),
        opportunity_open=st.sampled_from((True, True, False)),
    )


def _rules() -> st.SearchStrategy[PoolRules]:
    days = st.integers(1, 12)
    return st.builds(
        lambda a, b, c, first, exempt, spares: PoolRules(
            recycle_days_without_visit={"A": a, "B": b, "C": c},
            days_to_first_order=first,
            dealt_exempt=exempt,
            opportunity_spares_days=spares,
        ),
        days,
        days,
        days,
        st.integers(1, 20),
        st.booleans(),
        st.integers(0, 12),
    )


def _holding(drawn: Drawn) -> Holding | None:
    if drawn.owner is None:
        return None
    since = BASE - drawn.claimed_days_ago
    return Holding(
        level=drawn.level,
        owned_since=since,
        clock_from=min(since + drawn.visited_after, BASE),
        dealt=drawn.first_order_after is not None and since + drawn.first_order_after <= BASE,
        locked=drawn.locked,
        extended_until=BASE + drawn.extended_to if drawn.extended_to is not None else None,
        opportunity_moved_at=_moved_at(drawn),
    )


def _moved_at(drawn: Drawn) -> datetime | None:
    """When the customer's open opportunity last moved (a closed one does not count)."""
    if drawn.opportunity_moved is None or not drawn.opportunity_open:
        return None
    return BASE - drawn.opportunity_moved


def _dealt_at(drawn: Drawn) -> datetime | None:
    """The first order's moment, if it came before BASE (later ones have not happened yet)."""
    holding = _holding(drawn)
    if holding is None or not holding.dealt or drawn.first_order_after is None:
        return None
    return holding.owned_since + drawn.first_order_after


def _row(n: int, drawn: Drawn) -> Customer:
    holding = _holding(drawn)
    return Customer(
        workspace_id=builders.WORKSPACE,
        name=f"Customer {n:02d}",
        name_key=f"customer {n:02d}",
        level=drawn.level,
        owner_id=drawn.owner,
        owned_since=holding.owned_since if holding else None,
        recycle_clock_from=holding.clock_from if holding else None,
        dealt_at=_dealt_at(drawn),
        locked_by="U0BOSS" if holding and holding.locked else None,
        recycle_extended_until=holding.extended_until if holding else None,
        pool_since=None if holding else BASE - timedelta(days=1),
        created_by="U0ADMIN",
        created_at=BASE - timedelta(days=200),
        updated_at=BASE,
    )


def _store(env, customers: list[Drawn]) -> dict[int, Drawn]:
    """The drawn customers, and only them, in the database: by id."""
    for owner in OWNERS:
        builders.person(env, owner)
    stage = opportunities.stages(env, builders.WORKSPACE)[0].id
    with env.db.session() as session:
        session.execute(sa.delete(ExtensionRequest))
        session.execute(sa.delete(OpportunityChange))
        session.execute(sa.delete(Opportunity))
        session.execute(sa.delete(Customer).where(col(Customer.workspace_id) == builders.WORKSPACE))
        rows = [_row(n, drawn) for n, drawn in enumerate(customers)]
        session.add_all(rows)
        session.flush()
        for n, (row, drawn) in enumerate(zip(rows, customers, strict=True)):
            if drawn.asked and drawn.owner is not None:
                session.add(_request(row))
            if drawn.opportunity_moved is not None:
                session.add(_opportunity(n + 1, row, drawn, stage))
        return {row.id or 0: drawn for row, drawn in zip(rows, customers, strict=True)}


def _opportunity(number: int, row: Customer, drawn: Drawn, stage: int) -> Opportunity:
    assert drawn.opportunity_moved is not None
    moved = BASE - drawn.opportunity_moved
    return Opportunity(
        workspace_id=builders.WORKSPACE, id=number, customer_id=row.id or 0, owner_id=row.owner_id or "U0ADMIN",
        title="Deal", amount_minor=100, currency="CNY", amount_base_minor=100, stage_id=stage, probability=10,
        expected_close_on=BASE.date(), created_by="U0ADMIN", created_at=moved, updated_at=moved,
        stage_since=moved, closed_at=None if drawn.opportunity_open else moved,
    )  # fmt: skip


def _request(row: Customer) -> ExtensionRequest:
    return ExtensionRequest(
        workspace_id=builders.WORKSPACE,
        customer_id=row.id or 0,
        asked_by=row.owner_id or "",
        recycle_at=BASE,
        asked_at=BASE - timedelta(hours=1),
    )


def _due(rules: PoolRules, drawn: Drawn) -> Recycle | None:
    holding = _holding(drawn)
    return recycle_at(rules, holding) if holding else None


CUSTOMERS = st.lists(_customer(), min_size=4, max_size=12)
CLOCK = st.integers(0, 4 * 24).map(lambda hours: BASE + timedelta(hours=hours))  # at BASE or in 4 days
WITHIN = st.integers(1, 12).map(lambda half_days: timedelta(hours=12 * half_days))
WHOSE = st.one_of(st.none(), st.none(), st.frozensets(st.sampled_from(OWNERS), min_size=1))
EXAMPLES = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# The owners bound into each statement (a team's, up to OWNERS_BOUND), or checked row by row (more).
BOUND = st.sampled_from([recycle_store.OWNERS_BOUND, 0])


@EXAMPLES
@given(customers=CUSTOMERS, rules=_rules(), now=CLOCK, within=WITHIN, owners=WHOSE, bound=BOUND)
def test_back_in_the_pool_soon_is_the_pure_rules_window(
    env, clock, customers, rules, now, within, owners, bound
):
    stored = _store(env, customers)
    clock.set(now)
    expected = {}
    for customer_id, drawn in stored.items():
        due = _due(rules, drawn)
        if due is not None and now < due.at <= now + within and (owners is None or drawn.owner in owners):
            expected[customer_id] = (drawn.owner, due, drawn.asked)
    with patch.object(recycle_store, "OWNERS_BOUND", bound):
        found = recycle.due_soon(env, builders.WORKSPACE, owners=owners, within=within, rules=rules)
    got = {w.customer.id: (owner, w.recycle, w.asked) for owner, rows in found.items() for w in rows}
    assert got == expected
    for rows in found.values():
        assert [w.recycle.at for w in rows] == sorted(w.recycle.at for w in rows)


@EXAMPLES
@given(customers=CUSTOMERS, rules=_rules(), now=CLOCK)
def test_the_nightly_recycle_selects_what_the_pure_rule_says_is_due(env, customers, rules, now):
    stored = _store(env, customers)
    expected = {
        cid for cid, drawn in stored.items() if (due := _due(rules, drawn)) is not None and due.at <= now
    }
    statements = recycle_store.due_conditions(
        recycle.sql_rules(rules), workspace_id=builders.WORKSPACE, by=now
    )
    with env.db.session() as session:
        selected = {
            customer_id
            for _, conditions in statements
            for customer_id in session.scalars(sa.select(col(Customer.id)).where(*conditions))
        }
    assert selected == expected
