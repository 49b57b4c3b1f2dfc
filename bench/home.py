"""The App Home at size: a rep with 5,000 customers, a manager with 50 reps, an admin of 1,000 people.

Measures, on SQLite and PostgreSQL, in the same run:
- the data of each Home (`bot.services.home.home_data`: settings, the person, every list's first rows
  and counts, the churn reasons, the team's figures, the directory for an admin);
- its rendering (`bot.views.home.home_view`), and both together;
beside a baseline: the bare SQL of the same lists (the same WHERE, ORDER BY and LIMIT, counts included)
run on one connection and fetched. Each Home is checked against Slack's limits (100 blocks, text sizes).

The workspace: the rep with 5,000 customers is one of the manager's 50 reps (the others hold 500 each);
1,000 more reps hold 100 each (20 other managers lead 900 of them, 100 have none), and 100,000 customers
are in the pool. A third of the owned customers ordered; a tenth of those are critical, a tenth at risk;
one team customer in 100 has an open complaint; one owned customer in 97 goes back to the pool
within 3 days.

    python -m bench.home
    python -m bench.home --runs 50                       # a quick look
    python -m bench.home --postgres postgresql://postgres@127.0.0.1:5432/postgres --skip-sqlite

Goal: each Home, data and rendering together, under 50 ms at p99.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from rich.console import Console

from bench import engines
from bench.data import WORKSPACE
from bench.typeahead import environment, percentiles, ratio_table
from bot.env import Env
from bot.i18n import lang
from bot.playground.validation import view_problems
from bot.services.home import home_data
from bot.services.people import Actor
from bot.views.home import home_view
from store.db import create_db_engine, upgrade_schema
from store.models import (
    ChurnState,
    Complaint,
    Customer,
    OutboxMessage,
    OwnershipEvent,
    Person,
    Visit,
    Workspace,
)
from store.types import UTCDateTime

ADMIN, MANAGER, BIG = "U0ADMIN", "U0MGR", "U0BIG"
TEAM = [BIG, *(f"U0TEAM{number:02}" for number in range(1, 50))]
OTHERS = [f"U0REP{number:04}" for number in range(1000)]
MANAGERS = [f"U0MGR{number:02}" for number in range(20)]
BIG_BOOK, TEAM_BOOK, OTHER_BOOK, POOL = 5000, 500, 100, 100_000
BATCH = 10_000
Result = tuple[str, float, float]


# -- the workspace --------------------------------------------------------------------------------------
def _base(model: type[Any], **required: Any) -> dict[str, Any]:
    """Every column of a row with the model's defaults, so Core inserts need only what varies."""
    return dict(model(**required).model_dump())


def _owners() -> Iterator[str | None]:
    yield from (BIG for _ in range(BIG_BOOK))
    yield from (rep for rep in TEAM[1:] for _ in range(TEAM_BOOK))
    yield from (rep for rep in OTHERS for _ in range(OTHER_BOOK))
    yield from (None for _ in range(POOL))


def _customer(base: dict[str, Any], number: int, owner: str | None, now: datetime) -> dict[str, Any]:
    today, dealt = now.date(), owner is not None and number % 3 == 0
    soon = owner is not None and number % 97 == 0 and not dealt  # level A, 13 days without a visit: 2 left
    clock = now - timedelta(days=13 if soon else number % 10)
    row = {
        **base, "id": number, "name": f"客户 {number} Trading Co., Ltd", "name_key": f"kehu {number}",
        "level": "A" if soon else "ABC"[number % 3], "owner_id": owner, "created_by": owner or "U0BENCH",
        "region": "上海", "stage": "active" if dealt else "prospect",
    }  # fmt: skip
    if owner is None:
        return {**row, "pool_since": now - timedelta(days=number % 365)}
    row.update(
        owned_since=clock if soon else now - timedelta(days=number % 60),
        recycle_clock_from=clock,
        next_follow_up=today + timedelta(days=number % 60 - 30),
        last_visit_on=today - timedelta(days=number % 10),
    )
    if dealt:
        row.update(
            dealt_at=now - timedelta(days=300), first_order_on=today - timedelta(days=300),
            last_order_on=today - timedelta(days=number % 150), order_count=4, last_satisfaction=1 + number % 5,
        )  # fmt: skip
    return row


BANDS = {0: ("critical", 7, 2 | 4 | 8), 1: ("at_risk", 4, 1 | 2), 2: ("watch", 1, 1), 3: ("watch", 2, 8)}


def _extras(number: int, owner: str, dealt: bool, now: datetime) -> dict[type[Any], list[dict[str, Any]]]:
    """A customer's churn state, complaint, visit this week and pool move, as the bench wants them."""
    rows: dict[type[Any], list[dict[str, Any]]] = {}
    band = BANDS.get(number // 3 % 10) if dealt else None
    if band:
        rows[ChurnState] = [
            {"customer_id": number, "workspace_id": WORKSPACE, "band": band[0], "score": band[1],
             "signals": band[2], "since": now, "warn_pending": False, "warned_at": None, "updated_at": now}
        ]  # fmt: skip
    if owner in TEAM and number % 100 == 0:
        rows[Complaint] = [{"customer_id": number, "assignee_id": owner, "filed_by": owner,
                            "respond_breached_at": now if number % 300 == 0 else None}]  # fmt: skip
    if owner in TEAM and number % 7 == 0:
        rows[Visit] = [{"customer_id": number, "author_id": owner,
                        "visited_on": now.date() - timedelta(days=number % 5)}]  # fmt: skip
    if owner in TEAM and number % 211 == 0:
        rows[OwnershipEvent] = [{"customer_id": number, "kind": "claim", "to_owner_id": owner}]
    return rows


def _people(now: datetime) -> list[dict[str, Any]]:
    base = _base(Person, workspace_id=WORKSPACE, user_id="x", created_at=now)
    people: list[tuple[str, str, str | None]] = [(ADMIN, "admin", None), (MANAGER, "manager", None)]
    people += [(m, "manager", None) for m in MANAGERS]
    people += [(rep, "rep", MANAGER) for rep in TEAM]
    people += [(rep, "rep", MANAGERS[n // 45] if n < 900 else None) for n, rep in enumerate(OTHERS)]
    return [
        {**base, "user_id": user, "name": user, "role": role, "manager_id": manager, "profile_synced": True}
        for user, role, manager in people
    ]


def load(engine: sa.Engine, console: Console) -> None:
    started, now = time.perf_counter(), datetime.now(UTC)
    customer = _base(Customer, workspace_id=WORKSPACE, name="x", name_key="x", created_by="x",
                     created_at=now, updated_at=now)  # fmt: skip
    defaults: dict[type[Any], dict[str, Any]] = {
        Complaint: _base(Complaint, workspace_id=WORKSPACE, customer_id=0, category="quality", severity="high",
                         description="The boxes arrived wet.", filed_by="x", filed_at=now, updated_at=now),
        Visit: _base(Visit, workspace_id=WORKSPACE, customer_id=0, author_id="x", kind="call",
                     visited_on=now.date(), created_at=now),
        OwnershipEvent: _base(OwnershipEvent, workspace_id=WORKSPACE, customer_id=0, kind="claim", at=now),
        ChurnState: {},
    }  # fmt: skip
    with engine.begin() as connection:
        connection.execute(sa.insert(Workspace), [_base(Workspace, id=WORKSPACE, created_at=now)])
        connection.execute(sa.insert(Person), _people(now))
        batch: list[dict[str, Any]] = []
        extras: dict[type[Any], list[dict[str, Any]]] = {model: [] for model in defaults}
        for number, owner in enumerate(_owners(), start=1):
            row = _customer(customer, number, owner, now)
            batch.append(row)
            for model, rows in (
                _extras(number, owner, row.get("dealt_at") is not None, now) if owner else {}
            ).items():
                extras[model] += [{**defaults[model], **row} for row in rows]
            if len(batch) >= BATCH:
                connection.execute(sa.insert(Customer), batch)
                batch = []
        connection.execute(sa.insert(Customer), batch)
        for model, rows in extras.items():
            for row in rows:
                row.pop("id", None)
            if rows:
                connection.execute(sa.insert(model), rows)
        failed = _base(OutboxMessage, workspace_id=WORKSPACE, dedupe_key="x", kind="announcement",
                       channel="C0GONE", payload="{}", next_attempt_at=now, created_at=now)  # fmt: skip
        failed.pop("id")
        connection.execute(
            sa.insert(OutboxMessage),
            [{**failed, "dedupe_key": f"a:{n}", "status": "failed", "last_error": "channel_not_found"}
             for n in range(30)],
        )  # fmt: skip
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    total = BIG_BOOK + TEAM_BOOK * 49 + OTHER_BOOK * len(OTHERS) + POOL
    console.print(
        f"  loaded {total:,} customers and {len(OTHERS) + 72:,} people in {time.perf_counter() - started:.0f} s"
    )


# -- the baseline: the same lists as bare SQL --------------------------------------------------------------
OWNED = "FROM customer c WHERE c.workspace_id = :ws AND c.owner_id IN :owners"
RISK = "FROM customer c JOIN churn_state s ON s.customer_id = c.id WHERE c.workspace_id = :ws AND c.owner_id IN :owners AND c.dealt_at IS NOT NULL AND s.band IN ('at_risk', 'critical')"
NEARLY = "FROM customer c WHERE c.workspace_id = :ws AND coalesce(c.owner_id, '') IN :owners AND c.owner_id IS NOT NULL AND c.dealt_at IS NULL AND c.locked_by IS NULL"
OPEN = "FROM complaint k JOIN customer c ON c.id = k.customer_id WHERE k.workspace_id = :ws AND k.assignee_id IN :owners AND k.status IN ('open', 'acknowledged', 'reopened')"
REP_SQL = [
    "SELECT key, value FROM workspace_setting WHERE workspace_id = :ws",
    "SELECT claims_on_day FROM person WHERE workspace_id = :ws AND user_id = :me AND claims_day = :today",
    f"SELECT count(*) {OWNED} AND c.dealt_at IS NULL",
    f"SELECT count(*) {OWNED} AND c.next_follow_up <= :yesterday",
    f"SELECT * {OWNED} AND c.next_follow_up <= :yesterday ORDER BY c.next_follow_up, c.name, c.id LIMIT :rows",
    f"SELECT count(*) {OWNED} AND c.next_follow_up = :today",
    f"SELECT * {OWNED} AND c.next_follow_up = :today ORDER BY c.next_follow_up, c.name, c.id LIMIT :rows",
    f"SELECT c.*, s.band, s.score, s.signals, count(*) OVER () {RISK} ORDER BY CASE s.band WHEN 'critical' THEN 3 ELSE 2 END DESC, s.score DESC, c.name, c.id LIMIT :rows",
    f"SELECT count(*) {OPEN}",
    f"SELECT k.*, c.name {OPEN} ORDER BY k.filed_at DESC, k.id DESC LIMIT :rows",
]
TEAM_SQL = [
    "SELECT * FROM person WHERE workspace_id = :ws AND manager_id = :me ORDER BY name, user_id",
    "SELECT author_id, count(*) FROM visit WHERE workspace_id = :ws AND author_id IN :owners AND visited_on >= :monday AND visited_on <= :today GROUP BY author_id",
    f"SELECT c.owner_id, count(*) {OWNED} AND c.next_follow_up < :today GROUP BY c.owner_id",
    "SELECT count(*) FROM ownership_event WHERE workspace_id = :ws AND at >= :week AND at < :week_end",
    f"SELECT c.*, s.band, count(*) OVER () {RISK} ORDER BY CASE s.band WHEN 'critical' THEN 3 ELSE 2 END DESC, s.score DESC, c.name, c.id LIMIT :rows",
    f"SELECT count(*) {OPEN}",
    f"SELECT k.*, c.name {OPEN} ORDER BY k.filed_at DESC, k.id DESC LIMIT :rows",
    *(f"SELECT * {NEARLY} AND c.level = '{level}' AND c.recycle_clock_from <= :cutoff_{level}" for level in "ABC"),
    f"SELECT * {NEARLY} AND c.owned_since <= :first_order_cutoff",
]  # fmt: skip


def _statement(sql: str) -> sa.TextClause:
    instants = ("week", "week_end", "cutoff_A", "cutoff_B", "cutoff_C", "first_order_cutoff")
    statement = sa.text(sql).bindparams(
        *(sa.bindparam(name, type_=UTCDateTime()) for name in instants if f":{name}" in sql)
    )
    return statement.bindparams(sa.bindparam("owners", expanding=True)) if ":owners" in sql else statement


Statements = list[tuple[str, dict[str, Any]]]


def baseline(engine: sa.Engine, statements: Statements) -> Callable[[], object]:
    compiled = [
        (_statement(sql), {k: v for k, v in params.items() if f":{k}" in sql}) for sql, params in statements
    ]

    def run() -> object:
        with engine.connect() as connection:
            return [connection.execute(statement, params).all() for statement, params in compiled]

    return run


def statements(sql: list[str], params: dict[str, Any]) -> Statements:
    return [(one, params) for one in sql]


def _params(me: str, owners: list[str], rows: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    week = datetime.combine(monday, datetime.min.time(), tzinfo=UTC)
    soon = now + timedelta(days=3)
    return {
        "ws": WORKSPACE, "me": me, "owners": owners, "rows": rows, "today": today,
        "yesterday": today - timedelta(days=1), "monday": monday, "week": week, "week_end": week + timedelta(days=7),
        "cutoff_A": soon - timedelta(days=15), "cutoff_B": soon - timedelta(days=30),
        "cutoff_C": soon - timedelta(days=45), "first_order_cutoff": soon - timedelta(days=90),
    }  # fmt: skip


# -- measuring --------------------------------------------------------------------------------------------------
def timed(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm up: caches, prepared plans
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def check(env: Env, who: Actor, console: Console) -> None:
    for reader in ("en", "zh_CN"):
        view = home_view(lang(reader), home_data(env, who))
        problems = view_problems(view)
        verdict = "within Slack's limits" if not problems else f"PROBLEMS: {problems[:3]}"
        console.print(f"  {who.user_id} ({who.role}, {reader}): {len(view['blocks'])} blocks, {verdict}")


def measure_one(env: Env, engine: sa.Engine, who: Actor, sql: Statements, runs: int) -> list[Result]:
    data = home_data(env, who)
    return [
        ("baseline: the bare SQL of the same lists", *percentiles(timed(baseline(engine, sql), runs))),
        ("data (home_data)", *percentiles(timed(lambda: home_data(env, who), runs))),
        ("render (home_view)", *percentiles(timed(lambda: home_view(who.lang, data), runs))),
        ("data + render", *percentiles(timed(lambda: home_view(who.lang, home_data(env, who)), runs))),
    ]


def actor(user_id: str, role: str, manager: str | None = None) -> Actor:
    return Actor(WORKSPACE, user_id, user_id, role, manager, "Asia/Shanghai", "en")


def run(url: str, name: str, runs: int, console: Console) -> None:
    console.print(f"[bold]{name}[/bold]")
    engine = create_db_engine(url)
    upgrade_schema(engine)
    load(engine, console)
    env = environment(url)
    rep, manager, admin = actor(BIG, "rep", MANAGER), actor(MANAGER, "manager"), actor(ADMIN, "admin")
    for who in (rep, manager, admin):
        check(env, who, console)
    own = statements(REP_SQL, _params(MANAGER, [MANAGER], 5))
    cases = [
        (f"a rep with {BIG_BOOK:,} customers", rep, statements(REP_SQL, _params(BIG, [BIG], 10))),
        ("a manager with 50 reps", manager, own + statements(TEAM_SQL, _params(MANAGER, TEAM, 5))),
        ("an admin (settings, 1,072 people)", admin, statements(REP_SQL, _params(ADMIN, [ADMIN], 5))),
    ]
    worst = 0.0
    for title, who, sql in cases:
        results = measure_one(env, engine, who, sql, runs)
        ratio_table(console, f"Home of {title} on {name} ({runs} runs)", results)
        worst = max(worst, results[3][2]) if who is not admin else worst
    console.print(f"  goal: data + render p99 {worst:.1f} ms (< 50 ms): {'met' if worst < 50 else 'MISSED'}")
    env.db.engine.dispose()
    engine.dispose()


def main() -> None:
    parser = engines.parser(__doc__)
    parser.add_argument("--runs", type=int, default=200, help="runs of each measurement")
    args = parser.parse_args()
    console = Console()
    for name, url in engines.each(args):
        run(url, name, args.runs, console)


if __name__ == "__main__":
    main()
