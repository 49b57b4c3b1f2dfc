"""The nightly recycle, set-based: who is due (or nearly), the moves back to the pool, extensions.

One statement per level (SQLite's planner ignores the index when the levels' conditions are OR-ed)
and one for "no first order", each an index range on the partial indexes of `Customer`. The UPDATE
keeps the previous owner in the same row (`previous_owner_id = owner_id` reads the old value), so the
moves come back from RETURNING without reading the rows first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import (
    EXTENSION_PENDING,
    LEVELS,
    MOVE_EXTEND,
    MOVE_RECYCLE,
    MOVE_SNOOZE,
    Customer,
    ExtensionRequest,
    Opportunity,
    OwnershipEvent,
)

NO_VISIT = "no_visit"
NO_ORDER = "no_order"


@dataclass(frozen=True)
class RecycleRules:
    """The pool rules the nightly SQL needs (bot.rules.pool.PoolRules, as plain values)."""

    days_without_visit: Mapping[str, int]
    days_to_first_order: int
    dealt_exempt: bool
    opportunity_spares_days: int = 0


@dataclass(frozen=True)
class Recycled:
    customer_id: int
    previous_owner_id: str
    reason: str  # NO_VISIT or NO_ORDER
    name: str = ""  # the customer's, for the previous owner's message


def _not_held_back(now: datetime) -> list[sa.ColumnElement[bool]]:
    """Locks and extensions still running keep a customer from the recycle."""
    extended = col(Customer.recycle_extended_until)
    return [col(Customer.locked_by).is_(None), sa.or_(extended.is_(None), extended <= now)]


def _opportunity_moved_after(moment: datetime) -> sa.ColumnElement[bool]:
    """The customer has an open opportunity whose stage moved (or that was opened) after `moment`."""
    return sa.exists().where(
        col(Opportunity.workspace_id) == col(Customer.workspace_id),
        col(Opportunity.customer_id) == col(Customer.id),
        col(Opportunity.closed_at).is_(None),
        col(Opportunity.stage_since) > moment,
    )


def opportunity_moved_at() -> sa.ScalarSelect[Any]:
    """The latest stage move of the customer's open opportunities (NULL: none open)."""
    return (
        sa.select(sa.func.max(col(Opportunity.stage_since)))
        .where(
            col(Opportunity.workspace_id) == col(Customer.workspace_id),
            col(Opportunity.customer_id) == col(Customer.id),
            col(Opportunity.closed_at).is_(None),
        )
        .scalar_subquery()
    )


def due_conditions(
    rules: RecycleRules, *, workspace_id: str, by: datetime, after: datetime | None = None
) -> list[tuple[str, list[sa.ColumnElement[bool]]]]:
    """For each statement of the pass, the customers whose recycle comes at or before `by` — and, with
    `after`, not before it (the warning window: one index range each, not every customer already due)."""
    owned = [col(Customer.workspace_id) == workspace_id, col(Customer.owner_id).is_not(None)]
    undealt = col(Customer.dealt_at).is_(None)
    first_order_by = by - timedelta(days=rules.days_to_first_order)
    no_order = [*owned, undealt, col(Customer.owned_since) <= first_order_by, *_not_held_back(by)]
    spares = timedelta(days=rules.opportunity_spares_days)
    if rules.opportunity_spares_days:
        no_order.append(~_opportunity_moved_after(by - spares))
    if after is not None:
        not_due_yet = col(Customer.owned_since) > after - timedelta(days=rules.days_to_first_order)
        if rules.opportunity_spares_days:
            not_due_yet = sa.or_(not_due_yet, _opportunity_moved_after(after - spares))
        no_order.append(not_due_yet)
    statements = [(NO_ORDER, no_order)]
    for level in LEVELS:
        days = timedelta(days=rules.days_without_visit[level])
        conditions = [*owned, col(Customer.level) == level, col(Customer.recycle_clock_from) <= by - days]
        if after is not None:
            conditions.append(col(Customer.recycle_clock_from) > after - days)
        if rules.dealt_exempt:
            conditions.append(undealt)
        statements.append((NO_VISIT, [*conditions, *_not_held_back(by)]))
    if after is not None:  # an extension ending in the window, whatever the clock says
        extended = col(Customer.recycle_extended_until)
        statements.append(
            (NO_VISIT, [*owned, col(Customer.locked_by).is_(None), extended > after, extended <= by])
        )
    return statements


def recycle_due(*, session: Session, workspace_id: str, rules: RecycleRules, now: datetime) -> list[Recycled]:
    """Move every customer due as of `now` back to the pool and write each move to the history."""
    moved: list[Recycled] = []
    for reason, conditions in due_conditions(rules, workspace_id=workspace_id, by=now):
        result = session.execute(
            sa.update(Customer)
            .where(*conditions)
            .values(
                previous_owner_id=Customer.owner_id,
                owner_id=None,
                owned_since=None,
                recycle_clock_from=None,
                recycle_extended_until=None,
                pool_since=now,
                next_follow_up=None,
                updated_at=now,
            )
            .returning(col(Customer.id), col(Customer.previous_owner_id), col(Customer.name))
            .execution_options(synchronize_session=False)
        )
        moved += [Recycled(int(row[0]), str(row[1]), reason, str(row[2])) for row in result]
    _record(session, workspace_id, moved, now)
    return moved


def _record(session: Session, workspace_id: str, moved: Sequence[Recycled], now: datetime) -> None:
    if not moved:
        return
    rows: list[dict[str, Any]] = [
        {
            "workspace_id": workspace_id,
            "customer_id": move.customer_id,
            "kind": MOVE_RECYCLE,
            "actor_id": None,
            "from_owner_id": move.previous_owner_id,
            "to_owner_id": None,
            "reason": move.reason,
            "note": "",
            "at": now,
        }
        for move in moved
    ]
    session.execute(sa.insert(OwnershipEvent), rows)


class NearlyDue(NamedTuple):
    """An owned customer near its recycle, as a plain row: its holding's facts, what the warnings and
    the digest show, and whether a request for more days is waiting. Thousands a night: as ORM objects
    they cost more than the SELECTs (and a frozen dataclass takes twice a named tuple's time to build)."""

    id: int
    name: str
    level: str
    owner_id: str | None
    last_visit_on: date | None
    owned_since: datetime | None
    recycle_clock_from: datetime | None
    dealt_at: datetime | None
    locked_by: str | None
    recycle_extended_until: datetime | None
    opportunity_moved_at: datetime | None
    asked: bool


def _nearly_due_columns() -> list[sa.ColumnElement[Any]]:
    # The waiting request is probed per row (an index range each): on PostgreSQL that took half the
    # time of a second SELECT with the ids of the 5,000 customers of a full-size night IN a list.
    asked = sa.exists().where(
        col(ExtensionRequest.workspace_id) == col(Customer.workspace_id),
        col(ExtensionRequest.customer_id) == col(Customer.id),
        col(ExtensionRequest.status) == EXTENSION_PENDING,
    )
    facts = [name for name in NearlyDue._fields if name not in ("asked", "opportunity_moved_at")]
    moved = opportunity_moved_at().label("opportunity_moved_at")
    return [*(getattr(Customer, name) for name in facts), moved, asked.label("asked")]


OWNERS_BOUND = 100  # see nearly_due


def nearly_due(
    *,
    session: Session,
    workspace_id: str,
    rules: RecycleRules,
    after: datetime,
    by: datetime,
    owners: Sequence[str] | None = None,
) -> list[NearlyDue]:
    """Owned customers whose recycle comes after `after` and by `by`, of `owners` (None: everyone's):
    the recycle's own statements, each a range of its partial index (the caller works out each one's
    exact time; a few outside the window come back and are dropped there).

    The owners are compared through coalesce() on purpose: as a plain `owner_id IN (...)` the planner
    walks the whole team's book on the owner index (46 ms for 50 reps in bench.home on SQLite), where
    the recycle indexes hold only what the nightly recycle has not taken yet (12 ms). More than
    OWNERS_BOUND owners (a morning's warnings: nearly everyone) cost more bound into each statement
    than checked here, row by row."""
    if owners is not None and not owners:
        return []
    bound = owners is not None and len(owners) <= OWNERS_BOUND
    team = [sa.func.coalesce(col(Customer.owner_id), "").in_(list(owners or ()))] if bound else []
    found: dict[int, NearlyDue] = {}
    columns = _nearly_due_columns()
    for _, conditions in due_conditions(rules, workspace_id=workspace_id, by=by, after=after):
        for row in session.execute(sa.select(*columns).where(*conditions, *team)):
            found[row[0]] = NearlyDue._make(row)
    chosen = None if bound or owners is None else set(owners)
    return [row for row in found.values() if chosen is None or row.owner_id in chosen]


def extend(
    *,
    session: Session,
    workspace_id: str,
    customer_id: int,
    owner_id: str,
    until: datetime,
    days: int,
    actor_id: str,
    now: datetime,
) -> bool:
    """Hold the recycle until `until` if `owner_id` still owns the customer; written to the history."""
    change = _OwnedChange(workspace_id, customer_id, owner_id, actor_id, now)
    return _change_owned(session, change, {"recycle_extended_until": until}, MOVE_EXTEND, until.date(), days)


@dataclass(frozen=True)
class _OwnedChange:
    workspace_id: str
    customer_id: int
    owner_id: str
    actor_id: str
    at: datetime


def _change_owned(
    session: Session, change: _OwnedChange, values: dict[str, Any], kind: str, to_day: date, days: int
) -> bool:
    """Update the customer if `owner_id` still owns it (a conditional UPDATE) and note it in the history."""
    result = session.execute(
        sa.update(Customer)
        .where(
            col(Customer.workspace_id) == change.workspace_id,
            col(Customer.id) == change.customer_id,
            col(Customer.owner_id) == change.owner_id,
        )
        .values(**values, updated_at=change.at)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.add(
        OwnershipEvent(
            workspace_id=change.workspace_id,
            customer_id=change.customer_id,
            kind=kind,
            actor_id=change.actor_id,
            from_owner_id=change.owner_id,
            to_owner_id=change.owner_id,
            to_day=to_day,
            days=days,
            at=change.at,
        )
    )
    return True


# -- locks: a locked customer is never recycled -----------------------------------------------------
def set_lock(
    *,
    session: Session,
    workspace_id: str,
    customer_id: int,
    owner_id: str,
    locked_by: str | None,
    now: datetime,
) -> bool:
    """Lock (locked_by set) or unlock (None) a customer of `owner_id`, if it is not that way already."""
    already = col(Customer.locked_by).is_(None) if locked_by is None else col(Customer.locked_by).is_not(None)
    result = session.execute(
        sa.update(Customer)
        .where(
            col(Customer.workspace_id) == workspace_id,
            col(Customer.id) == customer_id,
            col(Customer.owner_id) == owner_id,
            sa.not_(already),
        )
        .values(locked_by=locked_by, locked_at=now if locked_by else None, updated_at=now)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def count_locked(*, session: Session, workspace_id: str, owner_id: str) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(Customer)
        .where(
            col(Customer.workspace_id) == workspace_id,
            col(Customer.owner_id) == owner_id,
            col(Customer.locked_by).is_not(None),
        )
    )
    return int(session.scalar(query) or 0)


def pending_request(*, session: Session, workspace_id: str, customer_id: int) -> ExtensionRequest | None:
    return session.exec(
        select(ExtensionRequest).where(
            col(ExtensionRequest.workspace_id) == workspace_id,
            col(ExtensionRequest.customer_id) == customer_id,
            col(ExtensionRequest.status) == EXTENSION_PENDING,
        )
    ).first()


_LATEST_REQUEST = (  # built once: the customer card reads it at every request
    select(ExtensionRequest)
    .where(
        col(ExtensionRequest.workspace_id) == sa.bindparam("ws"),
        col(ExtensionRequest.customer_id) == sa.bindparam("customer"),
    )
    .order_by(col(ExtensionRequest.asked_at).desc(), col(ExtensionRequest.id).desc())
    .limit(1)
)


def latest_request(*, session: Session, workspace_id: str, customer_id: int) -> ExtensionRequest | None:
    return session.exec(_LATEST_REQUEST, params={"ws": workspace_id, "customer": customer_id}).first()


def decide_request(
    *, session: Session, request_id: int, status: str, decided_by: str, days: int | None, now: datetime
) -> bool:
    """Record the decision unless someone decided first (a conditional UPDATE)."""
    result = session.execute(
        sa.update(ExtensionRequest)
        .where(col(ExtensionRequest.id) == request_id, col(ExtensionRequest.status) == EXTENSION_PENDING)
        .values(status=status, decided_by=decided_by, decided_at=now, days=days)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def snooze(
    *,
    session: Session,
    workspace_id: str,
    customer_id: int,
    owner_id: str,
    to_day: date,
    actor_id: str,
    days: int,
    now: datetime,
) -> bool:
    """Move the follow-up date (the owner must still own the customer); written to the history."""
    change = _OwnedChange(workspace_id, customer_id, owner_id, actor_id, now)
    return _change_owned(session, change, {"next_follow_up": to_day}, MOVE_SNOOZE, to_day, days)


def opportunity_moved_at_of(*, session: Session, customer_id: int) -> datetime | None:
    """When the customer's open opportunities last moved (None: none open)."""
    moved = session.scalar(sa.select(opportunity_moved_at()).where(col(Customer.id) == customer_id))
    return moved if isinstance(moved, datetime) else None
