"""Opportunities at size: 1,000,000 customers and 500,000 opportunities, on SQLite and PostgreSQL.

The workspace: 1,000 reps in 20 teams of 50 (the measured manager leads one), each rep holding 1,000
customers; every second customer has an opportunity, opened in the last 180 days, spread over the six
default stages (a third of them won or lost), 1,000 to 1,000,000 CNY, closing from 60 days ago to 120
days ahead; each with its history (opened, and moved to its stage).

Once loaded, the database is analysed (and on PostgreSQL vacuumed), SQLite's log of the load folded
into the database, and the process settled (bot.startup.settle) as a running web process is: the
steady state a team's Home is read in, not the minute after a bulk load.

Measures, in the same run:
- a manager's Home figures for their team of 50 (`bot.services.pipeline.pipeline_in`: open ones by
  stage, this month's and quarter's forecast, the funnel of the last 90 days) beside the bare SQL of
  the same figures: the statements it sends, captured once, replayed on one DBAPI connection;
- the whole company's pipeline and forecast (every owner), the same way;
- the morning's opportunity reminders for the 1,000 reps (`bot.messaging.opportunities.remind`: the
  selection, each DM rendered and queued) beside the selection's SQL alone, and beside the selection
  plus the same outbox rows written again.

    python -m bench.pipeline
    python -m bench.pipeline --postgres postgresql://postgres@127.0.0.1:54329/postgres --skip-sqlite

Goals: the manager's figures p99 < 50 ms; the company's < 100 ms; the reminders within 2× of their
selection's SQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from rich.console import Console

import bot.messaging  # noqa: F401  (the messages the services' events are heard by)
from bench import engines
from bench.data import (
    WORKSPACE,
    BenchPerson,
    SqlTime,
    insert_people,
    insert_workspace,
    load_customers,
    spread,
)
from bench.typeahead import environment, percentiles, ratio_table
from bot.clock import FixedClock
from bot.env import Env
from bot.messaging import opportunities as messaging
from bot.services import opportunities
from bot.services.pipeline import pipeline_in
from bot.startup import settle
from store import opportunities as opportunity_store
from store.db import create_db_engine, upgrade_schema

NOW = datetime(2026, 11, 25, 1, 5, tzinfo=UTC)  # Wednesday 09:05 in Shanghai: the reminders are due
TODAY = NOW.date()
MANAGERS = [f"U0MGR{number:02}" for number in range(20)]
REPS = [f"U0REP{number:04}" for number in range(1000)]
# By default; an opportunity on every second customer (every second thousand: each rep has some),
# numbered as its customer.
CUSTOMERS, EVERY = 1_000_000, 2


def _people() -> list[BenchPerson]:
    managers = [BenchPerson(manager, role="manager") for manager in MANAGERS]
    return managers + [BenchPerson(rep, manager_id=MANAGERS[number // 50]) for number, rep in enumerate(REPS)]


def load(engine: sa.Engine, env: Env, console: Console, customers: int) -> None:
    started = time.perf_counter()
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        insert_workspace(connection, timezone="Asia/Shanghai", created_at=NOW - timedelta(days=900))
        insert_people(connection, _people(), created_at=NOW - timedelta(days=900))
    load_customers(engine, customers, owners=REPS)
    opportunities.stages(env, WORKSPACE)  # the default stages, numbered 1 to 6
    clock = SqlTime(sqlite, NOW)
    with engine.begin() as connection:
        connection.execute(sa.text(_opportunities_statement(clock)), clock.params)
        connection.execute(sa.text(_changes_statement(created=True)), clock.params)
        connection.execute(sa.text(_changes_statement(created=False)), clock.params)
        connection.execute(
            sa.text(
                "INSERT INTO workspace_counter (workspace_id, name, value) VALUES (:ws, 'opportunity', :n)"
            ),
            {"ws": WORKSPACE, "n": customers},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("ANALYZE" if sqlite else "VACUUM ANALYZE"))
        if sqlite:  # the load's gigabytes of log folded into the database, as the bot's next writes would
            connection.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    settle()  # as the web process serving the Home does once started
    console.print(f"  loaded {customers:,} customers and {customers // EVERY:,} opportunities "
                  f"in {time.perf_counter() - started:.0f} s")  # fmt: skip


STAGE = spread("stage", 6, "c.id")  # 0..5: stage ids 1..6 (5 won, 6 lost)
PROBABILITIES = (
    "CASE {stage} WHEN 0 THEN 10 WHEN 1 THEN 20 WHEN 2 THEN 40 WHEN 3 THEN 70 WHEN 4 THEN 100 ELSE 0 END"
)


def _opportunities_statement(clock: SqlTime) -> str:
    """Every second customer's opportunity: its stage, amount, close date and age from the customer's id."""
    age = f"(({spread('age', 180, 'c.id')}) * 86400)"
    in_stage = f"(({spread('moved', 30, 'c.id')}) * 86400)"
    opened, moved = clock.instant(f"-{age}"), clock.instant(f"-{age} + {in_stage}")
    amount = f"(100000 + ({spread('amount', 999, 'c.id')}) * 100000)"
    closed = f"CASE WHEN {STAGE} >= 4 THEN {moved} ELSE NULL END"
    return f"""
        INSERT INTO opportunity (workspace_id, id, customer_id, owner_id, title, amount_minor, currency, rate,
            amount_base_minor, stage_id, probability, expected_close_on, products, next_step, lost_reason_key,
            lost_reason, order_id, created_by, created_at, updated_at, stage_since, closed_at, version,
            reminder_snoozed_until)
        SELECT c.workspace_id, c.id, c.id, c.owner_id, 'Annual contract', {amount}, 'CNY', '1',
            {amount}, {STAGE} + 1, {PROBABILITIES.format(stage=STAGE)},
            {clock.day(f"({spread('close', 180, 'c.id')}) - 60")}, '', '',
            CASE WHEN {STAGE} = 5 THEN 'price' ELSE '' END, '', NULL, c.owner_id, {opened}, {moved}, {moved},
            {closed}, CASE WHEN {STAGE} = 0 THEN 1 ELSE 2 END, NULL
        FROM customer c WHERE (c.id / {len(REPS)}) % {EVERY} = 0 AND c.owner_id IS NOT NULL
    """


def _changes_statement(*, created: bool) -> str:
    """Each opportunity's history: opened in the first stage, then (beyond it) moved to its own."""
    change, version, stage_from, at = (
        ("'created'", 1, "NULL", "o.created_at") if created else ("'moved'", 2, "1", "o.stage_since")
    )
    where = "" if created else "WHERE o.stage_id > 1"
    to_stage = "1" if created else "o.stage_id"
    return f"""
        INSERT INTO opportunity_change (workspace_id, opportunity_id, version, change, owner_id, actor_id, at,
            from_stage_id, to_stage_id, amount_base_minor, expected_close_on, note)
        SELECT o.workspace_id, o.id, {version}, {change}, o.owner_id, o.owner_id, {at}, {stage_from}, {to_stage},
            o.amount_base_minor, o.expected_close_on, ''
        FROM opportunity o {where}
    """


# -- measuring -------------------------------------------------------------------------------------------------
Captured = list[tuple[str, Any]]


def capture(engine: sa.Engine, action: Callable[[], object]) -> Captured:
    """The statements `action` sends, as the DBAPI gets them."""
    sent: Captured = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if not many and statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)
    return sent


def bare(engine: sa.Engine, sent: Captured) -> Callable[[], object]:
    def replay() -> object:
        with engine.connect() as connection:
            cursor = connection.connection.cursor()
            found = []
            for statement, parameters in sent:
                cursor.execute(statement, parameters)
                found.append(cursor.fetchall())
            return found

    return replay


def timed(action: Callable[[], object], runs: int, before: Callable[[], object] | None = None) -> list[float]:
    samples = []
    for _ in range(runs + 1):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples[1:]  # the first warms the caches


def figures(env: Env, owners: list[str] | None, funnel: bool) -> Callable[[], object]:
    def read() -> object:
        with env.db.session() as session:
            return pipeline_in(session, workspace_id=WORKSPACE, owners=owners, today=TODAY,
                               timezone="Asia/Shanghai", with_funnel=funnel)  # fmt: skip

    return read


def forget_reminders(env: Env) -> Callable[[], object]:
    def forget() -> object:
        with env.db.connection() as connection:
            return connection.execute(
                sa.text("DELETE FROM outbox_message WHERE kind = :kind"), {"kind": messaging.KIND}
            )

    return forget


def selection(env: Env) -> Callable[[], object]:
    """The reminders' selection alone: every rep's slipped and idle opportunities."""

    def select() -> object:
        with env.db.session() as session:
            return opportunity_store.needing_attention(
                session, workspace_id=WORKSPACE, owners=REPS, today=TODAY, per_owner=10
            )

    return select


def run(url: str, name: str, runs: int, customers: int, console: Console) -> None:
    console.print(f"[bold]{name}[/bold]")
    engine = create_db_engine(url)
    upgrade_schema(engine)
    env = replace(environment(url), clock=FixedClock(NOW))
    load(engine, env, console, customers)
    team = [MANAGERS[0], *REPS[:50]]
    manager = figures(env, team, funnel=True)
    company = figures(env, None, funnel=False)
    results = [
        ("baseline: the bare SQL of the same figures", *percentiles(timed(bare(env.db.engine, capture(env.db.engine, manager)), runs))),
        ("a manager's figures, team of 50 (pipeline_in)", *percentiles(timed(manager, runs))),
    ]  # fmt: skip
    ratio_table(console, f"the manager's pipeline, forecast and funnel on {name} ({runs} runs)", results)
    whole = [
        ("baseline: the bare SQL of the same figures", *percentiles(timed(bare(env.db.engine, capture(env.db.engine, company)), runs))),
        ("the whole company's pipeline and forecast", *percentiles(timed(company, runs))),
    ]  # fmt: skip
    ratio_table(console, f"the company on {name} ({runs} runs)", whole)
    few = max(3, runs // 20)
    reminders = [
        ("baseline: the selection's SQL", *percentiles(timed(selection(env), few))),
        ("the morning's reminders (remind)", *percentiles(timed(lambda: messaging.remind(env, WORKSPACE), few,
                                                               forget_reminders(env)))),
    ]  # fmt: skip
    ratio_table(
        console, f"the morning's opportunity reminders for 1,000 reps on {name} ({few} runs)", reminders
    )
    forget_reminders(env)()
    owners, listed = messaging.remind(env, WORKSPACE)
    console.print(
        f"  goals: manager p99 {results[1][2]:.1f} ms (< 50: {'met' if results[1][2] < 50 else 'MISSED'}); "
        f"company p99 {whole[1][2]:.1f} ms (< 100: {'met' if whole[1][2] < 100 else 'MISSED'}); reminders "
        f"{reminders[1][1] / reminders[0][1]:.1f}× the selection (≤ 2: "
        f"{'met' if reminders[1][1] <= 2 * reminders[0][1] else 'MISSED'}); a run queues {owners} DMs listing {listed:,} "
        "opportunities"
    )
    env.db.engine.dispose()
    engine.dispose()


def main() -> None:
    parser = engines.parser(__doc__)
    parser.add_argument("--runs", type=int, default=100, help="runs of each measurement")
    parser.add_argument(
        "--customers", type=int, default=CUSTOMERS, help="a smaller workspace for a quick look"
    )
    args = parser.parse_args()
    console = Console(width=max(Console().width, 120))
    for name, url in engines.each(args):
        run(url, name, args.runs, args.customers, console)


if __name__ == "__main__":
    main()
