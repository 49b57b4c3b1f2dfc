"""`churn`: once per workspace day, score every dealt customer (set-based, `store.churn`); then, on
each owner's working morning at the reminder time, one DM listing the customers whose band rose — and
those still at risk or critical that were last told a week ago or more — with the reasons in plain
words and a Plan visit button.

A new signal is one SQL function in `store.churn` (or beside its feature's store), one bit with its
points in `bot.rules.churn`, one line in SIGNAL_QUERIES below and one sentence in `bot.views.churn`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from bot.env import Env
from bot.jobs.common import Due, due_at_reminder_time, queue_all
from bot.rules import churn as rules
from bot.rules.calendar import zone
from bot.services import churn as churn_service
from bot.services import settings as settings_service
from bot.services.people import workspace_ids
from bot.views import churn as views
from store import churn as churn_store
from store import complaints as complaint_store
from store import jobmarks
from store import people as people_store

KIND = "churn_warning"
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


def run(env: Env) -> str:
    scored = changes = rises = owners = warned = 0
    for workspace_id in workspace_ids(env):
        done = score_customers(env, workspace_id)
        if done is not None:
            scored, changes, rises = scored + done.customers, changes + done.changes, rises + done.rises
        people, count = warn_owners(env, workspace_id, settings_service.load(env, workspace_id))
        owners, warned = owners + people, warned + count
    return (
        f"{scored} customers in a churn band, {changes} band changes ({rises} rises); "
        f"warned {owners} owners about {warned} customers"
    )


def score_customers(env: Env, workspace_id: str) -> churn_store.Scored | None:
    """Today's scores (the workspace's day), once: None when this day's scores are already done."""
    now = env.clock.now()
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
        today = now.astimezone(zone(workspace.timezone if workspace else "UTC")).date()
        if not jobmarks.mark_once(
            session=session, workspace_id=workspace_id, job=JOB, period=today.isoformat(), now=now
        ):
            return None
        return churn_store.score(
            session=session,
            scoring=churn_service.scoring_for(workspace_id, today),
            signals=SIGNALS,
            bands=BANDS,
            now=now,
        )


def warn_owners(env: Env, workspace_id: str, settings: settings_service.WorkspaceSettings) -> tuple[int, int]:
    """Queue this morning's warning for each owner due one; returns (owners, customers told)."""
    due = due_at_reminder_time(env, workspace_id, settings, KIND)
    by_morning: dict[tuple[date, str], list[Due]] = defaultdict(list)
    for one in due:
        by_morning[(one.day, one.person.timezone)].append(one)
    messages, warned = [], []
    for (today, timezone), people in by_morning.items():  # a few at most: the zones' days
        rows = _warnings(env, workspace_id, [one.person.user_id for one in people], today, timezone)
        for one in people:
            mine = rows.get(one.person.user_id)
            if mine:
                messages.append(one.outgoing(views.warning(one.person.lang, mine)))
                warned += [w.row.customer_id for w in mine]
    queue_all(env, messages)
    with env.db.session() as session:
        churn_store.mark_warned(session=session, customer_ids=warned, now=env.clock.now())
    owners, told = len(messages), len(warned)
    return owners, told


def repeat_before(today: date, timezone: str) -> datetime:
    """Serious bands are told again once a week: to those last told a week of days ago or more."""
    return datetime.combine(
        today - timedelta(days=rules.REPEAT_EVERY_DAYS - 1), time(0), tzinfo=zone(timezone)
    )


def _warnings(
    env: Env, workspace_id: str, owner_ids: list[str], today: date, timezone: str
) -> dict[str, list[views.Warning]]:
    with env.db.session() as session:
        rows = churn_store.warnings_due(
            session=session,
            workspace_id=workspace_id,
            owner_ids=owner_ids,
            repeated_bands=rules.REPEATED_BANDS,
            repeat_before=repeat_before(today, timezone),
            rank=rules.BAND_RANK,
            per_owner=views.ROWS_SHOWN,
        )
        explained = churn_service.reasons_for(
            session, workspace_id, [(row.customer_id, row, row.signals) for row in rows], today
        )
    grouped: dict[str, list[views.Warning]] = defaultdict(list)
    for row in rows:
        grouped[row.owner_id].append(views.Warning(row, explained[row.customer_id]))
    return grouped
