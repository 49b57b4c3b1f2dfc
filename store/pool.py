"""The pool's statements: the claim's conditional writes, owners moved, the pool page (the history of
moves is store/moves.py's, locks store/recycle.py's).

The hot ones (every claim runs them) are built once with bound parameters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from store import moves
from store.models import LOSING_MOVES, MOVE_CLAIM, Customer, OwnershipEvent, Person, WorkspaceSetting
from store.types import UTCDateTime

_WS: sa.BindParameter[str] = sa.bindparam("ws")
_USER: sa.BindParameter[str] = sa.bindparam("user")
_CUSTOMER: sa.BindParameter[int] = sa.bindparam("customer")
_NOW: sa.BindParameter[datetime] = sa.bindparam("now")


# The claim runs on a Core connection (see Database.connection); the other moves on a session.
Executor = Session | sa.Connection


def _rowcount(result: sa.Result[Any]) -> int:
    return int(result.rowcount)  # type: ignore[attr-defined]


# -- the person's row: the daily counter, and the row lock that serializes one person's claims -------
_COUNT_CLAIM = (
    sa.update(Person)
    .where(col(Person.workspace_id) == _WS, col(Person.user_id) == _USER)
    .values(
        claims_on_day=sa.case(
            (col(Person.claims_day) == sa.bindparam("day"), col(Person.claims_on_day) + 1), else_=1
        ),
        claims_day=sa.bindparam("day"),
    )
    .returning(col(Person.claims_on_day))
)
_HOLD_PERSON = (
    sa.update(Person)
    .where(col(Person.workspace_id) == _WS, col(Person.user_id) == _USER)
    .values(claims_on_day=col(Person.claims_on_day))
)


def count_claim(*, session: Executor, workspace_id: str, user_id: str, day: date) -> int | None:
    """Add one to the person's claims on `day` and return the new count (None: no such person).

    As a write, it holds the person's row until the transaction ends, so one person's concurrent
    claims run one after the other and each sees the counts the previous one left.
    """
    row = session.execute(_COUNT_CLAIM, {"ws": workspace_id, "user": user_id, "day": day}).first()
    return int(row[0]) if row else None


_CLAIMS_SO_FAR = sa.select(col(Person.claims_on_day), col(Person.claims_day)).where(
    col(Person.workspace_id) == _WS, col(Person.user_id) == _USER
)  # built once: every card of a pool customer asks


def claims_so_far(*, session: Executor, workspace_id: str, user_id: str, day: date) -> int | None:
    """The person's claims on `day`, read without counting one (None: no such person)."""
    row = session.execute(_CLAIMS_SO_FAR, {"ws": workspace_id, "user": user_id}).first()
    if row is None:
        return None
    return int(row[0]) if row[1] == day else 0


def hold_person(*, session: Executor, workspace_id: str, user_id: str) -> bool:
    """Hold the person's row (a no-op write) so moves that count their customers run one at a time."""
    return _rowcount(session.execute(_HOLD_PERSON, {"ws": workspace_id, "user": user_id})) == 1


# -- what the claim checks need, in one statement -------------------------------------------------
_holder = sa.orm.aliased(Customer)
_last_loss = (
    select(col(OwnershipEvent.at), col(OwnershipEvent.kind))
    .where(
        col(OwnershipEvent.workspace_id) == _WS,
        col(OwnershipEvent.customer_id) == _CUSTOMER,
        col(OwnershipEvent.from_owner_id) == _USER,
        col(OwnershipEvent.kind).in_(LOSING_MOVES),
    )
    .order_by(col(OwnershipEvent.at).desc(), col(OwnershipEvent.id).desc())
    .limit(1)
)
# Both counts in one pass over the owner's index entries (a derived table joined once).
_HOLDING = (
    sa.select(
        sa.func.count().label("held"),
        sa.func.coalesce(sa.func.sum(sa.case((col(_holder.dealt_at).is_(None), 1), else_=0)), 0).label(
            "not_dealt"
        ),
    )
    .where(col(_holder.workspace_id) == _WS, col(_holder.owner_id) == _USER)
    .subquery("holding")
)


def _facts_statement(settings_as_json: Any) -> sa.Select[Any]:
    """The customer, the person's holding (all, and those not dealt), when they last lost this
    customer, and the workspace's stored settings as one JSON object: one round trip."""
    settings = (
        sa.select(settings_as_json(col(WorkspaceSetting.key), col(WorkspaceSetting.value)))
        .where(col(WorkspaceSetting.workspace_id) == _WS)
        .scalar_subquery()
    )
    return (
        sa.select(
            col(Customer.name),
            col(Customer.owner_id),
            _HOLDING.c.held,
            _HOLDING.c.not_dealt,
            _last_loss.with_only_columns(col(OwnershipEvent.at)).scalar_subquery(),
            _last_loss.with_only_columns(col(OwnershipEvent.kind)).scalar_subquery(),
            settings,
            col(Customer.previous_owner_id),
        )
        .select_from(Customer)
        .join(_HOLDING, sa.true())
        .where(col(Customer.workspace_id) == _WS, col(Customer.id) == _CUSTOMER)
    )


_CLAIM_FACTS = {
    "sqlite": _facts_statement(sa.func.json_group_object),
    "postgresql": _facts_statement(lambda key, value: sa.func.json_object_agg(key, value)),
}


@dataclass(frozen=True)
class ClaimFacts:
    name: str
    owner_id: str | None
    holding_all: int
    holding_not_dealt: int
    lost_at: datetime | None
    lost_by: str | None  # the move that took it from the person: release, recycle or assign
    settings: dict[str, str]  # the workspace's stored settings, {key: JSON text}
    previous_owner_id: str | None = None  # who owned it before it last went back to the pool


def claim_facts(*, session: Executor, workspace_id: str, user_id: str, customer_id: int) -> ClaimFacts | None:
    params = {"ws": workspace_id, "user": user_id, "customer": customer_id}
    row = session.execute(_CLAIM_FACTS[_dialect(session)], params).first()
    if row is None:
        return None
    stored = row[6] if isinstance(row[6], dict) else json.loads(row[6] or "{}")
    settings = {
        str(key): value if isinstance(value, str) else json.dumps(value) for key, value in stored.items()
    }
    return ClaimFacts(row[0], row[1], int(row[2] or 0), int(row[3] or 0), row[4], row[5], settings, row[7])


def _dialect(session: Executor) -> str:
    bind = session if isinstance(session, sa.Connection) else session.get_bind()
    return bind.dialect.name


# -- the conditional writes ----------------------------------------------------------------------
_TAKE_FROM_POOL = (
    sa.update(Customer)
    .where(col(Customer.workspace_id) == _WS, col(Customer.id) == _CUSTOMER, col(Customer.owner_id).is_(None))
    .values(
        owner_id=_USER,
        owned_since=_NOW,
        recycle_clock_from=_NOW,
        recycle_extended_until=None,
        pool_since=None,
        locked_by=None,
        locked_at=None,
        updated_at=_NOW,
    )
)


_TAKEN = _TAKE_FROM_POOL.returning(col(Customer.id)).cte("taken")
# PostgreSQL takes the customer and writes the claim to the history in one statement (one round trip).
_TAKE_AND_RECORD = (
    sa.insert(OwnershipEvent)
    .from_select(
        [
            "workspace_id",
            "customer_id",
            "kind",
            "actor_id",
            "from_owner_id",
            "to_owner_id",
            "reason",
            "note",
            "at",
        ],
        sa.select(
            _WS,
            _TAKEN.c.id,
            sa.literal(MOVE_CLAIM),
            _USER,
            sa.null(),
            _USER,
            sa.literal(""),
            sa.literal(""),
            sa.bindparam("now", type_=UTCDateTime()),
        ),
    )
    .returning(col(OwnershipEvent.id))
)


def take_from_pool(
    *, session: Executor, workspace_id: str, customer_id: int, user_id: str, now: datetime
) -> bool:
    """Make `user_id` the owner if the customer is still in the pool (the claim's one atomic write),
    and write the claim to the ownership history. False: someone else has it."""
    params = {"ws": workspace_id, "customer": customer_id, "user": user_id, "now": now}
    if _dialect(session) == "postgresql":
        return session.execute(_TAKE_AND_RECORD, params).first() is not None
    if _rowcount(session.execute(_TAKE_FROM_POOL, params)) != 1:
        return False
    moves.add_move(
        session=session,
        workspace_id=workspace_id,
        customer_id=customer_id,
        kind=MOVE_CLAIM,
        actor_id=user_id,
        from_owner_id=None,
        to_owner_id=user_id,
        at=now,
    )
    return True


def move_owner(
    *,
    session: Session,
    workspace_id: str,
    customer_id: int,
    expected_owner: str | None,
    new_owner: str | None,
    now: datetime,
) -> bool:
    """Give the customer to `new_owner` (None: the pool) if `expected_owner` still has it."""
    held_by = (
        col(Customer.owner_id).is_(None)
        if expected_owner is None
        else col(Customer.owner_id) == expected_owner
    )
    result = session.execute(
        sa.update(Customer)
        .where(col(Customer.workspace_id) == workspace_id, col(Customer.id) == customer_id, held_by)
        .values(
            owner_id=new_owner,
            owned_since=now if new_owner else None,
            recycle_clock_from=now if new_owner else None,
            recycle_extended_until=None,
            previous_owner_id=Customer.owner_id,
            pool_since=None if new_owner else now,
            next_follow_up=None if new_owner is None else Customer.next_follow_up,
            locked_by=None,
            locked_at=None,
            updated_at=now,
        )
    )
    return _rowcount(result) == 1


def count_holding(*, session: Session, workspace_id: str, owner_id: str, dealt_count: bool) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(Customer)
        .where(col(Customer.workspace_id) == workspace_id, col(Customer.owner_id) == owner_id)
    )
    if not dealt_count:
        query = query.where(col(Customer.dealt_at).is_(None))
    return int(session.scalar(query) or 0)


def owner_of(*, session: Executor, workspace_id: str, customer_id: int) -> str | None:
    query = sa.select(col(Customer.owner_id)).where(
        col(Customer.workspace_id) == workspace_id, col(Customer.id) == customer_id
    )
    return session.scalar(query)


# -- the ownership history ------------------------------------------------------------------------
# -- the pool page --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PoolFilter:
    level: str | None = None
    region: str | None = None
    industry: str | None = None
    ids: Sequence[int] | None = None  # customers whose name matched the text typed


@dataclass(frozen=True)
class PoolCursor:
    """A position in the pool's order (newest arrivals first): the row to continue after or before."""

    pool_since: datetime
    customer_id: int


def _cursor(cursor: PoolCursor) -> sa.Tuple:
    return sa.tuple_(
        sa.bindparam("cursor_since", cursor.pool_since, type_=UTCDateTime()),
        sa.bindparam("cursor_id", cursor.customer_id, type_=sa.Integer()),
    )


def _word_start(column: Mapped[str], typed: str) -> sa.ColumnElement[bool]:
    """`typed` starts the value or one of its words, in any case ("east" finds "East China" and "North
    East"); LIKE's wildcards in what was typed are taken as themselves."""
    lowered, value = sa.func.lower(column), typed.lower()
    return sa.or_(lowered.startswith(value, autoescape=True), lowered.contains(" " + value, autoescape=True))


def pool_page(
    *,
    session: Session,
    workspace_id: str,
    where: PoolFilter,
    after: PoolCursor | None,
    before: PoolCursor | None,
    limit: int,
) -> list[Customer]:
    """Up to `limit` pool customers after (older than) or before (newer than) a cursor, newest first.

    Keyset pagination on (pool_since, id) over the pool index: page 1,000 costs what page 1 costs.
    """
    query = select(Customer).where(
        col(Customer.workspace_id) == workspace_id, col(Customer.owner_id).is_(None)
    )
    if where.level:
        query = query.where(col(Customer.level) == where.level)
    if where.region:
        query = query.where(_word_start(col(Customer.region), where.region))
    if where.industry:
        query = query.where(_word_start(col(Customer.industry), where.industry))
    if where.ids is not None:
        query = query.where(col(Customer.id).in_(where.ids))
    position = sa.tuple_(col(Customer.pool_since), col(Customer.id))
    if before is not None:
        query = query.where(position > _cursor(before))
        ordered = query.order_by(col(Customer.pool_since), col(Customer.id)).limit(limit)
        return list(reversed(session.exec(ordered).all()))
    if after is not None:
        query = query.where(position < _cursor(after))
    ordered = query.order_by(col(Customer.pool_since).desc(), col(Customer.id).desc()).limit(limit)
    return list(session.exec(ordered).all())
