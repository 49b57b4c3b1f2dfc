"""The public pool at size: claims and `/pool` pages over 1,000,000 customers and 1,000 reps.

Measures, on SQLite and PostgreSQL, in the same run:
- `bot.services.pool.claim` (settings, the counted claim, the rule facts, the conditional UPDATE, the
  history row, a durable commit) beside the best single statement that claims: one conditional
  `UPDATE customer ... WHERE owner_id IS NULL` and its commit, on the same indexes;
- `bot.services.pool_list.page` with a region filter and with a level filter (a few pages deep)
  beside one SELECT of the same rows (same WHERE, ORDER BY and LIMIT).
Half the customers are in the pool; each rep owns about 500, four in five of them dealt.

    python -m bench.pool                                  # 1,000,000 customers on SQLite
    python -m bench.pool --customers 20000                # a quick look
    python -m bench.pool --postgres postgresql://postgres@127.0.0.1:5432/postgres --skip-sqlite

Goals: a claim within 3x of its statement; a /pool page under 20 ms at p99.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from rich.console import Console

import bot.messaging  # noqa: F401  (what a claim says: the announcements it updates)
from bench import engines
from bench.data import CITIES, WORKSPACE, load_customers
from bench.typeahead import environment, percentiles, ratio_table
from bot.env import Env
from bot.services import pool, pool_list
from bot.services.people import Actor
from bot.services.pool_list import Cursor, PoolQuery
from store.db import create_db_engine, upgrade_schema

REPS = [f"U0REP{number:04d}" for number in range(1000)]
CLAIM_STATEMENT = sa.text(
    "UPDATE customer SET owner_id = :user, owned_since = :now, pool_since = NULL, updated_at = :now "
    "WHERE workspace_id = :ws AND id = :id AND owner_id IS NULL"
)
# The region filter matches the start of the value or of any word in it, as the /pool page does.
PAGE_STATEMENT = sa.text(
    "SELECT * FROM customer WHERE workspace_id = :ws AND owner_id IS NULL "
    "AND (lower(region) LIKE :region || '%' OR lower(region) LIKE '% ' || :region || '%') "
    "ORDER BY pool_since DESC, id DESC LIMIT 11"
)
Result = tuple[str, float, float]


def load(engine: sa.Engine, customers: int, console: Console) -> None:
    started = time.perf_counter()
    owners = REPS + [""] * len(REPS)  # every other customer in the pool; customer n goes to owners[n % 2000]
    load_customers(engine, customers, owners=owners)
    spread = (
        "datetime(created_at, '-' || (id % 365) || ' days')"
        if engine.dialect.name == "sqlite"
        else "created_at - (id % 365) * interval '1 day'"
    )
    now = datetime.now(UTC).replace(tzinfo=None) if engine.dialect.name == "sqlite" else datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.text(f"UPDATE customer SET owner_id = NULL, pool_since = {spread} WHERE owner_id = ''")
        )
        connection.execute(
            sa.text(
                "UPDATE customer SET owned_since = created_at, dealt_at = created_at WHERE owner_id IS NOT NULL AND (id / 2000) % 5 <> 0"
            )
        )
        connection.execute(
            sa.text(
                "UPDATE customer SET owned_since = created_at WHERE owner_id IS NOT NULL AND (id / 2000) % 5 = 0"
            )
        )
        people = [{"ws": WORKSPACE, "user": rep, "now": now} for rep in REPS]
        connection.execute(
            sa.text(
                "INSERT INTO person (workspace_id, user_id, name, role, timezone, is_slack_admin, is_guest, "
                "is_deleted, profile_synced, claims_on_day, created_at) "
                "VALUES (:ws, :user, :user, 'rep', 'Asia/Shanghai', false, false, false, true, 0, :now)"
            ),
            people,
        )
        connection.execute(
            sa.text(
                "INSERT INTO workspace (id, name, timezone, country, currency, created_at) "
                "VALUES (:ws, 'Bench', 'Asia/Shanghai', 'CN', 'CNY', :now)"
            ),
            {"ws": WORKSPACE, "now": now},
        )
    # A steady state, as autovacuum would leave it: statistics, and PostgreSQL's visibility map (without
    # it an index-only scan of a rep's customers still visits every row).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    console.print(
        f"  loaded {customers:,} customers and {len(REPS):,} reps in {time.perf_counter() - started:.0f} s"
    )


def actor(user_id: str) -> Actor:
    return Actor(WORKSPACE, user_id, user_id, "rep", None, "Asia/Shanghai", "en")


def pool_ids(engine: sa.Engine, count: int) -> list[int]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT id FROM customer WHERE workspace_id = :ws AND owner_id IS NULL ORDER BY id LIMIT :n"
            ),
            {"ws": WORKSPACE, "n": count},
        )
        return [int(row[0]) for row in rows]


def timed(actions: list[Callable[[], object]]) -> list[float]:
    samples = []
    for action in actions:
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def claims(env: Env, engine: sa.Engine, samples: int) -> list[Result]:
    ids = pool_ids(engine, samples * 2)
    rng = random.Random(5)
    rng.shuffle(ids)
    mine, theirs = ids[:samples], ids[samples:]
    now = datetime.now(UTC)

    def statement(customer_id: int, user: str) -> Callable[[], object]:
        def run() -> object:
            with engine.begin() as connection:
                params = {"user": user, "now": now, "ws": WORKSPACE, "id": customer_id}
                return connection.execute(CLAIM_STATEMENT, params).rowcount

        return run

    def service(customer_id: int, user: str) -> Callable[[], object]:
        return lambda: pool.claim(env, actor(user), customer_id)

    baseline = timed([statement(c, REPS[n % len(REPS)]) for n, c in enumerate(theirs)])
    # Reps claim in turn: 2,000 claims by 1,000 reps stay within the daily limit (10) and the cap (200).
    claimed = timed([service(c, REPS[(n * 7) % len(REPS)]) for n, c in enumerate(mine)])
    return [
        ("baseline: one conditional UPDATE + commit", *percentiles(baseline)),
        ("pool.claim", *percentiles(claimed)),
    ]


def page_queries(rng: random.Random, count: int) -> Iterator[tuple[PoolQuery, int]]:
    for number in range(count):
        query = PoolQuery(region=rng.choice(CITIES)) if number % 2 else PoolQuery(level=rng.choice("ABC"))
        yield query, rng.randint(0, 3)


def pages(env: Env, engine: sa.Engine, samples: int) -> list[Result]:
    me = actor(REPS[0])
    rng = random.Random(9)

    def browse(query: PoolQuery, depth: int) -> Callable[[], object]:
        def run() -> object:
            after: Cursor | None = None
            for _ in range(depth + 1):
                page = pool_list.page(env, me, query, after=after)
                after = page.next_after
            return page

        return run

    def statement(region: str) -> Callable[[], object]:
        def run() -> object:
            with engine.connect() as connection:
                return connection.execute(PAGE_STATEMENT, {"ws": WORKSPACE, "region": region.lower()}).all()

        return run

    queries = list(page_queries(rng, samples))
    baseline = timed([statement(rng.choice(CITIES)) for _ in range(samples)])
    region = timed([browse(q, 0) for q, _ in queries if q.region])
    level = timed([browse(q, 0) for q, _ in queries if q.level])
    deep = timed([browse(q, depth) for q, depth in queries[: samples // 4]])
    return [
        ("baseline: one SELECT of a filtered page", *percentiles(baseline)),
        ("/pool page, region filter", *percentiles(region)),
        ("/pool page, level filter", *percentiles(level)),
        ("/pool, 1 to 4 pages deep (per browse)", *percentiles(deep)),
    ]


def plan(engine: sa.Engine, console: Console) -> None:
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(explain + PAGE_STATEMENT.text), {"ws": WORKSPACE, "region": "上海"}
        ).all()
    console.print("  page plan: " + " | ".join(str(row[-1]) for row in rows))


def measure(url: str, customers: int, samples: int, console: Console) -> tuple[list[Result], list[Result]]:
    engine = create_db_engine(url)
    upgrade_schema(engine)
    load(engine, customers, console)
    plan(engine, console)
    env = environment(url)
    pool_list.page(env, actor(REPS[0]), PoolQuery())  # warm up
    results = claims(env, engine, samples), pages(env, engine, samples)
    env.db.engine.dispose()
    engine.dispose()
    return results


def run(url: str, name: str, args: Any, console: Console) -> None:
    console.print(f"[bold]{name}[/bold]")
    claim_results, page_results = measure(url, args.customers, args.samples, console)
    ratio_table(console, f"claims on {name}", claim_results)
    ratio_table(console, f"/pool pages on {name}", page_results)
    ratio = claim_results[1][1] / claim_results[0][1]
    worst = max(p99 for _, _, p99 in page_results[1:3])
    console.print(
        f"  goals: claim p50 {ratio:.1f}x its statement (< 3x): {'met' if ratio < 3 else 'MISSED'}; "
        f"page p99 {worst:.1f} ms (< 20 ms): {'met' if worst < 20 else 'MISSED'}"
    )


def main() -> None:
    parser = engines.parser(__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2000, help="claims, and pages, measured")
    args = parser.parse_args()
    console = Console()
    for name, url in engines.each(args):
        run(url, name, args, console)


if __name__ == "__main__":
    main()
