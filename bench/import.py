"""Bulk import at size: 1,000,000 customers from a CSV file, on SQLite and PostgreSQL.

Measures, in the same run, on two fresh databases of the same engine:
- baseline: the same customers and their search terms written by store.bulk's writes (executemany
  INSERT on SQLite, COPY on PostgreSQL: the import's own), one transaction, rows built beforehand
  and untimed: the bare bulk insert;
- `python -m bot import customers FILE` as the command runs it (bot.services.bulk.import_file):
  detecting the encoding, reading the CSV, the create form's validation, owners by Slack id or
  e-mail, the duplicate lookups on the name and phone keys per batch, the same writes, one commit.
Prints ms per batch of lines (p50/p99, ratios to the baseline) and rows per second overall.
A third of the customers are Chinese names; each has a phone and an e-mail; a third are owned by a
rep named by Slack id, a third by e-mail, a third go to the pool.

    python -m bench.import                                # 1,000,000 customers on SQLite
    python -m bench.import --rows 100000                  # a quick look
    python -m bench.import --postgres postgresql://postgres@127.0.0.1:5432/postgres --skip-sqlite

Goal: the import within 3x of the bare insert.
"""

from __future__ import annotations

import csv
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.console import Console

from bench import engines
from bench.data import CITIES, LATIN_FIRST, LATIN_SECOND, LATIN_SUFFIXES, SUFFIXES, WORDS, WORKSPACE
from bench.importing import imported
from bench.typeahead import environment, percentiles, ratio_table
from bot.rules import names
from bot.services import bulk
from store import bulk as store
from store.db import create_db_engine, upgrade_schema
from store.models import Customer

REPS = [f"U0REP{number:04d}" for number in range(200)]
HEADER = "name,contact_person,phone,email,region,industry,products,tags,source,level,owner"
Result = tuple[str, float, float]


def company(rng: random.Random, number: int) -> str:
    """A unique name whose key starts no other's: the number is fixed-width (0000012 vs 0000123)."""
    if number % 3 == 0:
        return f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(SUFFIXES)}{number:07d}"
    words = [rng.choice(LATIN_FIRST), rng.choice(LATIN_FIRST), rng.choice(LATIN_SECOND), f"{number:07d}"]
    return " ".join([*words, rng.choice(LATIN_SUFFIXES)]).strip()


def lines(rows: int) -> Iterator[tuple[str, ...]]:
    """Each line's cells, as the header orders them."""
    rng = random.Random(17)
    for number in range(rows):
        rep = REPS[number % len(REPS)]
        owner = (rep, f"{rep.lower()}@example.com", "")[number % 3]
        yield (
            company(rng, number), f"Contact {number}", f"1{3 + number % 6}{number:09d}",
            f"buyer{number}@example.com", rng.choice(CITIES), "", "", "", "fair", "ABC"[number % 3], owner,
        )  # fmt: skip


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER.split(","))
        writer.writerows(lines(rows))


def prepare(url: str) -> None:
    """A fresh schema, the workspace, and reps with their e-mails."""
    engine = create_db_engine(url)
    upgrade_schema(engine)
    now: datetime = datetime.now(UTC)
    if engine.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored as the app stores instants on SQLite: naive UTC
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO workspace (id, name, timezone, country, currency, created_at) "
                "VALUES (:ws, 'Bench', 'Asia/Shanghai', 'CN', 'CNY', :now)"
            ),
            {"ws": WORKSPACE, "now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO person (workspace_id, user_id, name, role, timezone, email, is_slack_admin, "
                "is_guest, is_deleted, profile_synced, claims_on_day, created_at) VALUES (:ws, :user, :user, "
                "'rep', 'Asia/Shanghai', :email, false, false, false, true, 0, :now)"
            ),
            [
                {"ws": WORKSPACE, "user": rep, "email": f"{rep.lower()}@example.com", "now": now}
                for rep in REPS
            ],
        )
    engine.dispose()


def empty(url: str) -> None:
    """No customers left, the space given back: the import starts where the baseline did."""
    engine = create_db_engine(url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        if postgres:
            connection.execute(sa.text("TRUNCATE customer RESTART IDENTITY CASCADE"))
        else:
            connection.execute(sa.text("DELETE FROM customer_term"))
            connection.execute(sa.text("DELETE FROM customer"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if postgres else "VACUUM"))
    engine.dispose()


def customer_rows(cells: list[tuple[str, ...]], now: datetime) -> list[dict[str, Any]]:
    """The rows the import writes for these lines (what the baseline inserts)."""
    template = Customer(workspace_id=WORKSPACE, name="", name_key="", created_by=bulk.IMPORTED_BY,
                        created_at=now, updated_at=now).model_dump(exclude={"id"})  # fmt: skip
    rows = []
    for name, contact, phone, email, region, industry, products, tags, source, level, owner in cells:
        owner_id = owner.split("@")[0].upper() or None
        rows.append({
            **template, "name": name, "name_key": names.name_key(name), "contact_person": contact,
            "phone": phone, "phone_key": names.phone_key(phone, "CN"), "email": email, "region": region,
            "industry": industry, "products": products, "tags": tags, "source": source, "level": level,
            "owner_id": owner_id, "owned_since": now if owner_id else None,
            "recycle_clock_from": now if owner_id else None, "pool_since": None if owner_id else now,
        })  # fmt: skip
    return rows


def bare_insert(url: str, rows: int, batch: int) -> tuple[list[float], float]:
    """store.bulk's writes of the prepared rows: ms per batch, and seconds in all (with the commit)."""
    env = environment(url)
    now, samples, total = datetime.now(UTC), [], 0.0
    cells = lines(rows)
    with env.db.session() as session:
        store.begin_bulk_writes(session=session)
        while chunk := list(islice(cells, batch)):
            prepared = customer_rows(chunk, now)
            terms = [names.search_terms(row["name"]) for row in prepared]
            started = time.perf_counter()
            ids = store.insert_customers(session=session, rows=prepared)
            term_rows = [
                {"customer_id": i, "term": term, "workspace_id": WORKSPACE}
                for i, customer_terms in zip(ids, terms, strict=True)
                for term in customer_terms
            ]
            store.insert_terms(session=session, rows=term_rows)
            samples.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
    total = sum(samples) / 1000 + time.perf_counter() - started  # the commit
    env.db.engine.dispose()
    return samples, total


def count(url: str) -> int:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        number = int(connection.execute(sa.text("SELECT COUNT(*) FROM customer")).scalar() or 0)
    engine.dispose()
    return number


def run(name: str, url: str, path: Path, args: Any, console: Console) -> None:
    console.print(f"[bold]{name}[/bold]")
    prepare(url)
    base_samples, base_total = bare_insert(url, args.rows, args.batch)
    assert count(url) == args.rows
    empty(url)
    import_samples, import_total, report = imported(url, "customers", path, args.batch)
    assert report.committed, report.outcomes[:5]
    assert report.added == args.rows == count(url), report.outcomes[:5]
    results: list[Result] = [
        ("baseline: bare insert (store.bulk writes)", *percentiles(base_samples)),
        ("import customers (file to rows)", *percentiles(import_samples)),
    ]
    ratio_table(console, f"{args.rows:,} customers on {name}: ms per batch of {args.batch:,} lines", results)
    ratio = import_total / base_total
    console.print(
        f"  rows/s: bare insert {args.rows / base_total:,.0f} ({base_total:.1f} s with the commit), "
        f"import {args.rows / import_total:,.0f} ({import_total:.1f} s, file to commit); "
        f"goal: the import within 3x of the bare insert: {ratio:.1f}x, {'met' if ratio < 3 else 'MISSED'}"
    )


def main() -> None:
    parser = engines.parser(__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=bulk.BATCH_SIZE, help="lines per batch")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "customers.csv"
        started = time.perf_counter()
        write_file(path, args.rows)
        console.print(f"  wrote {args.rows:,} lines ({path.stat().st_size / 1e6:,.0f} MB) in "
                      f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        for name, url in engines.each(args):
            run(name, url, path, args, console)


if __name__ == "__main__":
    main()
