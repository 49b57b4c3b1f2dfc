"""The nightly scheduler passes at size: 1,000,000 customers, 5,000,000 orders, 1,000 reps in 100 teams.

Times, on SQLite and PostgreSQL, each pass of the night once, beside the best set-based SQL doing the
same selection on the same indexes in the same run, and prints the ratios:
- warning pass, `bot.messaging.recycle.warn_owners` (a DM per owner listing customers due back in the pool
  within the warning window), beside the per-level SELECTs of `store.recycle.due_conditions` with
  by = now + the warning days, and the two small reads without which no one can be warned: the active
  people (their zones and languages) and which of today's warnings are already queued;
- recycle pass, `bot.services.recycle.recycle_due`, beside the per-level UPDATE ... RETURNING
  statements and one bulk INSERT of the history rows, committed. Both write, so the baseline runs on an
  identical copy of the database made after loading (a copied file on SQLite, CREATE DATABASE ...
  TEMPLATE on PostgreSQL) and both start from the same state;
- churn pass, `bot.services.churn.score_today` (every dealt customer scored, the band history and
  states written), beside the same scoring SELECT (the signals' SELECTs, UNION ALL, GROUP BY) into a
  table, on the copy; then the churn warnings, `bot.messaging.churn.warn_owners`, beside the warning rows'
  SELECT for every rep (on this first scored night, every customer in a band is news);
- digest pass, `bot.messaging.digest.send_digests` (100 managers and the admin), beside the digest's
  selections as plain SQL for every team at once, as the job reads them (see `all_figures`: grouped or
  ranked per rep, open complaints included) and the nearly-due-in-3-days selection.
(The recycle pass is the move alone: the job's pool-channel announcement is not timed.)
The warning, churn-warning and digest passes also queue their messages in the outbox, which their
selections do not write. So, after each of them, its queued rows are read back (not timed) and written
again, as `store.outbox.enqueue_many` writes them (one INSERT ... ON CONFLICT DO NOTHING executed with
every row, committed), into an empty scratch table shaped as outbox_message on the copy (timed).
Likewise the churn pass writes the band history and the states (on this first scored night, a row of
each for every customer in a band): they are held in plain tables (not timed) and written again as the
pass writes them, INSERT ... SELECT in customer order, into empty tables shaped as churn_change and
churn_state, foreign keys to customer included (timed; see `rewrite_churn`). Those passes are held to
their selection plus those writes; the selection alone is printed beside it.
Passes and baselines run in the job's order, so each sees what the one before left.

The data, loaded set-based (see `load` and `state_statements`): one workspace in Asia/Shanghai; 100
managers with 10 reps each, 10 reps without a manager (the admin's digest is about them), 2
deactivated reps who still own customers, 1 admin; 40 % of the customers in the pool, the others owned,
60 % of those dealt, with orders over three years, visits over the last 120 days and yesterday's claims
and releases. The passes run as the worker would at 09:05 on Wednesday 2026-11-25 in Asia/Shanghai (a
FixedClock): after the digest time (08:30) and the reminder time (09:00) of everyone, on a working day.
About 63,000 customers are due for recycle then and about 5,000 more within the 3-day warning window.

The timed passes run in a fresh child process (spawned), so its peak memory (ru_maxrss) is the worker's,
without the data loading; the baselines run in it too, each just before its pass, after a warm-up that
reads the nearly-due customers on both databases, loads what a long-running worker already holds
(settings, people, the holiday calendar) and settles as the worker does at its start
(`bot.startup.settle`: the catalogs read, the start's objects frozen out of the garbage collector's
sight). Each pass runs once (it changes the data), so a single figure is printed as both p50 and p99;
on SQLite the recycle's times vary by about 30 % from run to run (its commit's fsync and checkpoint),
so read its ratio as "about 1".

    python -m bench.nightly                                    # SQLite, full size
    python -m bench.nightly --customers 20000 --orders 100000  # a quick look
    python -m bench.nightly --postgres postgresql://postgres@127.0.0.1:54331/postgres --skip-sqlite
    python -m bench.nightly --customers 20000 --orders 100000 --profile warning  # cProfile one pass
    python -m bench.nightly --next-night  # also the churn pass a day later (a steady night)

Goals: the whole night (the sum of the passes) under 60 s on PostgreSQL; each pass within 2x of its
baseline; the worker's peak memory under 500 MB.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import pstats
import resource
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from rich.console import Console
from sqlmodel import SQLModel

from bench.data import (
    WORKSPACE,
    BenchPerson,
    SqlTime,
    insert_people,
    insert_workspace,
    load_customers,
    load_orders,
    load_visits,
    spread,
)
from bench.engines import postgres_database, sqlite_database
from bench.typeahead import environment, ratio_table
from bot import startup
from bot.clock import FixedClock
from bot.env import Env
from bot.jobs import digest as digest_job
from bot.messaging import churn as churn_messages
from bot.messaging import digest as digest_messages
from bot.messaging import recycle as recycle_messages
from bot.notify import dedupe_key
from bot.rules import churn as churn_rules
from bot.rules.calendar import is_working_day
from bot.rules.pool import DEFAULT_RECYCLE_DAYS, PoolRules
from bot.services import churn as churn_service
from bot.services import digest as digest_service
from bot.services import recycle as recycle_service
from bot.services import settings as settings_service
from bot.services.people import directory
from bot.views import churn as churn_views
from store import churn as churn_store
from store import recycle as recycle_store
from store.db import create_db_engine, upgrade_schema
from store.models import (
    COMPLAINT_UNRESOLVED,
    MOVE_ASSIGN,
    MOVE_CLAIM,
    MOVE_RECYCLE,
    MOVE_RELEASE,
    ROLE_ADMIN,
    ROLE_MANAGER,
    ROLE_REP,
    OutboxMessage,
)
from store.sql import insert_for, one_of
from store.types import UTCDateTime

TIMEZONE = "Asia/Shanghai"
NOW = datetime(2026, 11, 25, 9, 5, tzinfo=ZoneInfo(TIMEZONE))  # a Wednesday, a working day in China
DAY = 86_400
MANAGERS = [f"U0MGR{n:03d}" for n in range(100)]
REPS = [f"U0REP{n:04d}" for n in range(1000)]  # rep n is in the team of MANAGERS[n // 10]
# Reps without a manager (the admin's digest is about them) and deactivated members who still own
# customers (each digest lists those to reassign): neither would show otherwise.
UNMANAGED = [f"U0SOLO{n:02d}" for n in range(10)]
GONE = {"U0GONE0": MANAGERS[0], "U0GONE1": None}
ADMIN = "U0ADMIN"
OWNERS = REPS + UNMANAGED + list(GONE)
RULES = PoolRules()  # the bench workspace keeps the default settings
GOAL_NIGHT_S, GOAL_RATIO, GOAL_PEAK_MB = 60, 2.0, 500
CUSTOMER = SQLModel.metadata.tables["customer"]
EVENT = SQLModel.metadata.tables["ownership_event"]
PERSON = SQLModel.metadata.tables["person"]
OUTBOX = SQLModel.metadata.tables["outbox_message"]
CHURN_CHANGE = SQLModel.metadata.tables["churn_change"]
CHURN_STATE = SQLModel.metadata.tables["churn_state"]
Counts = dict[str, int]


# -- the data --------------------------------------------------------------------------------------


def people() -> list[BenchPerson]:
    """Every other person reads Chinese, so both languages are rendered."""
    everyone = [BenchPerson(ADMIN, role=ROLE_ADMIN)]
    everyone += [BenchPerson(m, role=ROLE_MANAGER) for m in MANAGERS]
    everyone += [BenchPerson(rep, manager_id=MANAGERS[n // 10]) for n, rep in enumerate(REPS)]
    everyone += [BenchPerson(rep) for rep in UNMANAGED]
    everyone += [BenchPerson(user, manager_id=manager, is_deleted=True) for user, manager in GONE.items()]
    return [replace(p, chosen_locale="zh_CN") if n % 2 else p for n, p in enumerate(everyone)]


def level_days() -> str:
    """Each customer's days without a visit before the recycle, by its level."""
    cases = " ".join(f"WHEN '{level}' THEN {days}" for level, days in DEFAULT_RECYCLE_DAYS.items())
    return f"(CASE level {cases} END)"


def owned_update(clock: SqlTime, *, where: str, owned_age: str, visit_age: str) -> str:
    """Ownership facts of owned customers: `owned_age` in seconds; `visit_age` in days (NULL: no visit)."""
    follow_up = spread("follow-up", 43)  # 30 of 43 have one, from 5 days ago to 24 days ahead
    return (
        f"UPDATE customer SET owned_since = {clock.instant(f'-({owned_age})')}, "
        f"last_visit_on = {clock.day(f'-({visit_age})')}, "
        f"next_follow_up = CASE WHEN {follow_up} < 30 THEN {clock.day(f'{follow_up} - 5')} END, "
        f"{created(clock)} WHERE owner_id IS NOT NULL AND {where}"
    )


def created(clock: SqlTime) -> str:
    """Customers were added three to three and a half years ago; all were touched yesterday."""
    age = spread("created", 200 * DAY)
    return (
        f"created_at = {clock.instant(f'-(1100 * {DAY} + {age})')}, updated_at = {clock.instant(f'-{DAY}')}"
    )


def state_statements(clock: SqlTime) -> list[str]:
    """The customers' states, set-based. 40 % in the pool; of the owned, 60 % dealt (never recycled:
    customers who ordered are exempt), owned for 30 to 365 days, 90 % visited in the last 120 days.
    The undealt are in four groups: 26.5 % overdue (no visit for their level's days plus up to 60, or
    no first order in 90 days) -- the backlog the night clears; 1.5 % due in 1 to 3 days for lack of a
    visit, 0.5 % for lack of a first order (the warnings); the rest kept up (visited within their
    level's days less 4, claimed under 86 days ago). A few hundred locks and extensions among them."""
    first, warn = RULES.days_to_first_order, RULES.warning_days
    days = level_days()
    bucket = spread("bucket", 1000)
    recent_visit = f"1 + {spread('visit', f'{days} - {warn + 1}')}"  # a visit 1 to level days - 4 ago
    undealt = "dealt_at IS NULL AND "
    kept_up_age = spread("age", (first - warn - 1) * DAY)
    warned_visit = f"({days} - 1 - {spread('visit', warn)})"
    overdue_visit = f"({days} + {spread('visit', 60)})"
    dealt_age = f"(30 * {DAY} + {spread('age', 335 * DAY)})"
    dealt_visit = f"(1 + {spread('visit', 120)})"
    pool_age = spread("age", 365 * DAY)
    extended = spread("until", 6 * DAY)
    return [
        f"UPDATE customer SET previous_owner_id = owner_id, owner_id = NULL, "
        f"pool_since = {clock.instant(f'-{pool_age}')}, {created(clock)} WHERE {spread('pool', 100)} < 40",
        # dealt_at is a placeholder here: load_orders sets it to the first order
        f"UPDATE customer SET dealt_at = created_at WHERE owner_id IS NOT NULL AND {spread('dealt', 100)} < 60",
        owned_update(
            clock,
            where="dealt_at IS NOT NULL",
            owned_age=dealt_age,
            visit_age=f"CASE WHEN {spread('visited', 10)} < 9 THEN (CASE WHEN {dealt_visit} * {DAY} > "
            f"{dealt_age} THEN {dealt_age} / {DAY} ELSE {dealt_visit} END) END",
        ),
        owned_update(
            clock,
            where=f"{undealt}{bucket} < 265",
            owned_age=f"{overdue_visit} * {DAY} + {spread('age', 200 * DAY)}",
            visit_age=f"CASE WHEN {spread('visited', 100)} < 85 THEN {overdue_visit} END",
        ),
        owned_update(
            clock,
            where=f"{undealt}{bucket} >= 265 AND {bucket} < 280",
            owned_age=f"{warned_visit} * {DAY} + {spread('age', f'({first - warn - 1} - {warned_visit}) * {DAY}')}",
            visit_age=warned_visit,
        ),
        owned_update(
            clock,
            where=f"{undealt}{bucket} >= 280 AND {bucket} < 285",
            owned_age=f"{first - warn} * {DAY} + {spread('age', warn * DAY)}",
            visit_age=recent_visit,
        ),
        owned_update(
            clock,
            where=f"{undealt}{bucket} >= 285",
            owned_age=kept_up_age,
            visit_age=f"CASE WHEN {kept_up_age} >= ({recent_visit}) * {DAY} THEN {recent_visit} END",
        ),
        f"UPDATE customer SET locked_by = '{ADMIN}', locked_at = {clock.instant(f'-10 * {DAY}')} "
        f"WHERE owner_id IS NOT NULL AND {undealt}{spread('lock', 600)} = 0",
        f"UPDATE customer SET recycle_extended_until = {clock.instant(f'3600 + {extended}')} "
        f"WHERE owner_id IS NOT NULL AND {undealt}{bucket} < 265 AND {spread('extend', 500)} = 0",
    ]


def recycle_clock_statement(sqlite: bool) -> str:
    """The later of owned_since and midnight UTC of last_visit_on: migration 0004's backfill, verbatim."""
    if not sqlite:
        visit_day = "(last_visit_on::timestamp AT TIME ZONE 'UTC')"
        return (
            f"UPDATE customer SET recycle_clock_from = GREATEST(owned_since, COALESCE({visit_day}, owned_since))"
            " WHERE owner_id IS NOT NULL"
        )
    visit_day = "(last_visit_on || ' 00:00:00.000000')"
    return (
        f"UPDATE customer SET recycle_clock_from = CASE WHEN last_visit_on IS NOT NULL AND {visit_day} > owned_since"
        f" THEN {visit_day} ELSE owned_since END WHERE owner_id IS NOT NULL"
    )


def yesterday() -> tuple[datetime, datetime]:
    """The previous working day in Asia/Shanghai, as the digest reads it."""
    day = digest_service.previous_working_day(NOW.date(), "CN")
    start = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(TIMEZONE))
    return start, start + timedelta(days=1)


def insert_moves_of_yesterday(connection: sa.Connection) -> None:
    """The claims and releases behind yesterday's owned_since and pool_since: the digest's pool in/out."""
    insert = (
        "INSERT INTO ownership_event (workspace_id, customer_id, kind, actor_id, from_owner_id, "
        "to_owner_id, reason, note, at) "
    )
    window = sa.bindparam("start", type_=UTCDateTime()), sa.bindparam("end", type_=UTCDateTime())
    start, end = yesterday()
    claims = (
        f"SELECT workspace_id, id, '{MOVE_CLAIM}', owner_id, NULL, owner_id, '', '', owned_since "
        "FROM customer WHERE owner_id IS NOT NULL AND owned_since >= :start AND owned_since < :end"
    )
    releases = (
        f"SELECT workspace_id, id, '{MOVE_RELEASE}', previous_owner_id, previous_owner_id, NULL, "
        "'not_interested', '', pool_since FROM customer "
        "WHERE owner_id IS NULL AND pool_since >= :start AND pool_since < :end"
    )
    for select in (claims, releases):
        connection.execute(sa.text(insert + select).bindparams(*window), {"start": start, "end": end})


def insert_requests(connection: sa.Connection, clock: SqlTime) -> None:
    """Pending requests for more days on one in ten of the customers warned for lack of a visit."""
    connection.execute(
        sa.text(
            "INSERT INTO extension_request (workspace_id, customer_id, asked_by, recycle_at, status, asked_at) "
            f"SELECT workspace_id, id, owner_id, {clock.instant(f'2 * {DAY}')}, 'pending', "
            f"{clock.instant(f'-{DAY}')} FROM customer WHERE owner_id IS NOT NULL AND dealt_at IS NULL "
            f"AND {spread('bucket', 1000)} >= 265 AND {spread('bucket', 1000)} < 280 AND {spread('ask', 10)} = 0"
        ),
        clock.params,
    )


def loading_engine(url: str) -> sa.Engine:
    """The app's engine, with what a bulk load wants on its own connections: a big cache and no waiting
    for the disk (nothing here needs to survive a power cut; the timed passes use the app's settings)."""
    engine = create_db_engine(url)

    @sa.event.listens_for(engine, "connect")
    def tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if url.startswith("sqlite"):
            cursor.execute("PRAGMA cache_size = -1048576")
            cursor.execute("PRAGMA synchronous = OFF")
        else:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET work_mem = '256MB'")
            cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.close()

    return engine


def load(engine: sa.Engine, customers: int, orders: int, console: Console) -> None:
    started = time.perf_counter()
    sqlite = engine.dialect.name == "sqlite"
    clock = SqlTime(sqlite, NOW)
    with engine.begin() as connection:
        insert_workspace(connection, timezone=TIMEZONE, created_at=NOW - timedelta(days=1200))
        insert_people(connection, people(), created_at=NOW - timedelta(days=1200))
    load_customers(engine, customers, owners=OWNERS)
    with engine.begin() as connection:
        for statement in [*state_statements(clock), recycle_clock_statement(sqlite)]:
            connection.execute(sa.text(statement), clock.params)
    order_count = load_orders(engine, orders, clock)
    visit_count = load_visits(engine, clock, history_since=clock.instant(f"-150 * {DAY}"))
    with engine.begin() as connection:
        insert_moves_of_yesterday(connection)
        insert_requests(connection, clock)
    # A steady state, as autovacuum would leave it: statistics, and PostgreSQL's visibility map.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if not sqlite else "ANALYZE"))
    console.print(
        f"  loaded {customers:,} customers, {order_count:,} orders, {visit_count:,} visits and "
        f"{len(people()):,} people in {time.perf_counter() - started:.0f} s"
    )
    describe(engine, console)


def describe(engine: sa.Engine, console: Console) -> None:
    """What the night will find: the states, and how many customers are due and nearly due."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT SUM(CASE WHEN owner_id IS NULL THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN owner_id IS NOT NULL THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN dealt_at IS NOT NULL THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN locked_by IS NOT NULL THEN 1 ELSE 0 END) FROM customer"
            )
        ).one()
        events = connection.execute(sa.text("SELECT COUNT(*) FROM ownership_event")).scalar()
        due = nearly_due(connection, NOW)
        soon = nearly_due(connection, NOW + timedelta(days=RULES.warning_days))
    console.print(
        f"  {row[0]:,} in the pool, {row[1]:,} owned ({row[2]:,} dealt, {row[3]:,} locked); "
        f"{events:,} claims and releases yesterday; at {NOW:%Y-%m-%d %H:%M %z}: {len(due):,} due for "
        f"recycle, {len(soon) - len(due):,} more within {RULES.warning_days} days"
    )


def plans(engine: sa.Engine, console: Console) -> None:
    """The recycle's statements and the warning window's should each be one range over a partial index."""
    sqlite = engine.dialect.name == "sqlite"
    explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    window = NOW + timedelta(days=RULES.warning_days)
    with engine.connect() as connection:
        for selection, statements in (
            ("recycle", due_statements(NOW)),
            ("window", due_statements(window, NOW)),
        ):
            for reason, conditions in statements:
                select = sa.select(CUSTOMER.c.id).where(*conditions)
                compiled = select.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
                rows = connection.exec_driver_sql(explain + str(compiled)).all()
                plan = " | ".join(str(r[-1]).strip() for r in rows)
                console.print(f"  {selection} plan ({reason}): {plan}", soft_wrap=True)


@contextmanager
def identical_copy(url: str) -> Iterator[str]:
    """A copy of the loaded database, for the baselines that write (dropped afterwards). Then every
    written page goes to the disk (os.sync): otherwise the first fsync on the fresh copy would wait for
    gigabytes of its pages, and the baseline, not the pass, would pay for the copy."""
    make = sqlite_copy if url.startswith("sqlite") else postgres_copy
    with make(url) as copy_url:
        os.sync()
        yield copy_url


@contextmanager
def sqlite_copy(url: str) -> Iterator[str]:
    source = str(sa.make_url(url).database)  # the loader's connections are closed: no WAL is left
    target = source.replace(".db", "-copy.db")
    shutil.copyfile(source, target)
    yield f"sqlite:///{target}"


@contextmanager
def postgres_copy(url: str) -> Iterator[str]:
    name = str(sa.make_url(url).database)
    admin_url = sa.make_url(url).set(database="postgres")
    admin = create_db_engine(admin_url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}_copy TEMPLATE {name} STRATEGY FILE_COPY"))
    try:
        yield sa.make_url(url).set(database=f"{name}_copy").render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}_copy WITH (FORCE)"))
        admin.dispose()


# -- the night (in the worker's process) ----------------------------------------------------------------


@dataclass(frozen=True)
class Night:
    env: Env
    settings: settings_service.WorkspaceSettings
    copy: sa.Engine  # an identical copy of the database, for the baselines that write

    @property
    def now(self) -> datetime:
        return self.env.clock.now()


def due_statements(
    by: datetime, after: datetime | None = None
) -> list[tuple[str, list[sa.ColumnElement[bool]]]]:
    rules = recycle_service.sql_rules(RULES)
    return recycle_store.due_conditions(rules, workspace_id=WORKSPACE, by=by, after=after)


def nearly_due(connection: sa.Connection, by: datetime, after: datetime | None = None) -> set[int]:
    """The customers whose recycle comes by `by` (and after `after`): the recycle's per-level SELECTs,
    whole rows, as the jobs select them."""
    found: set[int] = set()
    for _, conditions in due_statements(by, after):
        found.update(row.id for row in connection.execute(sa.select(CUSTOMER).where(*conditions)))
    return found


def nearly_due_statements(night: Night) -> Counts:
    """the per-level SELECTs of due_conditions over the window (after now, by now + warning days), the
    active people and which of them have today's warning queued"""
    today = night.now.astimezone(ZoneInfo(TIMEZONE)).date().isoformat()
    with night.env.db.engine.connect() as connection:
        found = nearly_due(connection, night.now + timedelta(days=RULES.warning_days), night.now)
        people = connection.execute(
            sa.select(PERSON.c.user_id, PERSON.c.timezone, PERSON.c.slack_locale).where(
                PERSON.c.workspace_id == WORKSPACE, PERSON.c.is_deleted.is_(False)
            )
        ).all()
        keys = [dedupe_key(recycle_messages.WARNING, person.user_id, "", today) for person in people]
        queued = connection.execute(
            sa.select(OUTBOX.c.dedupe_key).where(
                OUTBOX.c.workspace_id == WORKSPACE, one_of(connection, OUTBOX.c.dedupe_key, keys)
            )
        ).all()
    return {"customers selected": len(found), "people": len(people), "already warned": len(queued)}


def warning_pass(night: Night) -> Counts:
    """recycle.warn_owners"""
    owners, customers = recycle_messages.warn_owners(night.env, WORKSPACE, night.settings)
    return {"owners warned": owners, "customers in warnings": customers}


def recycle_statements(night: Night) -> Counts:
    """per-level UPDATE ... RETURNING + one INSERT, committed (on the copy)"""
    now = night.now
    moved: list[dict[str, Any]] = []
    with night.copy.begin() as connection:
        for reason, conditions in due_statements(now):
            rows = connection.execute(
                sa.update(CUSTOMER)
                .where(*conditions)
                .values(
                    previous_owner_id=CUSTOMER.c.owner_id,
                    owner_id=None,
                    owned_since=None,
                    recycle_clock_from=None,
                    recycle_extended_until=None,
                    pool_since=now,
                    next_follow_up=None,
                    updated_at=now,
                )
                .returning(CUSTOMER.c.id, CUSTOMER.c.previous_owner_id)
            )
            moved += [
                {"workspace_id": WORKSPACE, "customer_id": customer_id, "kind": MOVE_RECYCLE, "actor_id": None,
                 "from_owner_id": previous, "to_owner_id": None, "reason": reason, "note": "", "at": now}
                for customer_id, previous in rows
            ]  # fmt: skip
        connection.execute(sa.insert(EVENT), moved)
    return {"customers moved": len(moved)}


def recycle_pass(night: Night) -> Counts:
    """recycle.recycle_due"""
    done = recycle_service.recycle_due(night.env, WORKSPACE, night.settings)
    return {"customers recycled": len(done.moved)}


def _dates(*names: str) -> list[sa.BindParameter[Any]]:
    return [sa.bindparam(name, type_=sa.Date()) for name in names]


def _instants(*names: str) -> list[sa.BindParameter[Any]]:
    return [sa.bindparam(name, type_=UTCDateTime()) for name in names]


REPS_IN: sa.BindParameter[Any] = sa.bindparam("reps", expanding=True)
VISITS_BY_REP = sa.text(
    "SELECT author_id, SUM(CASE WHEN visited_on = :last_day THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN visited_on >= :week_start THEN 1 ELSE 0 END) FROM visit "
    "WHERE workspace_id = :ws AND author_id IN :reps AND visited_on >= :since AND visited_on <= :today "
    "GROUP BY author_id"
).bindparams(REPS_IN, *_dates("last_day", "week_start", "since", "today"))
OVERDUE_BY_REP = sa.text(
    "SELECT owner_id, COUNT(*) FROM customer "
    "WHERE workspace_id = :ws AND owner_id IN :reps AND next_follow_up < :today GROUP BY owner_id"
).bindparams(REPS_IN, *_dates("today"))
POOL_MOVES = sa.text(
    "SELECT kind, from_owner_id, to_owner_id, COUNT(*) FROM ownership_event "
    "WHERE workspace_id = :ws AND at >= :start AND at < :end "
    f"AND kind IN ('{MOVE_RELEASE}', '{MOVE_RECYCLE}', '{MOVE_CLAIM}', '{MOVE_ASSIGN}') "
    "GROUP BY kind, from_owner_id, to_owner_id"
).bindparams(*_instants("start", "end"))
CHURN_CHANGES = sa.text(
    "SELECT * FROM (SELECT ch.customer_id, c.name, c.owner_id, ch.from_band, ch.to_band, ch.at, ch.id, "
    "ROW_NUMBER() OVER (PARTITION BY c.owner_id ORDER BY ch.at DESC, ch.id DESC) AS place "
    "FROM churn_change ch JOIN customer c ON c.id = ch.customer_id WHERE ch.workspace_id = :ws "
    "AND ch.at >= :start AND ch.at < :end AND c.owner_id IN :reps) ranked WHERE place <= 8 "
    "ORDER BY at DESC, id DESC"
).bindparams(REPS_IN, *_instants("start", "end"))
UNRESOLVED = "status IN (" + ", ".join(f"'{status}'" for status in COMPLAINT_UNRESOLVED) + ")"
OPEN_COMPLAINTS = sa.text(
    f"SELECT assignee_id, COUNT(*) FROM complaint WHERE workspace_id = :ws AND assignee_id IN :reps AND {UNRESOLVED} "
    "GROUP BY assignee_id"
).bindparams(REPS_IN)
BREACHED = sa.text(
    "SELECT cp.*, c.name FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY assignee_id ORDER BY filed_at, id) "
    f"AS place FROM complaint WHERE workspace_id = :ws AND assignee_id IN :reps AND {UNRESOLVED} "
    "AND (respond_breached_at IS NOT NULL OR resolve_breached_at IS NOT NULL)) ranked "
    "JOIN complaint cp ON cp.id = ranked.id JOIN customer c ON c.id = cp.customer_id WHERE place <= 8 "
    "ORDER BY cp.filed_at, cp.id"
).bindparams(REPS_IN)
ORPHAN_COUNT = sa.text(
    "SELECT COUNT(*) FROM customer WHERE workspace_id = :ws AND owner_id IN :reps"
).bindparams(REPS_IN)
ORPHANS = sa.text(
    "SELECT * FROM customer WHERE workspace_id = :ws AND owner_id IN :reps ORDER BY name LIMIT 8"
).bindparams(REPS_IN)
PEOPLE = sa.text("SELECT user_id, role, manager_id, is_deleted FROM person WHERE workspace_id = :ws")


@dataclass
class Team:
    reps: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)


def teams(connection: sa.Connection) -> dict[str, Team]:
    """Each manager's active and deactivated reps; the admin's: those without a manager."""
    everyone = connection.execute(PEOPLE, {"ws": WORKSPACE}).all()
    leads = {row.user_id: Team() for row in everyone if row.role in (ROLE_MANAGER, ROLE_ADMIN)}
    admins = [row.user_id for row in everyone if row.role == ROLE_ADMIN]
    for row in everyone:
        if row.role == ROLE_REP:
            team = leads[row.manager_id] if row.manager_id in leads else leads[admins[0]]
            (team.gone if row.is_deleted else team.reps).append(row.user_id)
    return leads


def all_figures(connection: sa.Connection, leads: dict[str, Team], today: date) -> int:
    """The rows of every team's digest at once: visits and overdue follow-ups grouped per rep, the
    day's pool moves grouped per kind and owners, the latest churn changes and the oldest breached
    complaints ranked per rep, open complaints counted per assignee; orphans per team that has them."""
    last_day = digest_service.previous_working_day(today, "CN")
    week_start = today - timedelta(days=today.weekday())
    start, end = yesterday()
    reps = sorted({rep for team in leads.values() for rep in team.reps})
    gone = [team.gone for team in leads.values() if team.gone]
    assignees = {"ws": WORKSPACE, "reps": sorted({*reps, *(user for users in gone for user in users)})}
    common = {"ws": WORKSPACE, "reps": reps}
    days = {
        "last_day": last_day,
        "week_start": week_start,
        "since": min(last_day, week_start),
        "today": today,
    }
    window = {"start": start, "end": end}
    rows = len(connection.execute(VISITS_BY_REP, {**common, **days}).all())
    rows += len(connection.execute(OVERDUE_BY_REP, {**common, "today": today}).all())
    rows += len(connection.execute(POOL_MOVES, {"ws": WORKSPACE, **window}).all())
    rows += len(connection.execute(CHURN_CHANGES, {**common, **window}).all())
    rows += len(connection.execute(OPEN_COMPLAINTS, assignees).all())
    rows += len(connection.execute(BREACHED, assignees).all())
    for users in gone:
        rows += int(connection.execute(ORPHAN_COUNT, {"ws": WORKSPACE, "reps": users}).scalar() or 0) > 0
        rows += len(connection.execute(ORPHANS, {"ws": WORKSPACE, "reps": users}).all())
    return rows


def digest_statements(night: Night) -> Counts:
    """the digest's SELECTs for every team at once + the window's SELECTs"""
    today = night.now.astimezone(ZoneInfo(TIMEZONE)).date()
    with night.env.db.engine.connect() as connection:
        soon = nearly_due(connection, night.now + digest_service.SOON, night.now)
        leads = teams(connection)
        rows = all_figures(connection, leads, today)
    return {"teams": len(leads), "figure rows": rows, "nearly due": len(soon)}


def digest_pass(night: Night) -> Counts:
    """digest.send_digests"""
    return {
        "digests queued": digest_messages.send_digests(night.env, WORKSPACE, digest_job.back_in_the_pool_soon)
    }


def churn_statements(night: Night) -> Counts:
    """the signals' SELECTs, UNION ALL, summed per customer into a table (on the copy)"""
    today = night.now.astimezone(ZoneInfo(TIMEZONE)).date()
    scoring = churn_service.scoring_for(WORKSPACE, today)
    scores = churn_store._scores(scoring, churn_service.SIGNALS, churn_service.BANDS)
    scored = sa.Table(
        "bench_scored", sa.MetaData(), sa.Column("customer_id", sa.Integer, primary_key=True),
        sa.Column("score", sa.Integer), sa.Column("signals", sa.Integer), sa.Column("band", sa.String(16)),
    )  # fmt: skip
    with night.copy.begin() as connection:
        scored.create(connection)
        connection.execute(sa.insert(scored).from_select(["customer_id", "score", "signals", "band"], scores))
        count = connection.execute(sa.select(sa.func.count()).select_from(scored)).scalar_one()
        scored.drop(connection)
    return {"customers scored": int(count)}


def churn_pass(night: Night) -> Counts:
    """churn.score_today (scores, band history, states)"""
    done = churn_service.score_today(night.env, WORKSPACE)
    assert done is not None, "the day's scores were already done"
    return {"customers in a band": done.customers, "band changes": done.changes, "rises": done.rises}


def churn_warning_statements(night: Night) -> Counts:
    """the warning rows' SELECT for every rep (one statement, a few rows each)"""
    owners = [person.user_id for person in directory(night.env, WORKSPACE).active]
    with night.env.db.session() as session:
        rows = churn_store.warnings_due(
            session=session, workspace_id=WORKSPACE, owner_ids=owners, repeated_bands=churn_rules.REPEATED_BANDS,
            repeat_before=night.now, rank=churn_rules.BAND_RANK, per_owner=churn_views.ROWS_SHOWN,
        )  # fmt: skip
    return {"warning rows": len(rows)}


def churn_warning_pass(night: Night) -> Counts:
    """churn.warn_owners"""
    owners, customers = churn_messages.warn_owners(night.env, WORKSPACE, night.settings)
    return {"owners warned": owners, "customers in warnings": customers}


def scratch_like(table: sa.Table) -> sa.Table:
    """An empty table shaped as `table`: its columns, primary key, unique constraints, indexes and
    foreign keys (each row's check is part of what a write costs), under names of its own."""
    name = f"bench_{table.name}"
    columns = [sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable) for c in table.c]
    uniques = [
        sa.UniqueConstraint(*unique.columns.keys(), name=f"uq_{name}_{n}")
        for n, unique in enumerate(c for c in table.constraints if isinstance(c, sa.UniqueConstraint))
    ]
    keys = [
        sa.ForeignKeyConstraint([key.parent.name], [key.column], ondelete=key.ondelete)
        for key in table.foreign_keys
    ]
    indexes = [sa.Index(f"ix_{name}_{n}", *index.columns.keys()) for n, index in enumerate(table.indexes)]
    return sa.Table(name, sa.MetaData(), *columns, *uniques, *keys, *indexes)


def rewrite_outbox(night: Night, kind: str) -> Measured:
    """The part of the pass's work the selection leaves out: its queued messages, read back (not timed)
    and written again as store.outbox.enqueue_many writes them -- one INSERT ... ON CONFLICT DO NOTHING
    executed with every row, committed -- into an empty scratch table on the copy (timed)."""
    outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
    scratch = scratch_like(outbox)
    with night.env.db.engine.connect() as connection:
        tonight = sa.and_(outbox.c.kind == kind, outbox.c.created_at >= night.now)  # not yesterday's
        found = connection.execute(sa.select(outbox).where(tonight)).mappings().all()
    rows = [{name: value for name, value in row.items() if name != "id"} for row in found]
    with night.copy.begin() as connection:
        scratch.create(connection)
    started = time.perf_counter()
    with night.copy.begin() as connection:
        connection.execute(insert_for(connection)(scratch).on_conflict_do_nothing(), rows)
    elapsed = (time.perf_counter() - started) * 1000
    with night.copy.begin() as connection:
        scratch.drop(connection)
    return Measured(elapsed, {"outbox rows": len(rows)})


class Held(NamedTuple):
    """Rows a pass wrote, kept in a plain table, and the empty table shaped as theirs to write them to."""

    rows: sa.Table
    scratch: sa.Table
    names: list[str]


def hold(connection: sa.Connection, table: sa.Table, where: sa.ColumnElement[bool]) -> Held:
    """Copy `table`'s rows matching `where` into a plain table (no keys, no indexes) and create an empty
    table shaped as `table` beside it."""
    columns = [c for c in table.c if c.name != "id"]  # the history's id comes from its sequence
    names = [c.name for c in columns]
    rows = sa.Table(f"bench_held_{table.name}", sa.MetaData(), *(sa.Column(c.name, c.type) for c in columns))
    rows.create(connection)
    connection.execute(sa.insert(rows).from_select(names, sa.select(*columns).where(where)))
    scratch = scratch_like(table)
    scratch.create(connection)
    return Held(rows, scratch, names)


def rewrite_churn(night: Night) -> Measured:
    """The part of the churn pass's work the scoring SELECT leaves out: the band changes and states it
    wrote, held in plain tables (not timed), then written again as the pass writes them -- INSERT ...
    SELECT from a table, in customer order, both in one transaction -- into empty tables shaped as
    churn_change and churn_state (timed). On the pass's database: the copy has none of its rows."""
    engine = night.env.db.engine
    with engine.begin() as connection:
        changes = hold(connection, CHURN_CHANGE, CHURN_CHANGE.c.at == night.now)
        states = hold(connection, CHURN_STATE, CHURN_STATE.c.workspace_id == WORKSPACE)
        counts = {
            what: int(connection.execute(sa.select(sa.func.count()).select_from(held.rows)).scalar_one())
            for what, held in (("band changes", changes), ("states", states))
        }
    started = time.perf_counter()
    with engine.begin() as connection:
        for held in (changes, states):
            rows = sa.select(*(held.rows.c[name] for name in held.names)).order_by(held.rows.c.customer_id)
            connection.execute(sa.insert(held.scratch).from_select(held.names, rows))
    elapsed = (time.perf_counter() - started) * 1000
    with engine.begin() as connection:
        for held in (changes, states):
            held.scratch.drop(connection)
            held.rows.drop(connection)
    return Measured(elapsed, counts)


def days_later(night: Night, days: int) -> Night:
    return replace(night, env=replace(night.env, clock=FixedClock(night.now + timedelta(days=days))))


def churn_next_statements(night: Night) -> Counts:
    """the same scoring SELECT into a table, a day later (on the copy)"""
    return churn_statements(days_later(night, 1))


def churn_next_pass(night: Night) -> Counts:
    """churn.score_today a day later (a steady night: one day's band changes)"""
    return churn_pass(days_later(night, 1))


class Pass(NamedTuple):
    """One pass of the night and its baseline; each returns what it did, in counts. Their docstrings
    name them in the tables."""

    name: str
    baseline: Callable[[Night], Counts]
    run: Callable[[Night], Counts]
    # What the pass writes that its baseline's selection does not, written again (timed): see the top.
    rewrite: Callable[[Night], Measured] | None = None


PASSES = [
    Pass(
        "warning", nearly_due_statements, warning_pass, partial(rewrite_outbox, kind=recycle_messages.WARNING)
    ),
    Pass("recycle", recycle_statements, recycle_pass),
    Pass("churn", churn_statements, churn_pass, rewrite_churn),
    Pass(
        "churn-warning",
        churn_warning_statements,
        churn_warning_pass,
        partial(rewrite_outbox, kind=churn_messages.KIND),
    ),
    Pass("digest", digest_statements, digest_pass, partial(rewrite_outbox, kind=digest_messages.KIND)),
]
# With --next-night, after the night: the churn pass of the next night, held to its selection alone
# (it writes one day's changes, not the first night's row per customer). Not part of the night's sum.
NEXT_NIGHT = Pass("churn-next-night", churn_next_statements, churn_next_pass)


@dataclass(frozen=True)
class Measured:
    ms: float
    counts: Counts
    error: str = ""  # the exception that stopped it (then `ms` is the time until it did)


@dataclass(frozen=True)
class Timing:
    name: str
    baseline: str  # what each did, from the callables' docstrings
    run: str
    baseline_result: Measured
    run_result: Measured
    peak_kib: int  # the worker's peak memory so far
    rewritten: Measured | None = None  # writing again what the pass wrote beyond the selection

    @property
    def like_for_like_ms(self) -> float:
        """The baseline with the rows the pass wrote: the selection's time plus the INSERTs'."""
        return self.baseline_result.ms + (self.rewritten.ms if self.rewritten else 0.0)


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def timed(action: Callable[[Night], Counts], night: Night, profile: bool = False) -> Measured:
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    try:
        if profiler:
            profiler.enable()
        counts, error = action(night), ""
    except Exception as failure:  # reported, and the night goes on as the worker's would
        counts, error = {}, f"{type(failure).__name__}: {(str(failure).splitlines() or [''])[0][:300]}"
    finally:
        if profiler:
            profiler.disable()
    elapsed = (time.perf_counter() - started) * 1000
    if profiler:
        print_profile(profiler, action)
    return Measured(elapsed, counts, error)


def print_profile(profiler: cProfile.Profile, action: Callable[..., object]) -> None:
    print(f"\n--- cProfile of {described(action)} ---", flush=True)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def described(action: Callable[..., object]) -> str:
    return (action.__doc__ or action.__name__).strip().splitlines()[0]


def nightly_environment(url: str) -> Env:
    return replace(environment(url), clock=FixedClock(NOW))


def warm_up(night: Night) -> None:
    """What a long-running worker already holds, and the pages the night's first reads need, cached on
    both databases alike; then the worker's own settling at its start (bot.startup.settle).

    A worker that ran yesterday has yesterday's recycle warnings in the outbox and the warning pass's
    statements compiled (SQLAlchemy keeps them per engine): yesterday's warning pass runs here, its
    messages left queued, and yesterday's window selection on both databases, so the warning pass
    and its baseline both start warm. (The other passes' statements differ from night to night only
    in their values too, but their runs of yesterday would change tonight's data.)"""
    yesterday = days_later(night, -1)
    directory(night.env, WORKSPACE)
    is_working_day(NOW.date(), "CN")
    for engine in (night.env.db.engine, night.copy):
        with engine.connect() as connection:
            nearly_due(connection, NOW + timedelta(days=RULES.warning_days))
            nearly_due(connection, yesterday.now + timedelta(days=RULES.warning_days), yesterday.now)
    recycle_messages.warn_owners(yesterday.env, WORKSPACE, night.settings)
    startup.settle()


def run_night(url: str, copy_url: str, profile: str | None, next_night: bool) -> tuple[int, list[Timing]]:
    """The worker's side: every pass beside its baseline, in order (each pass sees the one before).
    Returns the peak memory before the first pass (the worker at rest) and each pass's timing."""
    env = nightly_environment(url)
    night = Night(env, settings_service.load(env, WORKSPACE), create_db_engine(copy_url))
    warm_up(night)
    at_rest = peak_kib()
    timings = []
    for entry in [*PASSES, NEXT_NIGHT] if next_night else PASSES:
        baseline = timed(entry.baseline, night)
        ran = timed(entry.run, night, profile == entry.name)
        what = described(entry.baseline), described(entry.run)
        rewritten = entry.rewrite(night) if entry.rewrite and not ran.error else None
        timings.append(Timing(entry.name, *what, baseline, ran, peak_kib(), rewritten))
    env.db.engine.dispose()
    night.copy.dispose()
    return at_rest, timings


def fresh_worker(stack: ExitStack) -> Any:
    """A spawned process for one engine's night. Start every one before any data is loaded: Linux
    carries a process's peak memory (ru_maxrss) over fork and exec, so a child started later would
    report the loader's."""
    return stack.enter_context(multiprocessing.get_context("spawn").Pool(1))


# -- the report --------------------------------------------------------------------------------------


def counts_line(counts: Counts) -> str:
    return ", ".join(f"{value:,} {what}" for what, value in counts.items()) or "nothing"


def report_pass(console: Console, name: str, one: Timing) -> None:
    base, ran = one.baseline_result, one.run_result
    for what, result in (("baseline", base), (one.run, ran)):
        if result.error:
            console.print(f"  [red]{one.name}: {what} FAILED after {result.ms:.0f} ms[/red]: {result.error}")
    rows = [(f"baseline: {one.baseline}", base.ms, base.ms)]
    if one.rewritten:
        what = f"baseline + the pass's {counts_line(one.rewritten.counts)} written again"
        rows.append((what, one.like_for_like_ms, one.like_for_like_ms))
    ratio_table(
        console,
        f"{one.name} pass on {name} (one run each: p50 = p99 = the run)",
        [*rows, (one.run, ran.ms, ran.ms)],
    )
    ratio = ran.ms / one.like_for_like_ms
    against = "failed, so no ratio" if ran.error else f"{ratio:.1f}x its baseline"
    if one.rewritten and not ran.error:
        against += f" with its writes ({ran.ms / base.ms:.1f}x the selection alone)"
    console.print(
        f"  did: {counts_line(ran.counts)} (baseline: {counts_line(base.counts)}); {against} (goal within "
        f"{GOAL_RATIO:.0f}x): {verdict(ratio <= GOAL_RATIO and not ran.error)}; "
        f"worker's peak memory so far {one.peak_kib / 1024:.0f} MB",
        soft_wrap=True,
    )


def report(console: Console, name: str, at_rest_kib: int, timings: list[Timing]) -> None:
    for one in timings:
        report_pass(console, name, one)
    night_s = sum(one.run_result.ms for one in timings if one.name != NEXT_NIGHT.name) / 1000
    peak_mb = max(one.peak_kib for one in timings) / 1024
    failed = [one.name for one in timings if one.run_result.error or one.baseline_result.error]
    console.print(
        f"  whole night: {night_s:.1f} s{' (incomplete: a pass failed)' if failed else ''} (goal under "
        f"{GOAL_NIGHT_S} s on PostgreSQL): {verdict(night_s < GOAL_NIGHT_S and not failed)}; worker's "
        f"peak memory {peak_mb:.0f} MB, {at_rest_kib / 1024:.0f} MB of it before the first pass (goal "
        f"under {GOAL_PEAK_MB} MB): {verdict(peak_mb < GOAL_PEAK_MB)}",
        soft_wrap=True,
    )
    idle = [
        one.name for one in timings if not one.run_result.error and not all(one.run_result.counts.values())
    ]
    assert not failed, f"passes that failed: {failed}"
    assert not idle, f"passes that did nothing: {idle}"


def verdict(met: bool) -> str:
    return "met" if met else "[red]MISSED[/red]"


def run(url: str, name: str, args: Any, console: Console, worker: Any) -> None:
    console.print(f"[bold]{name}[/bold]")
    engine = loading_engine(url)
    upgrade_schema(engine)
    load(engine, args.customers, args.orders, console)
    plans(engine, console)
    engine.dispose()
    with identical_copy(url) as copy_url:
        # Other work on the machine slows the passes and the baselines unevenly: say how busy it was.
        console.print(f"  load average before the night: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        at_rest_kib, timings = worker.apply(run_night, (url, copy_url, args.profile, args.next_night))
    report(console, name, at_rest_kib, timings)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"), help="a PostgreSQL URL")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--profile", choices=[p.name for p in [*PASSES, NEXT_NIGHT]], help="print a cProfile of this pass"
    )
    parser.add_argument(
        "--next-night", action="store_true", help="also time the next night's churn pass (a steady night)"
    )
    args = parser.parse_args()
    console = Console(width=max(Console().width, 120))  # the tables stay readable in a log file
    with ExitStack() as stack:
        sqlite_worker = None if args.skip_sqlite else fresh_worker(stack)
        postgres_worker = fresh_worker(stack) if args.postgres else None
        if sqlite_worker:
            with sqlite_database() as url:
                run(url, "SQLite", args, console, sqlite_worker)
        if postgres_worker:
            with postgres_database(args.postgres) as url:
                run(url, "PostgreSQL", args, console, postgres_worker)


if __name__ == "__main__":
    main()
