"""Ack latency through the real web process, beside a bare Bolt app in both of Bolt's modes.

Starts `python -m bot serve` (gunicorn, 2 processes × 8 threads) on SQLite with 10,000 customers (half
of them with three visits and two orders, so half the cards read a history) and
the Slack stand-in as its Web API, then at concurrency 1, 10 and 50 measures:
  - `/customer <name>`, answered in the ack: request to response;
  - `/visit` (no text): request to the `views.open` call arriving at the stand-in (a lazy listener),
    counting lazy runs that never arrive within 5 s;
and the same `/customer` request against a bare app that only acks (bench/bare_app.py), served the
same way, in Bolt's default mode and acking inline. Prints p50/p99 and ratios to the bare inline app.

    python -m bench.ack_latency [--requests 300] [--customers 10000] [--installations 1000]

With --installations N the web process serves many workspaces ("Add to Slack": client id and secret, no
bot token) with N installations stored, the bench's workspace among them: every request is authorized
from the installations.

Goals: `/customer <name>` p50 < 3 ms at concurrency 1; p99 at concurrency 50 within 2× of the bare
inline app; no request over 3 s; no failed lazy run.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from bench import bare_app
from bench.data import WORKSPACE, load_customers
from bot.playground.requests import SlackRequests, over_http
from bot.playground.standin import SlackStandIn
from store.db import create_db_engine, upgrade_schema
from store.models.installations import BOTS

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
USERS = [f"U0REP{number:02}" for number in range(8)]
CONCURRENCY = (1, 10, 50)
LAZY_DEADLINE = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(command: list[str], env: dict[str, str], log: Path) -> Iterator[str]:
    """Run a web process until the block ends; yields its /slack/events URL."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [part.replace("{port}", str(port)) for part in command],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=output,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except urllib.error.HTTPError:
                break  # it answers (the bare app has no /healthz)
            except OSError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{command[0]} did not start:\n{log.read_text()}") from error
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        process.terminate()
        process.wait(timeout=15)


def latencies(send: Callable[[int], float], requests: int, concurrency: int) -> list[float]:
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(send, range(requests)))


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], ordered[-1]


def customer_requests(slack: SlackRequests, names: list[str]) -> Callable[[int], float]:
    def send(number: int) -> float:
        started = time.perf_counter()
        reply = slack.command(USERS[number % len(USERS)], "/customer", names[number % len(names)])
        elapsed = (time.perf_counter() - started) * 1000
        if reply.status != 200 or "Owner" not in reply.text:
            raise SystemExit(f"unexpected answer: {reply.status} {reply.raw[:200]}")
        return elapsed

    return send


def visit_requests(slack: SlackRequests, sent: dict[str, float]) -> Callable[[int], float]:
    def send(number: int) -> float:
        body = slack.command_body(USERS[number % len(USERS)], "/visit", "")
        trigger = body.split("trigger_id=")[1].split("&")[0]
        sent[trigger] = time.monotonic()
        slack.send_raw(body, "application/x-www-form-urlencoded")
        return 0.0

    return send


def views_opened(standin: SlackStandIn, sent: dict[str, float]) -> tuple[list[float], int]:
    deadline = time.monotonic() + LAZY_DEADLINE
    while time.monotonic() < deadline:
        arrived = {c.args.get("trigger_id"): c.at for c in standin.calls_to("views.open")}
        if all(trigger in arrived for trigger in sent):
            break
        time.sleep(0.05)
    arrived = {c.args.get("trigger_id"): c.at for c in standin.calls_to("views.open")}
    samples = [(arrived[t] - at) * 1000 for t, at in sent.items() if t in arrived]
    return samples, len(sent) - len(samples)


def prepare_database(folder: Path, customers: int) -> tuple[str, list[str]]:
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = create_db_engine(url)
    upgrade_schema(engine)
    load_customers(engine, customers, owners=USERS)
    with engine.begin() as connection:
        add_history(connection)
        names = [row[0] for row in connection.execute(sa.text("SELECT name FROM customer ORDER BY id"))]
    engine.dispose()
    return url, random.Random(3).sample(names, 200)


def add_history(connection: sa.Connection) -> None:
    """Every other customer gets three visits and two orders, so half the cards read a history."""
    for days_ago in (3, 20, 45):
        connection.execute(
            sa.text(
                "INSERT INTO visit (workspace_id, customer_id, author_id, kind, visited_on, note, created_at) "
                "SELECT workspace_id, id, owner_id, 'call', date('now', :ago), 'Talked about the renewal', "
                "created_at FROM customer WHERE id % 2 = 0"
            ),
            {"ago": f"-{days_ago} days"},
        )
    for days_ago in (10, 40):
        connection.execute(
            sa.text(
                "INSERT INTO customer_order (workspace_id, customer_id, author_id, amount_minor, currency, rate, "
                "amount_base_minor, ordered_on, product, created_at) SELECT workspace_id, id, owner_id, 120050, "
                "'CNY', '1', 120050, date('now', :ago), 'Valves', created_at FROM customer WHERE id % 2 = 0"
            ),
            {"ago": f"-{days_ago} days"},
        )
    connection.execute(
        sa.text(
            "UPDATE customer SET last_visit_on = date('now', '-3 days'), last_order_on = date('now', '-10 days'), "
            "dealt_at = created_at, stage = 'active' WHERE id % 2 = 0"
        )
    )


def bot_env(standin: SlackStandIn, url: str, installations: int = 0) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(SLACK_SIGNING_SECRET=SECRET, DATABASE_URL=url, SLACK_API_URL=standin.api_url)
    if installations:  # many workspaces: each request authorized from the installations
        env.update(SLACK_CLIENT_ID="1234.5678", SLACK_CLIENT_SECRET="bench-client-secret")
    else:
        env.update(SLACK_BOT_TOKEN="xoxb-bench")
    return env


def install_many(url: str, count: int) -> None:
    """`count` installations stored as "Add to Slack" stores them, the bench's workspace among them."""
    teams = [WORKSPACE] + [f"T{number:08d}" for number in range(1, count)]
    rows = [
        {"client_id": "1234.5678", "app_id": "A0BENCH", "team_id": team, "team_name": team,
         "bot_token": f"xoxb-{team.lower()}", "bot_id": "B0BENCH", "bot_user_id": "U0BOT",
         "bot_scopes": "commands,chat:write", "is_enterprise_install": False,
         "installed_at": datetime(2026, 11, 1)}  # noqa: DTZ001 (slack_sdk's stores keep naive UTC)
        for team in teams
    ]  # fmt: skip
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(BOTS.insert(), rows)
    engine.dispose()


def run(args: argparse.Namespace, console: Console) -> dict[str, dict[int, tuple[float, float, float]]]:
    standin = SlackStandIn(team_id=WORKSPACE).start()
    for user in USERS:
        standin.add_user(user, user.title())
    results: dict[str, dict[int, tuple[float, float, float]]] = {}
    failed_lazy = 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        url, names = prepare_database(folder, args.customers)
        if args.installations:
            install_many(url, args.installations)
        serve = [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--web-only",
            "--port",
            "{port}",
            "--workers",
            "2",
            "--threads",
            "8",
        ]
        with serving(serve, bot_env(standin, url, args.installations), folder / "bot.log") as events:
            slack = SlackRequests(secret=SECRET, standin=standin, transport=over_http(events))
            latencies(customer_requests(slack, names), len(USERS) * 4, 8)  # first contacts, warm caches
            for concurrency in CONCURRENCY:
                samples = latencies(customer_requests(slack, names), args.requests, concurrency)
                results.setdefault("Tidewater /customer <name> (ack)", {})[concurrency] = percentiles(samples)
                sent: dict[str, float] = {}
                latencies(visit_requests(slack, sent), max(50, args.requests // 3), concurrency)
                opened, missing = views_opened(standin, sent)
                failed_lazy += missing
                results.setdefault("Tidewater /visit → views.open (lazy)", {})[concurrency] = percentiles(
                    opened
                )
        for mode in ("default", "inline"):
            gunicorn = [
                sys.executable, "-m", "gunicorn", "bench.bare_app:create()", "-k", "gthread", "-w", "2",
                "--threads", "8", "-b", "127.0.0.1:{port}", "--no-control-socket",
            ]  # fmt: skip
            env = {**os.environ, "BARE_MODE": mode}
            with serving(gunicorn, env, folder / f"bare-{mode}.log") as events:
                bare = SlackRequests(
                    secret=bare_app.SIGNING_SECRET, standin=standin, transport=over_http(events)
                )

                def ack_only(number: int, bare: SlackRequests = bare) -> float:
                    started = time.perf_counter()
                    reply = bare.command(USERS[0], "/customer", names[number % len(names)])
                    assert reply.status == 200
                    return (time.perf_counter() - started) * 1000

                for concurrency in CONCURRENCY:
                    samples = latencies(ack_only, args.requests, concurrency)
                    results.setdefault(f"bare Bolt app, {mode} mode", {})[concurrency] = percentiles(samples)
    standin.stop()
    console.print(f"failed lazy runs (no views.open within {LAZY_DEADLINE:.0f} s): {failed_lazy}")
    return results


def report(console: Console, results: dict[str, dict[int, tuple[float, float, float]]]) -> None:
    inline = results["bare Bolt app, inline mode"]
    table = Table(title="ack latency through gunicorn (ms); ratios against the bare inline app")
    table.add_column("what")
    for concurrency in CONCURRENCY:
        table.add_column(f"c={concurrency} p50/p99", justify="right")
        table.add_column(f"c={concurrency} ×", justify="right")
    for what, by_concurrency in results.items():
        row = [what]
        for concurrency in CONCURRENCY:
            p50, p99, _ = by_concurrency[concurrency]
            base50, base99, _ = inline[concurrency]
            row += [f"{p50:.1f} / {p99:.1f}", f"{p50 / base50:.1f} / {p99 / base99:.1f}"]
        table.add_row(*row)
    console.print(table)
    ours = results["Tidewater /customer <name> (ack)"]
    worst = max(m for r in results.values() for (_, _, m) in r.values())
    console.print(
        f"goals: /customer p50 at c=1 {ours[1][0]:.1f} ms < 3 ms: {'met' if ours[1][0] < 3 else 'MISSED'}; "
        f"p99 at c=50 {ours[50][1]:.1f} ms ≤ 2 × {inline[50][1]:.1f} ms: "
        f"{'met' if ours[50][1] <= 2 * inline[50][1] else 'MISSED'}; slowest request {worst:.0f} ms "
        f"(< 3000: {'met' if worst < 3000 else 'MISSED'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=300, help="requests per concurrency level")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--installations", type=int, default=0, help="many workspaces: installations stored")
    console = Console()
    report(console, run(parser.parse_args(), console))


if __name__ == "__main__":
    main()
