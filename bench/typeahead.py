"""The customer type-ahead over many customers, on SQLite and PostgreSQL.

Measures `bot.services.customers.search` (the function behind every customer picker and `/customer
<text>`) for Latin prefixes ("Ac", "Harb") and Chinese parts of names ("华东"), beside, in the same
run, the best indexed single statement for a prefix search (a range on ix_customer_name_key, LIMIT 20)
and, for context, a plain `LIKE '%x%'` scan. Prints p50/p99 in ms and ratios against the baseline.

    python -m bench.typeahead                         # 200,000 customers on SQLite
    python -m bench.typeahead --customers 1000000     # the issue's size
    python -m bench.typeahead --postgres postgresql://postgres@127.0.0.1:5432/postgres

With --postgres (or TEST_DATABASE_URL) a scratch database is created next to the one named, and dropped.
Goals: p99 under 10 ms for prefixes and under 20 ms for Chinese parts.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

import sqlalchemy as sa
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from bench import engines
from bench.data import LATIN_FIRST, LATIN_SECOND, WORDS, WORKSPACE, load_customers
from bot.clock import SystemClock
from bot.config import Settings
from bot.env import Env
from bot.rules import names
from bot.services.customers import search
from store.db import Database, create_db_engine, upgrade_schema

TOP = "\U0010ffff"
BASELINE = sa.text(
    "SELECT id, name FROM customer WHERE workspace_id = :w AND name_key >= :q AND name_key < :q_end "
    "ORDER BY name_key LIMIT 20"
)
SCAN = sa.text(
    "SELECT id, name FROM customer WHERE workspace_id = :w AND name LIKE :pattern ORDER BY name LIMIT 20"
)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed(action: Callable[[str], object], queries: list[str]) -> list[float]:
    samples = []
    for query in queries:
        started = time.perf_counter()
        action(query)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def environment(url: str) -> Env:
    settings = Settings(
        _env_file=None,
        slack_bot_token=SecretStr("xoxb-bench"),
        slack_signing_secret=SecretStr("bench"),
        database_url=url,
    )
    return Env(db=Database(create_db_engine(url)), clock=SystemClock(), settings=settings)


def measure(url: str, customers: int, runs: int, console: Console) -> list[tuple[str, float, float]]:
    engine = create_db_engine(url)
    upgrade_schema(engine)
    started = time.perf_counter()
    load_customers(engine, customers)
    console.print(f"  loaded {customers:,} customers in {time.perf_counter() - started:.0f} s")
    env = environment(url)
    rng = random.Random(11)
    latin = [rng.choice(LATIN_FIRST + LATIN_SECOND)[: rng.randint(2, 4)] for _ in range(runs)]
    chinese = [rng.choice(WORDS) for _ in range(runs)]
    search(env, workspace_id=WORKSPACE, query="warm up")

    def baseline(query: str) -> object:
        key = names.query_key(query)
        with engine.connect() as connection:
            return connection.execute(BASELINE, {"w": WORKSPACE, "q": key, "q_end": key + TOP}).all()

    def scan(query: str) -> object:
        with engine.connect() as connection:
            return connection.execute(SCAN, {"w": WORKSPACE, "pattern": f"%{query}%"}).all()

    def typeahead(query: str) -> object:
        return search(env, workspace_id=WORKSPACE, query=query)

    results = [
        ("baseline: one indexed prefix statement", *percentiles(timed(baseline, latin))),
        ("search, Latin prefix", *percentiles(timed(typeahead, latin))),
        ("search, Chinese part of name", *percentiles(timed(typeahead, chinese))),
        ("context: LIKE '%x%' scan (Chinese)", *percentiles(timed(scan, chinese[: max(5, runs // 40)]))),
    ]
    env.db.engine.dispose()
    engine.dispose()
    return results


def ratio_table(console: Console, title: str, results: list[tuple[str, float, float]]) -> None:
    """(what, p50, p99) rows, the first being the baseline, with each row's ratios to it."""
    base_p50, base_p99 = results[0][1], results[0][2]
    table = Table(title=title)
    for column in ("what", "p50 ms", "p99 ms", "p50 × baseline", "p99 × baseline"):
        table.add_column(column, justify="right" if column != "what" else "left")
    for what, p50, p99 in results:
        table.add_row(what, f"{p50:.2f}", f"{p99:.2f}", f"{p50 / base_p50:.1f}", f"{p99 / base_p99:.1f}")
    console.print(table)


def report(console: Console, engine_name: str, results: list[tuple[str, float, float]]) -> None:
    ratio_table(console, f"type-ahead on {engine_name}", results)
    latin, chinese = results[1][2], results[2][2]
    console.print(
        f"  goals: prefix p99 {latin:.1f} ms < 10 ms: {'met' if latin < 10 else 'MISSED'}; "
        f"Chinese p99 {chinese:.1f} ms < 20 ms: {'met' if chinese < 20 else 'MISSED'}"
    )


def main() -> None:
    parser = engines.parser(__doc__)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=400, help="queries per kind")
    args = parser.parse_args()
    console = Console()
    for name, url in engines.each(args):
        console.print(f"[bold]{name}[/bold]")
        report(console, name, measure(url, args.customers, args.runs, console))


if __name__ == "__main__":
    main()
