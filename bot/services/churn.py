"""Churn: once per workspace day every dealt customer is scored (set-based, `store.churn`); the owners'
warnings are chosen (a band that rose, or a serious one last told a week ago or more); and each band
is explained by the facts behind its signals, read for the few customers being shown.

A new signal is one SQL function in `store.churn` (or beside its feature's store), one bit with its
points in `bot.rules.churn`, one line in SIGNAL_QUERIES below and one sentence in `bot.views.churn`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.env import Env
from bot.rules import churn as rules
from bot.rules.calendar import zone
from bot.rules.followups import CADENCE_DAYS
from bot.services import periods
from store import churn as churn_store
from store import complaints as complaint_store
from store.churn import WarningRow

JOB = "churn"
SIGNAL_QUERIES = (
    (rules.Signal.CONTACT_OVERDUE, churn_store.contact_overdue),
    (rules.Signal.ORDER_GAP, churn_store.order_gap),
    (rules.Signal.SPEND_DOWN, churn_store.spend_down),
    (rules.Signal.LOW_SATISFACTION, churn_store.low_satisfaction),
    (rules.Signal.COMPLAINTS, complaint_store.churn_signal),
)
SIGNALS = tuple(
    churn_store.WeightedSignal(int(bit), rules.POINTS[bit], query) for bit, query in SIGNAL_QUERIES
)
BANDS = churn_store.Bands(floors=rules.BAND_FLOORS, rank=rules.BAND_RANK, none=rules.BAND_NONE)


@dataclass(frozen=True)
class Warning:
    """A customer an owner is warned about, with the reasons in plain facts."""

    row: WarningRow
    reasons: Sequence[rules.Reason]


NOTHING_SCORED = churn_store.Scored(customers=0, changes=0, rises=0)  # a day already scored


def score_today(env: Env, workspace_id: str) -> churn_store.Scored | None:
    """Today's scores (the workspace's day), once: None when this day's scores are already done."""

    def score(session: Session, today: date) -> churn_store.Scored:
        scoring = scoring_for(workspace_id, today)
        return churn_store.score(
            session=session, scoring=scoring, signals=SIGNALS, bands=BANDS, now=env.clock.now()
        )

    return periods.once_per_day(env, workspace_id, JOB, score)


def repeat_before(today: date, timezone: str) -> datetime:
    """Serious bands are told again once a week: to those last told a week of days ago or more."""
    return datetime.combine(
        today - timedelta(days=rules.REPEAT_EVERY_DAYS - 1), time(0), tzinfo=zone(timezone)
    )


@dataclass(frozen=True)
class Morning:
    """The owners sharing a day and a zone, and how many of each one's customers a warning shows."""

    owner_ids: Sequence[str]
    today: date
    timezone: str
    per_owner: int


def warnings_due(env: Env, workspace_id: str, morning: Morning) -> dict[str, list[Warning]]:
    """Each owner's customers to be warned about this morning, most serious first, with the reasons."""
    with env.db.session() as session:
        rows = churn_store.warnings_due(
            session=session,
            workspace_id=workspace_id,
            owner_ids=morning.owner_ids,
            repeated_bands=rules.REPEATED_BANDS,
            repeat_before=repeat_before(morning.today, morning.timezone),
            rank=rules.BAND_RANK,
            per_owner=morning.per_owner,
        )
        facts = [(row.customer_id, row, row.signals) for row in rows]
        explained = reasons_for(session, workspace_id, facts, morning.today)
    grouped: dict[str, list[Warning]] = defaultdict(list)
    for row in rows:
        grouped[row.owner_id].append(Warning(row, explained[row.customer_id]))
    return grouped


def mark_warned(env: Env, customer_ids: Sequence[int]) -> None:
    """The customers were told of to their owners now: a serious band is told again in a week."""
    with env.db.session() as session:
        churn_store.mark_warned(session=session, customer_ids=customer_ids, now=env.clock.now())


def scoring_for(workspace_id: str, today: date) -> churn_store.Scoring:
    return churn_store.Scoring(
        workspace_id=workspace_id,
        today=today,
        cadence_days=CADENCE_DAYS,
        gap_multiplier=rules.GAP_MULTIPLIER,
        min_usual_gap_days=rules.MIN_USUAL_GAP_DAYS,
        spend_window_days=rules.SPEND_WINDOW_DAYS,
        spend_drop_percent=rules.SPEND_DROP_PERCENT,
        low_satisfaction=rules.LOW_SATISFACTION,
    )


def reasons_for(
    session: Session,
    workspace_id: str,
    rows: Sequence[tuple[int, rules.FactsSource, int]],
    today: date,
) -> dict[int, list[rules.Reason]]:
    """For each (customer id, its row, its signals): the reasons in plain facts, as of `today`."""
    scoring = scoring_for(workspace_id, today)
    spend = churn_store.spend_of(
        session=session,
        workspace_id=workspace_id,
        customer_ids=[cid for cid, _, signals in rows if signals & rules.Signal.SPEND_DOWN],
        today=today,
        window_days=rules.SPEND_WINDOW_DAYS,
    )
    complaints = complaint_store.churn_facts(
        session=session,
        scoring=scoring,
        customer_ids=[cid for cid, _, signals in rows if signals & rules.Signal.COMPLAINTS],
    )
    explained = {}
    for customer_id, source, signals in rows:
        filed = complaints.get(customer_id, complaint_store.ComplaintFacts(0, False))
        facts = rules.facts_of(source, *spend.get(customer_id, (0, 0)), filed.recent, filed.urgent_open)
        explained[customer_id] = rules.reasons(facts, signals, today)
    return explained
