"""Set-based SQL for imports, exports and backups: a batch of lines is a handful of statements.

A batch's keys travel as one JSON array parameter, read back as a set of values by the database
(SQLite's json_each, PostgreSQL's json_array_elements_text): one statement, any number of keys, no
limit on bound parameters, and each key an index lookup.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store import opportunities as opportunity_store
from store.models import (
    Complaint,
    Contact,
    Customer,
    CustomerTerm,
    Order,
    Person,
    Visit,
    Workspace,
)
from store.sql import is_postgresql, keys_set
from store.types import UTCDateTime

CUSTOMER = Customer.__table__  # type: ignore[attr-defined]
TERM = CustomerTerm.__table__  # type: ignore[attr-defined]
ORDER = Order.__table__  # type: ignore[attr-defined]
VISIT = Visit.__table__  # type: ignore[attr-defined]
PERSON = Person.__table__  # type: ignore[attr-defined]
COMPLAINT = Complaint.__table__  # type: ignore[attr-defined]
CONTACT = Contact.__table__  # type: ignore[attr-defined]

# The fields an import may fill in on an existing customer when they are empty.
FILLABLE = ("contact_person", "phone", "email", "region", "industry", "products", "tags", "source")
MATCH_COLUMNS = ("id", "name", "name_key", "phone_key", "owner_id", *FILLABLE)
EXPORT_BATCH = 2000


_TAKE_WRITE_LOCK = sa.text("UPDATE workspace SET id = id WHERE 1 = 0")
_BULK_CACHE = sa.text("PRAGMA cache_size = -262144")  # KiB: up to 256 MB, taken as the pages come


def begin_bulk_writes(*, session: Session) -> None:
    """SQLite: hold the database's write lock from the transaction's first statement, and give this
    connection a page cache to match a long transaction.

    A transaction that reads first and writes later fails at once, without waiting, if the bot
    committed in between (its snapshot is stale); a write statement first, even one matching no row,
    waits for the lock instead. The default cache (2 MB) would spill the transaction's pages to the
    WAL again and again. PostgreSQL locks rows, not the database: nothing to do there."""
    if not is_postgresql(session):
        session.execute(_TAKE_WRITE_LOCK)
        session.execute(_BULK_CACHE)


def list_workspaces(*, session: Session) -> Sequence[Workspace]:
    return session.exec(select(Workspace).order_by(col(Workspace.id))).all()


def people_of(*, session: Session, workspace_id: str) -> Sequence[Person]:
    """Everyone the bot has met in the workspace, deactivated people included."""
    return session.exec(select(Person).where(Person.workspace_id == workspace_id)).all()


def customers_with_keys(
    *, session: Session, workspace_id: str, column: str, keys: Collection[str]
) -> Sequence[sa.Row[Any]]:
    """Customers whose `column` (name_key or phone_key) is one of `keys`, with what a merge may fill in."""
    if not keys:
        return []
    query = _per_key(session, [CUSTOMER.c[name] for name in MATCH_COLUMNS], workspace_id, CUSTOMER.c[column])
    return session.execute(query, {"keys": json.dumps(sorted(keys))}).all()


def _per_key(
    session: Session,
    columns: list[sa.Column[Any]],
    workspace_id: str,
    column: sa.Column[Any],
    *,
    integers: bool = False,
) -> sa.Select[Any]:
    """The workspace's customers whose `column` is one of the JSON array bound as `keys`: one index
    lookup per key (ix_customer_name_key, ix_customer_phone_key, the primary key).

    PostgreSQL gets a lateral subquery per key, kept apart by OFFSET 0: an import fills the table in
    its own transaction, unseen by the statistics, and planned as a join PostgreSQL would take the
    table for tiny and read all the workspace's rows at every batch. SQLite looks each value of an IN
    list up on the index by itself."""
    keys = keys_set(session, "keys", integers=integers).subquery("k")
    if not is_postgresql(session):
        return sa.select(*columns).where(
            CUSTOMER.c.workspace_id == workspace_id, column.in_(sa.select(keys.c[0]))
        )
    per_key = (
        sa.select(*columns)
        .where(CUSTOMER.c.workspace_id == workspace_id, column == keys.c[0])
        .offset(0)
        .lateral("c")
    )
    return sa.select(*per_key.c).select_from(keys).join(per_key, sa.true())


def customers_named(
    *, session: Session, workspace_id: str, keys: Collection[str], ids: Collection[int]
) -> Sequence[sa.Row[Any]]:
    """(id, name, name_key, owner_id) of the customers with these name keys or ids."""
    columns = [CUSTOMER.c.id, CUSTOMER.c.name, CUSTOMER.c.name_key, CUSTOMER.c.owner_id]
    rows: list[sa.Row[Any]] = []
    if keys:
        by_key = _per_key(session, columns, workspace_id, CUSTOMER.c.name_key)
        rows += session.execute(by_key, {"keys": json.dumps(sorted(keys))}).all()
    if ids:
        by_id = _per_key(session, columns, workspace_id, CUSTOMER.c.id, integers=True)
        rows += session.execute(by_id, {"keys": json.dumps(sorted(ids))}).all()
    return rows


def insert_customers(*, session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows; their new ids, in the rows' order."""
    if not rows:
        return []
    if not is_postgresql(session):
        return _insert_customers_sqlite(session, rows)
    # Ids taken from the sequence first (other writers take theirs meanwhile, as with any INSERT),
    # so the rows can go in by COPY, which returns nothing.
    ids = [int(i) for i in session.execute(_NEXT_IDS, {"n": len(rows)}).scalars()]
    _copy(session, CUSTOMER, [{**row, "id": customer_id} for row, customer_id in zip(rows, ids, strict=True)])
    return ids


_NEXT_IDS = sa.text("SELECT nextval(pg_get_serial_sequence('customer', 'id')) FROM generate_series(1, :n)")


_MAX_ID = sa.select(sa.func.coalesce(sa.func.max(CUSTOMER.c.id), 0))


def _insert_customers_sqlite(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """SQLite gives each new row the largest rowid plus one, and this transaction holds the only write
    lock: the batch's ids are the ones above the previous largest, in order. (RETURNING in the rows'
    order would make SQLAlchemy send them one INSERT at a time, three times slower.)"""
    before = int(session.execute(_MAX_ID).scalar_one())
    session.execute(sa.insert(CUSTOMER), rows)
    after = int(session.execute(_MAX_ID).scalar_one())
    if after - before != len(rows):  # rowids exhausted: SQLite picked them at random
        raise sa.exc.InvalidRequestError(
            f"{len(rows)} customers inserted, but the largest id grew by {after - before}"
        )
    return list(range(before + 1, after + 1))


def insert_rows(*, session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Rows of customer_term, customer_order or visit, each with the same keys: COPY on PostgreSQL,
    one executemany INSERT on SQLite."""
    if rows and is_postgresql(session):
        _copy(session, table, rows)
    elif rows:
        session.execute(sa.insert(table), rows)


def insert_terms(*, session: Session, rows: list[dict[str, Any]]) -> None:
    """Search terms, in the order of their lookup index: each of its pages is written once a batch,
    not once for each term that lands on it at random."""
    insert_rows(session=session, table=TERM, rows=sorted(rows, key=lambda row: row["term"]))


def _copy(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """COPY ... FROM STDIN on the session's connection, in its transaction: PostgreSQL's bulk load,
    ten times faster than INSERTs (whose parameters psycopg parses statement by statement). The
    values are what the columns' types would bind: instants timezone-aware, days as dates."""
    names = list(rows[0])
    driver = session.connection().connection.driver_connection
    assert driver is not None
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in names])


def _if_empty(name: str) -> sa.ColumnElement[Any]:
    return sa.case((CUSTOMER.c[name] == "", sa.bindparam(f"b_{name}")), else_=CUSTOMER.c[name])


# An UPDATE reads the row's values from before it: the phone key follows the phone it fills in.
_FILL_EMPTY = (
    sa.update(CUSTOMER)
    .where(CUSTOMER.c.id == sa.bindparam("b_id"))
    .values(
        **{name: _if_empty(name) for name in FILLABLE},
        phone_key=sa.case((CUSTOMER.c.phone == "", sa.bindparam("b_phone_key")), else_=CUSTOMER.c.phone_key),
        updated_at=sa.bindparam("b_now", type_=UTCDateTime()),
    )
)


def fill_empty_fields(*, session: Session, fills: list[dict[str, Any]]) -> None:
    """Each customer's empty fields set from b_<field> (b_id, b_now, b_phone_key); a field that is not
    empty any more (the bot wrote it meanwhile) keeps its value."""
    if fills:
        session.execute(_FILL_EMPTY, fills)


_FIRST, _LAST = CUSTOMER.c.first_order_on, CUSTOMER.c.last_order_on
_FIRST_DAY, _LAST_DAY = sa.bindparam("b_first", type_=sa.Date()), sa.bindparam("b_last", type_=sa.Date())


def _stage_is(*stages: str) -> sa.ColumnElement[bool]:
    """OR-ed equalities, not IN: an expanding IN cannot run in the executemany of `note_orders`."""
    return sa.or_(*(CUSTOMER.c.stage == stage for stage in stages))


_CHANGES_STAGE = sa.or_(
    sa.and_(CUSTOMER.c.dealt_at.is_(None), _stage_is("prospect", "interested")),
    _stage_is("lost", "dormant"),
)
# As bot.services.orders does for one order: the first order makes the deal (and a prospect, or a
# customer marked lost, new; a lost or dormant one is won back), and the order days and count the churn signals read.
_NOTE_ORDERS = (
    sa.update(CUSTOMER)
    .where(CUSTOMER.c.id == sa.bindparam("b_id"))
    .values(
        dealt_at=sa.func.coalesce(CUSTOMER.c.dealt_at, sa.bindparam("b_now", type_=UTCDateTime())),
        stage=sa.case(
            (sa.and_(CUSTOMER.c.dealt_at.is_(None), _stage_is("prospect", "interested", "lost")), "new"),
            (_stage_is("lost", "dormant"), "won_back"),  # an order undoes lost, wins back
            else_=CUSTOMER.c.stage,
        ),
        stage_since=sa.case(
            (_CHANGES_STAGE, sa.bindparam("b_now", type_=UTCDateTime())), else_=CUSTOMER.c.stage_since
        ),
        lost_at=None,
        lost_reason="",
        first_order_on=sa.case(
            (sa.or_(_FIRST.is_(None), _FIRST > _FIRST_DAY), _FIRST_DAY),
            else_=_FIRST,
        ),
        last_order_on=sa.case(
            (sa.or_(_LAST.is_(None), _LAST < _LAST_DAY), _LAST_DAY),
            else_=_LAST,
        ),
        order_count=CUSTOMER.c.order_count + sa.bindparam("b_count", type_=sa.Integer()),
    )
)


def note_orders(*, session: Session, facts: list[dict[str, Any]]) -> None:
    """Per customer: b_id, b_first and b_last (order days), b_count (orders added), b_now."""
    if facts:
        session.execute(_NOTE_ORDERS, facts)


# What a visit changes on its customer, and what decides it besides.
VISIT_CHANGES = (
    "last_visit_on",
    "last_satisfaction",
    "last_satisfaction_on",
    "recycle_clock_from",
    "next_follow_up",
)
VISIT_FACTS = ("id", "owner_id", "owned_since", *VISIT_CHANGES)


def lock_visit_facts(*, session: Session, ids: Collection[int]) -> Sequence[sa.Row[Any]]:
    """What a visit changes on these customers, locked until the import commits (PostgreSQL; SQLite's
    writer holds the whole database)."""
    query = (
        sa.select(*(CUSTOMER.c[name] for name in VISIT_FACTS))
        .where(CUSTOMER.c.id.in_(keys_set(session, "ids", integers=True)))
        .with_for_update()
    )
    return session.execute(query, {"ids": json.dumps(sorted(ids))}).all()


_SAVE_VISIT_FACTS = (
    sa.update(CUSTOMER)
    .where(CUSTOMER.c.id == sa.bindparam("b_id"))
    .values(
        **{name: sa.bindparam(f"b_{name}", type_=CUSTOMER.c[name].type) for name in VISIT_CHANGES},
        updated_at=sa.bindparam("b_now", type_=UTCDateTime()),
    )
)


def save_visit_facts(*, session: Session, facts: list[dict[str, Any]]) -> None:
    if facts:
        session.execute(_SAVE_VISIT_FACTS, facts)


def _owner_name() -> sa.ScalarSelect[Any]:
    return (
        sa.select(PERSON.c.name)
        .where(PERSON.c.workspace_id == CUSTOMER.c.workspace_id, PERSON.c.user_id == CUSTOMER.c.owner_id)
        .scalar_subquery()
    )


def _customer_name(table: sa.Table) -> sa.ScalarSelect[Any]:
    return sa.select(CUSTOMER.c.name).where(CUSTOMER.c.id == table.c.customer_id).scalar_subquery()


def _export_query(what: str, workspace_id: str) -> sa.Select[Any]:
    if what == "customers":
        return (
            sa.select(CUSTOMER, _owner_name().label("owner_name"))
            .where(CUSTOMER.c.workspace_id == workspace_id)
            .order_by(CUSTOMER.c.id)
        )
    if what == "opportunities":
        return opportunity_store.export_query(workspace_id)
    table = {"orders": ORDER, "visits": VISIT, "complaints": COMPLAINT, "contacts": CONTACT}[what]
    return (
        sa.select(table, _customer_name(table).label("customer"))
        .where(table.c.workspace_id == workspace_id)
        .order_by(table.c.id)
    )


def stream_rows(*, connection: sa.Connection, what: str, workspace_id: str) -> Iterator[sa.RowMapping]:
    """Every row of a table of the workspace, with its customer's (or owner's) name, read in batches
    (a server-side cursor on PostgreSQL): a million rows never sit in memory at once."""
    result = connection.execution_options(yield_per=EXPORT_BATCH).execute(_export_query(what, workspace_id))
    yield from result.mappings()


def sqlite_file(engine: sa.Engine) -> Path | None:
    database = engine.url.database
    return Path(database).resolve() if database and database != ":memory:" else None


def backup_sqlite(*, engine: sa.Engine, target: Path) -> None:
    """A consistent copy of a live SQLite database through its online backup API.

    One step copies every page inside a single read transaction: a snapshot. In WAL mode the bot's
    writers go on meanwhile (they append to the WAL; the pages read are not checkpointed under the
    reader). Written beside the target and renamed: a failed backup never leaves half a file there."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(partial)
        try:
            source.driver_connection.backup(copy)  # type: ignore[union-attr]
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            copy.close()
    finally:
        source.close()
    os.replace(partial, target)


def backup_revision(source: Path) -> str | None:
    """The schema revision a backup file holds, read without writing to it; None: not a bot's database."""
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as copy:
            row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:  # not SQLite at all, or no alembic_version table
        return None
    return None if row is None else str(row[0])


def restore_sqlite(*, source: Path, target: Path, aside: Path) -> None:
    """Put the backup `source` in place of the database file `target`, the current file (with its
    -wal and -shm) moved to `aside` first. The copy is written beside the target and renamed: a failed
    restore leaves the current database where it was."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    reading = closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True))
    with reading as backup, closing(sqlite3.connect(partial)) as copy:
        backup.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
    for suffix in ("", "-wal", "-shm"):
        current = target.with_name(target.name + suffix)
        if current.exists():
            os.replace(current, aside.with_name(aside.name + suffix))
    os.replace(partial, target)
