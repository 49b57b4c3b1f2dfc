"""Many small workspaces beside one big one: the night's passes over 1,000 workspaces of 1,000
customers each, and over one workspace of 1,000,000, on PostgreSQL (SQLite too with --sqlite).

The big workspace is the nightly benchmark's (`bench.nightly.load`: 1,113 people in 100 teams). Each
small one is a team: an admin, a manager with 8 reps, a rep without a manager; its 1,000 customers
in the same states as the big one's (40 % in the pool, 60 % of the owned dealt, orders over three
years, visits, yesterday's moves, requests for more days), loaded once set-based and then copied, with
their people, orders, visits, moves and requests, into 999 more workspaces by INSERT ... SELECT.

Times the worker's jobs of a working morning at 09:05 on Wednesday 2026-11-25 in Asia/Shanghai, each
once, in the order the worker runs them (followups, recycle, churn, tiers, digest, sla: everything they
queue stays in the outbox), in a process started before the data is loaded (its peak memory is the
worker's), and prints each job's time, the whole night, and the overhead per workspace: (the small
workspaces' night - the big one's) / 1,000.

    python -m bench.workspaces --postgres postgresql://postgres@127.0.0.1:54329/postgres
    python -m bench.workspaces --postgres URL --workspaces 20   # a quick look

Goal: the night's passes for all 1,000 workspaces under 60 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import time
from dataclasses import replace
from datetime import timedelta
from multiprocessing.pool import Pool

import sqlalchemy as sa
from rich.console import Console
from slack_sdk import WebClient
from sqlmodel import SQLModel

import bot.messaging  # noqa: F401  (the jobs' messages)
from bench import nightly
from bench.data import WORKSPACE, BenchPerson, SqlTime, insert_people, insert_workspace, load_customers
from bench.data import load_orders as load_order_rows
from bench.data import load_visits as load_visit_rows
from bench.engines import postgres_database, sqlite_database
from bench.typeahead import environment
from bot import jobs
from bot.clock import FixedClock
from store.db import upgrade_schema
from store.models import ROLE_ADMIN, ROLE_MANAGER

NIGHT = ("followups", "recycle", "churn", "tiers", "digest", "sla")
SMALL_CUSTOMERS, SMALL_ORDERS = 1_000, 5_000
OFFSET = 1_000_000  # ids of the k-th copy: the template's + k * OFFSET (under 2**31 for 1,000 copies)
TEAM = [
    BenchPerson("U0ADMIN", role=ROLE_ADMIN),
    BenchPerson("U0MGR", role=ROLE_MANAGER),
    *(
        BenchPerson(f"U0REP{n}", manager_id="U0MGR", chosen_locale="zh_CN" if n % 2 else None)
        for n in range(8)
    ),
    BenchPerson("U0SOLO"),
]
COPIED = ("workspace", "person", "customer", "customer_term", "customer_order", "visit", "ownership_event",
          "extension_request")  # fmt: skip


def load_small(engine: sa.Engine, workspaces: int, console: Console) -> None:
    """The template workspace, then its copies."""
    started = time.perf_counter()
    sqlite = engine.dialect.name == "sqlite"
    clock = SqlTime(sqlite, nightly.NOW)
    with engine.begin() as connection:
        insert_workspace(connection, timezone=nightly.TIMEZONE, created_at=nightly.NOW - timedelta(days=1200))
        insert_people(connection, TEAM, created_at=nightly.NOW - timedelta(days=1200))
    load_customers(engine, SMALL_CUSTOMERS, owners=[p.user_id for p in TEAM if p.role == "rep"])
    with engine.begin() as connection:
        for statement in [*nightly.state_statements(clock), nightly.recycle_clock_statement(sqlite)]:
            connection.execute(sa.text(statement), clock.params)
    load_order_rows(engine, SMALL_ORDERS, clock)
    load_visit_rows(engine, clock, history_since=clock.instant(f"-150 * {nightly.DAY}"))
    with engine.begin() as connection:
        nightly.insert_moves_of_yesterday(connection)
        nightly.insert_requests(connection, clock)
        for copy in range(1, workspaces):
            for table in COPIED:
                connection.execute(sa.text(copy_statement(SQLModel.metadata.tables[table], copy)))
        if not sqlite:
            for table in COPIED:
                if "id" in SQLModel.metadata.tables[table].c and table != "workspace":
                    connection.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                    ))  # fmt: skip
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if not sqlite else "ANALYZE"))
    console.print(
        f"  loaded {workspaces:,} workspaces of {SMALL_CUSTOMERS:,} customers and {len(TEAM)} people each "
        f"in {time.perf_counter() - started:.0f} s"
    )


def copy_statement(table: sa.Table, copy: int) -> str:
    """The template workspace's rows of `table` as the `copy`-th workspace's: its id, and every id
    shifted by copy * OFFSET."""
    values = []
    for column in table.columns:
        name = column.name
        if (table.name == "workspace" and name == "id") or name == "workspace_id":
            values.append(f"'{workspace_id(copy)}'")
        elif name in ("id", "customer_id") and isinstance(column.type, sa.Integer):
            values.append(f"{name} + {copy * OFFSET}")
        else:
            values.append(f'"{name}"')
    where = "id" if table.name == "workspace" else "workspace_id"
    columns = ", ".join(f'"{column.name}"' for column in table.columns)
    return f"INSERT INTO {table.name} ({columns}) SELECT {', '.join(values)} FROM {table.name} WHERE {where} = '{WORKSPACE}'"


def workspace_id(copy: int) -> str:
    return f"T{copy:07d}" if copy else WORKSPACE


def night(url: str) -> tuple[list[tuple[str, str, float]], float]:
    """The morning's jobs, each once, in a process of their own; (job, summary, seconds) and peak MB."""
    env = replace(environment(url), clock=FixedClock(nightly.NOW))
    client = WebClient(token="xoxb-bench", base_url="http://127.0.0.1:9/")
    timed = []
    for name in NIGHT:
        started = time.perf_counter()
        summary = jobs.run_job(name, env, client)
        timed.append((name, summary, time.perf_counter() - started))
    env.db.engine.dispose()
    return timed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(url: str, what: str, pool: Pool, console: Console) -> float:
    timed, peak = pool.apply(night, (url,))
    for name, summary, seconds in timed:
        console.print(f"    {name:<10} {seconds:6.1f} s  {summary}")
    whole = sum(seconds for _, _, seconds in timed)
    console.print(f"  {what}: the night {whole:.1f} s; the worker's peak memory {peak:.0f} MB")
    return whole


def run(urls: dict[str, str], args: argparse.Namespace, console: Console, one: Pool, many: Pool) -> None:
    engine = nightly.loading_engine(urls["one"])
    upgrade_schema(engine)
    nightly.load(engine, args.workspaces * SMALL_CUSTOMERS, args.workspaces * SMALL_ORDERS, console)
    engine.dispose()
    big = measure(
        urls["one"], f"one workspace of {args.workspaces * SMALL_CUSTOMERS:,} customers", one, console
    )
    engine = nightly.loading_engine(urls["many"])
    upgrade_schema(engine)
    load_small(engine, args.workspaces, console)
    engine.dispose()
    small = measure(urls["many"], f"{args.workspaces:,} workspaces", many, console)
    console.print(
        f"  {args.workspaces:,} workspaces: {small:.1f} s (goal 60 on PostgreSQL) against {big:.1f} s for one; "
        f"overhead per workspace {(small - big) / args.workspaces * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workspaces", type=int, default=1_000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--sqlite", action="store_true", help="also on SQLite")
    args = parser.parse_args()
    console = Console(width=max(Console().width, 120))
    spawn = multiprocessing.get_context("spawn")
    engines = ([("SQLite", sqlite_database)] if args.sqlite else []) + (
        [("PostgreSQL", lambda: postgres_database(args.postgres))] if args.postgres else []
    )
    for name, database in engines:
        console.print(f"[bold]{name}[/bold]")
        # Started before any data is loaded: Linux carries a process's peak memory over fork and exec.
        with spawn.Pool(1) as one, spawn.Pool(1) as many, database() as first, database() as second:
            run({"one": first, "many": second}, args, console, one, many)


if __name__ == "__main__":
    main()
