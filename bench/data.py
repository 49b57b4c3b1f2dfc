"""Generated customers for the benchmarks: realistic Chinese and Latin company names, loaded set-based."""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa

from bot.rules import names
from store.models import VISIT_KINDS
from store.types import UTCDateTime

WORKSPACE = "T0BENCH"
CITIES = [
    "上海",
    "北京",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "天津",
    "重庆",
    "西安",
    "青岛",
    "宁波",
    "厦门",
    "长沙",
    "郑州",
    "济南",
    "合肥",
    "福州",
]
WORDS = [
    "华东",
    "华南",
    "华北",
    "贸易",
    "科技",
    "实业",
    "机械",
    "电子",
    "化工",
    "物流",
    "食品",
    "医药",
    "建材",
    "纺织",
    "能源",
    "环保",
    "信息",
    "数据",
    "智能",
    "精密",
    "新材",
    "汽车",
    "包装",
    "服装",
    "五金",
    "照明",
    "家居",
    "水务",
    "农业",
    "海洋",
]
SUFFIXES = ["有限公司", "股份有限公司", "集团", "贸易有限公司", ""]
LATIN_FIRST = [
    "Acme",
    "Blue",
    "Harbor",
    "Golden",
    "River",
    "Summit",
    "Pioneer",
    "Apex",
    "Delta",
    "Orion",
    "Nova",
    "Crest",
    "Vertex",
    "Atlas",
    "Zenith",
    "Echo",
    "Falcon",
    "Maple",
    "Cedar",
    "Silver",
    "Iron",
    "Bright",
    "Northern",
    "Pacific",
    "Eastern",
    "Royal",
    "Prime",
    "Swift",
    "Union",
    "Grand",
]
LATIN_SECOND = [
    "Trading",
    "Logistics",
    "Systems",
    "Foods",
    "Textiles",
    "Machinery",
    "Electronics",
    "Chemicals",
    "Partners",
    "Holdings",
    "Industries",
    "Solutions",
    "Labs",
    "Works",
    "Supply",
    "Imports",
    "Exports",
    "Components",
    "Materials",
    "Packaging",
]
LATIN_SUFFIXES = ["Ltd", "Inc", "Co., Ltd", "LLC", ""]
CUSTOMER_COLUMNS = (
    "id, workspace_id, name, name_key, contact_person, phone, email, region, industry, products, tags, "
    "source, level, stage, owner_id, created_by, created_at, updated_at"
)


def company_name(rng: random.Random, number: int) -> str:
    """Odd numbers Chinese (上海华东贸易有限公司), even numbers Latin (Acme Harbor Trading Ltd)."""
    if number % 2:
        return (
            f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(SUFFIXES)}{number % 997}"
        )
    parts = [rng.choice(LATIN_FIRST), rng.choice(LATIN_FIRST), rng.choice(LATIN_SECOND), str(number)]
    return " ".join([*parts, rng.choice(LATIN_SUFFIXES)]).strip()


def _rows(count: int, seed: int, owners: list[str]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    for number in range(1, count + 1):
        name = company_name(rng, number)
        owner = owners[number % len(owners)] if owners else None
        customer = {
            "id": number, "workspace_id": WORKSPACE, "name": name, "name_key": names.name_key(name),
            "contact_person": "", "phone": "", "email": "", "region": rng.choice(CITIES), "industry": "",
            "products": "", "tags": "", "source": "", "level": rng.choice("ABC"), "stage": "prospect",
            "owner_id": owner, "created_by": owner or "U0BENCH", "created_at": now, "updated_at": now,
        }  # fmt: skip
        terms = [
            {"customer_id": number, "term": t, "workspace_id": WORKSPACE} for t in names.search_terms(name)
        ]
        yield customer, terms


def load_customers(engine: sa.Engine, count: int, *, seed: int = 7, owners: list[str] | None = None) -> None:
    """Insert `count` customers and their search terms in batches (executemany), then ANALYZE."""
    insert_customer = sa.text(
        f"INSERT INTO customer ({CUSTOMER_COLUMNS}) VALUES ("
        + ", ".join(f":{c.strip()}" for c in CUSTOMER_COLUMNS.split(","))
        + ")"
    )
    insert_term = sa.text(
        "INSERT INTO customer_term (customer_id, term, workspace_id) VALUES (:customer_id, :term, :workspace_id)"
    )
    customers: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for customer, customer_terms in _rows(count, seed, owners or []):
            customers.append(customer)
            terms.extend(customer_terms)
            if len(customers) >= 20_000:
                connection.execute(insert_customer, customers)
                connection.execute(insert_term, terms)
                customers, terms = [], []
        if customers:
            connection.execute(insert_customer, customers)
            connection.execute(insert_term, terms)
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))


# -- Set-based generators for the scheduler benchmarks (bench/nightly.py) ------------------------------
# Everything below is built by the database itself (INSERT ... SELECT, UPDATE ... FROM), so a million
# customers with their visits and five million orders load in minutes on either engine.


def _is_prime(number: int) -> bool:
    return number > 1 and all(number % d for d in range(2, int(number**0.5) + 1))


@cache
def _sequence(salt: str) -> tuple[int, int]:
    """A prime and a multiplier for `salt`, both from its CRC: each salt its own Weyl sequence."""
    crc = zlib.crc32(salt.encode())
    prime = 1_000_003 + crc % 1_000_000
    while not _is_prime(prime):
        prime += 1
    return 1 + (crc >> 7) % (prime - 1), prime


def spread(salt: str, n: int | str, column: str = "id") -> str:
    """SQL for a repeatable pseudo-random whole number in [0, n) per row, from an integer column.

    `(column * multiplier) % prime` walks a Weyl sequence: evenly spread, and (each salt having its
    own prime) independent of the other salts, so shares of rows combine as their products. BIGINT
    because PostgreSQL's integer would overflow; `n` may be an SQL expression."""
    multiplier, prime = _sequence(salt)
    return f"((CAST({column} AS BIGINT) * {multiplier} % {prime}) * ({n}) / {prime})"


@dataclass(frozen=True)
class SqlTime:
    """Instants and days a fixed `now` apart, as SQL on SQLite or PostgreSQL, stored as the app stores
    them (SQLite: 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, which compares as text; PostgreSQL: timestamptz).
    Statements using it take `params` (:now and :today, today being now's UTC day)."""

    sqlite: bool
    now: datetime

    @property
    def params(self) -> dict[str, Any]:
        now = self.now.astimezone(UTC)
        return {"now": now.strftime("%Y-%m-%d %H:%M:%S") if self.sqlite else now, "today": now.date()}

    def instant(self, seconds: str) -> str:
        """now + `seconds` (an SQL integer expression; negative for the past)."""
        if self.sqlite:
            return f"(strftime('%Y-%m-%d %H:%M:%S', :now, ({seconds}) || ' seconds') || '.000000')"
        return f"(CAST(:now AS TIMESTAMPTZ) + ({seconds}) * INTERVAL '1 second')"

    def day(self, days: str) -> str:
        """today + `days` (an SQL integer expression), a date; NULL stays NULL."""
        return self.days_after(":today" if self.sqlite else "CAST(:today AS DATE)", days)

    def days_after(self, day: str, days: str) -> str:
        """The date `day` + `days` (SQL expressions)."""
        if self.sqlite:
            return f"date({day}, ({days}) || ' days')"
        return f"({day} + CAST({days} AS INTEGER))"

    def utc_time_of(self, day: str, minutes: int) -> str:
        """The instant `minutes` after midnight UTC of the date `day`."""
        if self.sqlite:
            return f"({day} || ' {minutes // 60:02d}:{minutes % 60:02d}:00.000000')"
        return f"(CAST({day} AS TIMESTAMP) AT TIME ZONE 'UTC' + INTERVAL '{minutes} minutes')"


def insert_workspace(connection: sa.Connection, *, timezone: str, created_at: datetime) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO workspace (id, name, timezone, country, currency, created_at) "
            "VALUES (:ws, 'Bench', :tz, 'CN', 'CNY', :now)"
        ).bindparams(sa.bindparam("now", type_=UTCDateTime())),
        {"ws": WORKSPACE, "tz": timezone, "now": created_at},
    )


@dataclass(frozen=True)
class BenchPerson:
    user_id: str
    role: str = "rep"
    manager_id: str | None = None
    timezone: str = "Asia/Shanghai"
    chosen_locale: str | None = None
    is_deleted: bool = False


def insert_people(connection: sa.Connection, people: list[BenchPerson], *, created_at: datetime) -> None:
    """Person rows with every NOT NULL column, all synced with Slack (the jobs never look them up)."""
    statement = sa.text(
        "INSERT INTO person (workspace_id, user_id, name, role, manager_id, timezone, chosen_locale, "
        "is_slack_admin, is_guest, is_deleted, profile_synced, claims_on_day, created_at) "
        "VALUES (:ws, :user, :user, :role, :manager, :tz, :locale, false, false, :deleted, true, 0, :now)"
    ).bindparams(sa.bindparam("now", type_=UTCDateTime()))
    rows = [
        {
            "ws": WORKSPACE, "user": p.user_id, "role": p.role, "manager": p.manager_id, "tz": p.timezone,
            "locale": p.chosen_locale, "deleted": p.is_deleted, "now": created_at,
        }
        for p in people
    ]  # fmt: skip
    connection.execute(statement, rows)


def load_orders(engine: sa.Engine, count: int, clock: SqlTime) -> int:
    """About `count` orders over the last three years on the customers marked dealt (dealt_at set),
    each customer with its own number of orders and usual gap, by its owner; then each customer's
    order facts (first and last order day, count) and dealt_at (its first order) from the orders.
    Returns the number of orders."""
    with engine.begin() as connection:
        dealt = connection.execute(
            sa.text("SELECT COUNT(*) FROM customer WHERE dealt_at IS NOT NULL")
        ).scalar()
        most = max(
            1, round(2 * count / max(1, int(dealt or 0))) - 1
        )  # 1 + [0, most) orders: mean count/dealt
        connection.execute(sa.text(_orders_statement(clock, most)), clock.params)
        connection.execute(sa.text(_order_facts_statement(clock)))
        return int(connection.execute(sa.text("SELECT COUNT(*) FROM customer_order")).scalar() or 0)


def _orders_statement(clock: SqlTime, most: int) -> str:
    orders = f"(1 + {spread('orders', most, 'c.id')})"
    last_age = spread("last order", 400, "c.id")  # days since the last order: some customers lapse
    gap = f"(1 + {spread('gap', f'1095 - {last_age}', 'c.id')} / {orders})"  # the usual gap, in days
    order = "(c.id * 64 + n.i)"
    jitter = f"(CASE WHEN n.i > 0 THEN {spread('jitter', f'{gap} / 3 + 1', order)} ELSE 0 END)"
    ordered_on = clock.day(f"-({last_age} + n.i * {gap} + {jitter})")
    amount = f"(100 * (1000 + {spread('amount', 500_000, order)}))"
    return (
        f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {most}) "
        "INSERT INTO customer_order (workspace_id, customer_id, author_id, amount_minor, currency, rate, "
        "amount_base_minor, ordered_on, product, created_at) "
        f"SELECT c.workspace_id, c.id, c.owner_id, {amount}, 'CNY', '1', {amount}, {ordered_on}, '', "
        f"{clock.utc_time_of(ordered_on, 30)} "
        f"FROM customer c JOIN n ON n.i < {orders} WHERE c.dealt_at IS NOT NULL"
    )


def _order_facts_statement(clock: SqlTime) -> str:
    return (
        "UPDATE customer SET first_order_on = f.first_on, last_order_on = f.last_on, order_count = f.orders, "
        f"dealt_at = {clock.utc_time_of('f.first_on', 30)}, stage = 'active' "
        "FROM (SELECT customer_id, MIN(ordered_on) AS first_on, MAX(ordered_on) AS last_on, "
        "COUNT(*) AS orders FROM customer_order GROUP BY customer_id) AS f "
        "WHERE customer.id = f.customer_id"
    )


def load_visits(engine: sa.Engine, clock: SqlTime, *, history_since: str) -> int:
    """Visits consistent with each owned customer's last_visit_on: one on that day by the owner, and,
    for customers owned since before `history_since` (an SQL instant), one earlier within the last
    120 days. About 40 % record a satisfaction (1-5); each customer's last_satisfaction(_on) is
    then set from its latest visit that recorded one. Returns the number of visits."""
    with engine.begin() as connection:
        connection.execute(sa.text(_visits_statement(clock, "last_visit_on", "0", "TRUE")), clock.params)
        day = clock.days_after("last_visit_on", f"-(1 + {spread('earlier', 90)})")  # 1 to 90 days before
        keep = f"owned_since < {history_since} AND {day} >= {clock.day('-120')}"
        connection.execute(sa.text(_visits_statement(clock, day, "earlier", keep)), clock.params)
        connection.execute(sa.text(_last_satisfaction_statement()))
        return int(connection.execute(sa.text("SELECT COUNT(*) FROM visit")).scalar() or 0)


def _visits_statement(clock: SqlTime, day: str, salt: str, keep: str) -> str:
    kinds = " ".join(f"WHEN {n} THEN '{kind}'" for n, kind in enumerate(VISIT_KINDS))
    satisfaction = f"CASE WHEN {spread('rated' + salt, 10)} < 4 THEN 1 + {spread('score' + salt, 5)} END"
    return (
        "INSERT INTO visit (workspace_id, customer_id, author_id, kind, visited_on, note, satisfaction, "
        "next_follow_up, created_at) "
        f"SELECT workspace_id, id, owner_id, CASE {spread('kind' + salt, len(VISIT_KINDS))} {kinds} END, "
        f"{day}, '', {satisfaction}, NULL, {clock.utc_time_of(day, 30)} "
        f"FROM customer WHERE owner_id IS NOT NULL AND last_visit_on IS NOT NULL AND {keep}"
    )


def _last_satisfaction_statement() -> str:
    """As migration 0005 backfills it (the latest visit that recorded one, the later logged on a tie),
    with a window instead of correlated subqueries, which a million customers would make slow."""
    return (
        "UPDATE customer SET last_satisfaction = s.satisfaction, last_satisfaction_on = s.visited_on "
        "FROM (SELECT customer_id, satisfaction, visited_on, ROW_NUMBER() OVER "
        "(PARTITION BY customer_id ORDER BY visited_on DESC, id DESC) AS latest "
        "FROM visit WHERE satisfaction IS NOT NULL) AS s "
        "WHERE s.latest = 1 AND customer.id = s.customer_id"
    )
