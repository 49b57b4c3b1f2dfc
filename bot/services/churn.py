"""Explaining churn bands: the facts behind each signal, read for the few customers being shown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from bot.rules import churn as rules
from bot.rules.followups import CADENCE_DAYS
from store import churn as churn_store
from store import complaints as complaint_store


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
