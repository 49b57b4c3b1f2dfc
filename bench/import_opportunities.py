"""Bulk import of opportunities at size: 500,000 lines on as many customers, on SQLite and PostgreSQL.

The workspace: 200 reps owning the customers (loaded by bench.data, untimed). The file names each
customer by its id, a stage by its key, its English or its Chinese name or not at all, an amount in
the workspace currency and a close day in the next four months.

Measures, in the same run, on the same database:
- baseline: the rows the import writes (each opportunity and the "opened" entry of its history)
  built beforehand and untimed, then written by store.bulk's writes (executemany INSERT on SQLite,
  COPY on PostgreSQL: the import's own), and the customers' stages set by the stage rule as the
  import sets them, one transaction: the bare bulk writes;
- `python -m bot import opportunities FILE` as the command runs it, after the baseline's rows are
  deleted: reading the CSV, the form's checks, the customers and the open titles looked up per batch,
  the numbers taken, the same writes, the customers made interested, one commit.
Prints ms per batch of lines (p50/p99, ratios to the baseline) and lines per second overall.

    python -m bench.import_opportunities                      # 500,000 lines on SQLite
    python -m bench.import_opportunities --rows 50000         # a quick look
    python -m bench.import_opportunities --postgres postgresql://postgres@127.0.0.1:5432/postgres --skip-sqlite

Goal: the import within 3x of the bare insert.
"""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.console import Console

from bench import engines
from bench.data import WORKSPACE, BenchPerson, insert_people, insert_workspace, load_customers
from bench.importing import imported
from bench.typeahead import environment, percentiles, ratio_table
from bot.services import bulk, opportunities
from bot.services.bulk_run import template
from bot.services.tiers import STAGE_RULES
from store import bulk as store
from store import tiers as tiers_store
from store.db import create_db_engine, upgrade_schema
from store.models import Opportunity, OpportunityChange

REPS = [f"U0REP{number:04d}" for number in range(200)]
HEADER = [
    "customer_id",
    "title",
    "amount",
    "currency",
    "stage",
    "probability",
    "expected_close",
    "products",
    "next_step",
]
STAGE_CELLS = ("", "needs_analysis", "方案报价", "Negotiation")  # qualify (the first), then by each spelling
STAGE_NUMBERS = (1, 2, 3, 4)  # the default stages' ids, as a fresh workspace numbers them
PROBABILITIES = (10, 20, 40, 70)
TODAY = datetime.now(UTC).date()


def lines(rows: int) -> Iterator[list[str]]:
    for number in range(1, rows + 1):
        close = TODAY + timedelta(days=1 + number % 120)
        yield [str(number), f"Annual contract {number}", f"{1000 + number % 997}.50", "CNY",
               STAGE_CELLS[number % 4], "", close.isoformat(), "pumps", "send the quote"]  # fmt: skip


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(lines(rows))


def prepare(url: str, rows: int) -> None:
    """A fresh schema, the workspace, its reps, a customer for each line and the default stages."""
    engine = create_db_engine(url)
    upgrade_schema(engine)
    with engine.begin() as connection:
        insert_workspace(connection, timezone="Asia/Shanghai", created_at=datetime.now(UTC))
        insert_people(connection, [BenchPerson(rep) for rep in REPS], created_at=datetime.now(UTC))
    load_customers(engine, rows, owners=REPS)
    engine.dispose()
    opportunities.stages(environment(url), WORKSPACE)


def written_rows(cells: list[list[str]], now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The opportunity and history rows the import writes for these lines (what the baseline inserts)."""
    base = template(
        Opportunity, workspace_id=WORKSPACE, id=0, customer_id=0, owner_id="", title="", amount_minor=1,
        currency="CNY", amount_base_minor=1, stage_id=0, probability=0, expected_close_on=date.min,
        created_by=bulk.IMPORTED_BY, created_at=now, updated_at=now, stage_since=now,
    )  # fmt: skip
    made, opened = [], []
    for customer_id, title, amount, _currency, _stage, _p, close, products, next_step in cells:
        number, place = int(customer_id), int(customer_id) % 4
        minor = int(amount.replace(".", ""))
        row = {**base, "id": number, "customer_id": number, "owner_id": REPS[number % len(REPS)],
               "title": title, "amount_minor": minor, "amount_base_minor": minor, "stage_id": STAGE_NUMBERS[place],
               "probability": PROBABILITIES[place], "expected_close_on": date.fromisoformat(close),
               "products": products, "next_step": next_step}  # fmt: skip
        made.append(row)
        opened.append(OpportunityChange(
            workspace_id=WORKSPACE, opportunity_id=number, version=1, change="created", owner_id=row["owner_id"],
            at=now, to_stage_id=row["stage_id"], amount_base_minor=minor, expected_close_on=row["expected_close_on"],
        ).model_dump())  # fmt: skip
    return made, opened


OPPORTUNITY = Opportunity.__table__  # type: ignore[attr-defined]
CHANGE = OpportunityChange.__table__  # type: ignore[attr-defined]


def bare_insert(url: str, rows: int, batch: int) -> tuple[list[float], float]:
    """store.bulk's writes of the prepared rows: ms per batch, and seconds in all (with the commit)."""
    env = environment(url)
    now, samples = datetime.now(UTC), []
    cells = lines(rows)
    with env.db.session() as session:
        store.begin_bulk_writes(session=session)
        while chunk := list(islice(cells, batch)):
            made, opened = written_rows(chunk, now)
            started = time.perf_counter()
            store.insert_rows(session=session, table=OPPORTUNITY, rows=made)
            store.insert_rows(session=session, table=CHANGE, rows=opened)
            ids = {row["customer_id"] for row in made}
            tiers_store.refresh_stages(
                session=session, customer_ids=ids, rules=STAGE_RULES, today=TODAY, now=now
            )
            samples.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
    total = sum(samples) / 1000 + time.perf_counter() - started  # the commit
    env.db.engine.dispose()
    return samples, total


def empty(url: str) -> None:
    """No opportunity left, every customer a prospect again, the space given back: the import starts
    where the baseline did."""
    engine = create_db_engine(url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM opportunity_change"))
        connection.execute(sa.text("DELETE FROM opportunity"))
        connection.execute(sa.text("UPDATE customer SET stage = 'prospect'"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if postgres else "VACUUM"))
    engine.dispose()


def counted(url: str) -> tuple[int, int]:
    """(opportunities, customers now interested)."""
    engine = create_db_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            sa.text("SELECT (SELECT COUNT(*) FROM opportunity), "
                    "(SELECT COUNT(*) FROM customer WHERE stage = 'interested')")
        ).one()  # fmt: skip
    engine.dispose()
    return int(found[0]), int(found[1])


def run(name: str, url: str, path: Path, args: Any, console: Console) -> None:
    console.print(f"[bold]{name}[/bold]")
    prepare(url, args.rows)
    base_samples, base_total = bare_insert(url, args.rows, args.batch)
    assert counted(url)[0] == args.rows
    empty(url)
    import_samples, import_total, report = imported(url, "opportunities", path, args.batch)
    assert report.committed, report.outcomes[:5]
    assert report.added == args.rows, report.outcomes[:5]
    assert counted(url) == (args.rows, args.rows)
    results = [
        ("baseline: bare insert (store.bulk writes)", *percentiles(base_samples)),
        ("import opportunities (file to rows)", *percentiles(import_samples)),
    ]
    ratio_table(
        console, f"{args.rows:,} opportunities on {name}: ms per batch of {args.batch:,} lines", results
    )
    ratio = import_total / base_total
    console.print(
        f"  lines/s: bare insert {args.rows / base_total:,.0f} ({base_total:.1f} s with the commit), "
        f"import {args.rows / import_total:,.0f} ({import_total:.1f} s, file to commit); "
        f"goal: the import within 3x of the bare insert: {ratio:.1f}x, {'met' if ratio < 3 else 'MISSED'}"
    )


def main() -> None:
    parser = engines.parser(__doc__)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--batch", type=int, default=bulk.BATCH_SIZE, help="lines per batch")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "opportunities.csv"
        write_file(path, args.rows)
        for name, url in engines.each(args):
            run(name, url, path, args, console)


if __name__ == "__main__":
    main()
