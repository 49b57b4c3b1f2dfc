"""The nightly churn scores, set-based: each signal one small SELECT, the scores one GROUP BY.

A signal (store/churn_signals.py) selects the ids of the dealt customers where it
fires. The pass unions them (each with its bit and points), sums per customer into a temporary table,
then, in a handful of statements, writes the band changes to `churn_change` and brings `churn_state`
up to date: new rows, changed rows (a rise marks the customer to be warned), and rows that no longer
score (back to "none", deleted). Nothing is read into Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from store.churn_signals import Scoring as Scoring
from store.churn_signals import SignalQuery as SignalQuery
from store.churn_signals import contact_overdue as contact_overdue
from store.churn_signals import low_satisfaction as low_satisfaction
from store.churn_signals import order_gap as order_gap
from store.churn_signals import spend_down as spend_down
from store.churn_signals import spend_windows as spend_windows
from store.models import ChurnChange, ChurnState, Customer, Order
from store.sql import is_postgresql, one_of


@dataclass(frozen=True)
class WeightedSignal:
    bit: int
    points: int
    query: SignalQuery


@dataclass(frozen=True)
class Bands:
    floors: Sequence[tuple[int, str]]  # (lowest score, band), highest band first
    rank: Mapping[str, int]
    none: str


@dataclass(frozen=True)
class Scored:
    customers: int  # dealt customers in a band
    changes: int  # band changes written to the history
    rises: int  # of which rises: the owners are told


_scored = sa.Table(
    "churn_scored",
    sa.MetaData(),
    sa.Column("customer_id", sa.Integer, primary_key=True),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("signals", sa.Integer, nullable=False),
    sa.Column("band", sa.String(16), nullable=False),
    # The customer's churn_state as the night found it, read with the scores: every later statement
    # reads this table alone. (Inserting "WHERE NOT EXISTS (SELECT FROM churn_state)" into churn_state
    # itself makes PostgreSQL rescan the pages it is writing.)
    sa.Column("before", sa.String(16), nullable=True),  # its band; NULL: no state yet
    sa.Column("same", sa.Boolean, nullable=False),  # same score and signals: nothing to write
    prefixes=["TEMPORARY"],
)
_COLUMNS = ["customer_id", "score", "signals", "band", "before", "same"]
_CHANGE_COLUMNS = ["workspace_id", "customer_id", "from_band", "to_band", "score", "signals", "at"]
_STATE_COLUMNS = [
    "customer_id",
    "workspace_id",
    "score",
    "band",
    "signals",
    "since",
    "warn_pending",
    "updated_at",
]


def score(
    *,
    session: Session,
    scoring: Scoring,
    signals: Sequence[WeightedSignal],
    bands: Bands,
    now: datetime,
) -> Scored:
    """Score every dealt customer of the workspace and bring the bands and their history up to date."""
    connection = session.connection()
    _scored.drop(connection, checkfirst=True)
    _scored.create(connection)
    try:
        _fill_scored(connection, scoring, signals, bands)
        customers, changed, rises = _counts(connection, bands)
        _record_changes(connection, scoring.workspace_id, bands, now)
        _update_states(connection, scoring.workspace_id, bands, now)
        if is_postgresql(connection) and changed * 10 >= max(customers, _states_known(connection)):
            # As autovacuum would, later: the churn warnings, right after, join the states. Measured
            # against the whole table (every workspace's states), so a small workspace's night among
            # a thousand does not sample the table again for its few hundred changes.
            connection.execute(sa.text("ANALYZE churn_state"))
    finally:
        _scored.drop(connection)
    return Scored(customers, changed, rises)


def _states_known(connection: sa.Connection) -> int:
    """How many states PostgreSQL's statistics count (0 before the table was first analysed)."""
    known = connection.scalar(sa.text("SELECT reltuples FROM pg_class WHERE oid = 'churn_state'::regclass"))
    return max(int(known or 0), 0)


def _fill_scored(
    connection: sa.Connection, scoring: Scoring, signals: Sequence[WeightedSignal], bands: Bands
) -> None:
    """Each score beside its state, then the states of customers that no longer score."""
    _insert_scored(connection, _scores_with_states(scoring, signals, bands))
    if is_postgresql(connection):
        connection.execute(sa.text("ANALYZE churn_scored"))  # a temporary table has no statistics
    _insert_scored(connection, _no_longer_scored(scoring.workspace_id, bands))


def _insert_scored(connection: sa.Connection, rows: sa.Select[Any]) -> None:
    connection.execute(sa.insert(_scored).from_select(_COLUMNS, rows))


def _scores(scoring: Scoring, signals: Sequence[WeightedSignal], bands: Bands) -> sa.Select[Any]:
    fired = sa.union_all(
        *(
            signal.query(scoring).add_columns(
                sa.literal(signal.bit).label("bit"), sa.literal(signal.points).label("points")
            )
            for signal in signals
        )
    ).subquery("fired")
    customer_id, total = fired.c[0], sa.func.sum(fired.c.points)
    band = sa.case(*((total >= floor, name) for floor, name in bands.floors), else_=bands.none)
    lowest = min(floor for floor, _ in bands.floors)
    return (
        sa.select(customer_id, total, sa.func.sum(fired.c.bit), band)
        .group_by(customer_id)
        .having(total >= lowest)
    )


def _scores_with_states(scoring: Scoring, signals: Sequence[WeightedSignal], bands: Bands) -> sa.Select[Any]:
    """Each score beside the state it may change (one hash join, before anything is written)."""
    state = ChurnState.__table__  # type: ignore[attr-defined]
    scores = _scores(scoring, signals, bands).subquery("scores")
    customer_id, total, fired, band = scores.c
    same = sa.and_(state.c.score == total, state.c.signals == fired)
    return sa.select(
        customer_id, total, fired, band, state.c.band, sa.func.coalesce(same, sa.false())
    ).select_from(scores.outerjoin(state, state.c.customer_id == customer_id))


def _no_longer_scored(workspace_id: str, bands: Bands) -> sa.Select[Any]:
    """The states of customers that no longer score, as scored rows of band none, so every later
    statement finds them in the scored table: one anti-join instead of one per statement (three, of
    half a second each on PostgreSQL at 350,000 states)."""
    state = ChurnState.__table__  # type: ignore[attr-defined]
    return sa.select(
        state.c.customer_id, sa.literal(0), sa.literal(0), sa.literal(bands.none), state.c.band, sa.false()
    ).where(
        state.c.workspace_id == workspace_id,
        ~sa.exists().where(_scored.c.customer_id == state.c.customer_id),
    )


def _rank(bands: Bands, band: sa.ColumnElement[str]) -> sa.ColumnElement[int]:
    return sa.case(bands.rank, value=band, else_=0)


def _changed() -> sa.ColumnElement[bool]:
    return sa.or_(_scored.c.before.is_(None), _scored.c.before != _scored.c.band)


def _counts(connection: sa.Connection, bands: Bands) -> tuple[int, int, int]:
    """Customers in a band, band changes (falls to none included), and rises: counted, as psycopg
    reports no row count for INSERT ... SELECT."""
    before = sa.func.coalesce(_scored.c.before, bands.none)
    rose = _rank(bands, _scored.c.band) > _rank(bands, before)
    row = connection.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(sa.case((_scored.c.band != bands.none, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((_changed(), 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((rose, 1), else_=0)), 0),
        ).select_from(_scored)
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def _record_changes(connection: sa.Connection, workspace_id: str, bands: Bands, now: datetime) -> None:
    """History rows for every band that changed: new, different, and fallen to none."""
    change = ChurnChange.__table__  # type: ignore[attr-defined]
    moved = sa.select(
        sa.literal(workspace_id), _scored.c.customer_id, sa.func.coalesce(_scored.c.before, bands.none),
        _scored.c.band, _scored.c.score, _scored.c.signals, sa.literal(now, change.c.at.type),
    ).where(_changed())  # fmt: skip
    # In customer order, as the states below: each row's foreign-key check and index entries then land
    # next to the previous row's. In the GROUP BY's order PostgreSQL took twice as long (5.5 s against
    # 2.9 s for 350,000 history rows on the first scored night).
    connection.execute(sa.insert(change).from_select(_CHANGE_COLUMNS, moved.order_by(_scored.c.customer_id)))


def _update_states(connection: sa.Connection, workspace_id: str, bands: Bands, now: datetime) -> None:
    """Drop the customers that no longer score, update the changed, add the new (to be warned). Two
    statements, not one INSERT ... ON CONFLICT DO UPDATE: on the first scored night (every state new)
    PostgreSQL's speculative insertion made the upsert a quarter slower than a plain INSERT."""
    state = ChurnState.__table__  # type: ignore[attr-defined]
    fallen = sa.select(_scored.c.customer_id).where(_scored.c.band == bands.none)
    connection.execute(
        sa.delete(state).where(state.c.workspace_id == workspace_id, state.c.customer_id.in_(fallen))
    )
    connection.execute(_changed_states(state, workspace_id, bands, now))
    connection.execute(_new_states(state, workspace_id, now))


def _changed_states(state: sa.Table, workspace_id: str, bands: Bands, now: datetime) -> sa.Update:
    rose = _rank(bands, _scored.c.band) > _rank(bands, state.c.band)
    return (
        sa.update(state)
        .where(
            state.c.workspace_id == workspace_id,
            state.c.customer_id == _scored.c.customer_id,
            _scored.c.before.is_not(None),
            ~_scored.c.same,
        )
        .values(
            score=_scored.c.score,
            signals=_scored.c.signals,
            band=_scored.c.band,
            since=sa.case((state.c.band == _scored.c.band, state.c.since), else_=now),
            warn_pending=sa.case((rose, sa.true()), else_=state.c.warn_pending),
            updated_at=now,
        )
    )


def _new_states(state: sa.Table, workspace_id: str, now: datetime) -> sa.Insert:
    new = sa.select(
        _scored.c.customer_id, sa.literal(workspace_id), _scored.c.score, _scored.c.band, _scored.c.signals,
        sa.literal(now, state.c.since.type), sa.true(), sa.literal(now, state.c.updated_at.type),
    ).where(_scored.c.before.is_(None))  # fmt: skip
    return sa.insert(state).from_select(_STATE_COLUMNS, new.order_by(_scored.c.customer_id))


@dataclass(frozen=True)
class RiskRow:
    """A customer in a serious churn band, with the facts its reasons are read from, and how many the
    selection it came from holds (an owner's warnings due, or the Home's whole list of a page)."""

    owner_id: str
    customer_id: int
    name: str
    level: str
    band: str
    score: int
    signals: int
    last_visit_on: date | None
    first_order_on: date | None
    last_order_on: date | None
    order_count: int
    last_satisfaction: int | None
    total: int


WarningRow = RiskRow  # a customer an owner is due to hear about


def risk_columns(state: sa.Table) -> tuple[Any, ...]:
    """The columns of a RiskRow but its total, in its order (the customer joined to its churn state)."""
    return (
        col(Customer.owner_id), col(Customer.id), col(Customer.name), col(Customer.level),
        state.c.band, state.c.score, state.c.signals, col(Customer.last_visit_on),
        col(Customer.first_order_on), col(Customer.last_order_on), col(Customer.order_count),
        col(Customer.last_satisfaction),
    )  # fmt: skip


def warnings_due(
    *,
    session: Session,
    workspace_id: str,
    owner_ids: Sequence[str],
    repeated_bands: Sequence[str],
    repeat_before: datetime,
    rank: Mapping[str, int],
    per_owner: int,
) -> list[RiskRow]:
    """Each owner's customers to be warned about — the band rose, or a serious band last told before
    `repeat_before` (or never) — most serious first, `per_owner` at most each, with the count of all."""
    if not owner_ids:
        return []
    state = ChurnState.__table__  # type: ignore[attr-defined]
    told_long_ago = sa.or_(state.c.warned_at.is_(None), state.c.warned_at < repeat_before)
    due = sa.and_(
        state.c.workspace_id == workspace_id,
        one_of(session, col(Customer.owner_id), owner_ids),
        sa.or_(state.c.warn_pending, sa.and_(state.c.band.in_(list(repeated_bands)), told_long_ago)),
    )
    ranked = _ranked_per_owner(state, sa.case(rank, value=state.c.band, else_=0), due)
    rows = session.execute(
        sa.select(*list(ranked.c)[:12], ranked.c.total)
        .where(ranked.c.place <= per_owner)
        .order_by(ranked.c.owner_id, ranked.c.place)
    )
    return [RiskRow(*row) for row in rows]


def _ranked_per_owner(
    state: sa.Table, band_rank: sa.ColumnElement[int], due: sa.ColumnElement[bool]
) -> sa.Subquery:
    """The customers `due`, each with its place among its owner's (most serious first) and their count."""
    return (
        sa.select(
            *risk_columns(state),
            sa.func.row_number()
            .over(
                partition_by=col(Customer.owner_id),
                order_by=(band_rank.desc(), state.c.score.desc(), col(Customer.name), col(Customer.id)),
            )
            .label("place"),
            sa.func.count().over(partition_by=col(Customer.owner_id)).label("total"),
        )
        .join(state, state.c.customer_id == col(Customer.id))
        .where(due)
        .subquery()
    )


def spend_of(
    *, session: Session, workspace_id: str, customer_ids: Sequence[int], today: date, window_days: int
) -> dict[int, tuple[int, int]]:
    """Spend of the recent window and of the one before, per customer (for the few being warned)."""
    if not customer_ids:
        return {}
    recent_from, previous_from = spend_windows(today, window_days)
    amount, day = col(Order.amount_base_minor), col(Order.ordered_on)
    rows = session.execute(
        sa.select(
            col(Order.customer_id),
            sa.func.sum(sa.case((day >= recent_from, amount), else_=0)),
            sa.func.sum(sa.case((day < recent_from, amount), else_=0)),
        )
        .where(
            col(Order.workspace_id) == workspace_id,
            one_of(session, col(Order.customer_id), customer_ids),
            day >= previous_from,
            day <= today,
        )
        .group_by(col(Order.customer_id))
    )
    return {int(row[0]): (int(row[1]), int(row[2])) for row in rows}


def mark_warned(*, session: Session, customer_ids: Sequence[int], now: datetime) -> None:
    if customer_ids:
        state = ChurnState.__table__  # type: ignore[attr-defined]
        session.execute(
            sa.update(state)
            .where(state.c.customer_id.in_(list(customer_ids)))
            .values(warn_pending=False, warned_at=now)
        )


def state_of(*, session: Session, customer_id: int) -> ChurnState | None:
    return session.get(ChurnState, customer_id)
