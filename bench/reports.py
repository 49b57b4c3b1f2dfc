"""The Monday's reports at size: 1,000,000 customers, 5,000,000 orders, 100 managers of 10 reps (the
nightly benchmark's data, `bench.nightly.load`).

Measures, on SQLite and PostgreSQL, in the same run:
- a manager's weekly report, `bot.services.reports.report`, alone (the directory and the settings
  read, then each chart's figures: `/crm report`) and in the weekly run (those read once for the run),
  beside the bare SQL of the same buckets: the same statements of `store.reports`
  executed one after the other in one session, nothing else (ratio printed; goal within 2x);
- each chart's drawing, `bot.views.reports.report_charts` for one report, per chart (goal p99 under
  150 ms);
- the whole Monday: the `reports` job (every manager's and the admin's report drawn and queued with its
  charts, and the champions post) at 09:05 on Monday 30 November 2026 in Asia/Shanghai (goal under
  60 s on PostgreSQL), and that process's peak memory (goal under 500 MB): run in a fresh process, as
  the worker runs it, so the loading does not count;
- the Home's morning for the leads in a fresh process: last week's standings, then every manager's and
  the admin's chart figures read and their charts drawn (the uploads left out).

    python -m bench.reports                                    # SQLite, full size
    python -m bench.reports --customers 20000 --orders 100000  # a quick look
    python -m bench.reports --postgres postgresql://postgres@127.0.0.1:54329/postgres --skip-sqlite
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import time
from dataclasses import replace
from datetime import datetime, timedelta
from multiprocessing.pool import Pool
from zoneinfo import ZoneInfo

from rich.console import Console
from slack_sdk import WebClient

import bot.messaging  # noqa: F401  (the job's messages)
from bench.engines import postgres_database, sqlite_database
from bench.nightly import MANAGERS, TIMEZONE, load, loading_engine
from bench.typeahead import environment, ratio_table
from bot import jobs
from bot.clock import FixedClock
from bot.env import Env
from bot.services import home_charts, reports, standings
from bot.services import settings as settings_service
from bot.services.people import directory
from bot.views import home_reports as home_views
from bot.views import reports as report_views
from store import reports as store
from store.db import upgrade_schema

MONDAY = datetime(2026, 11, 30, 9, 5, tzinfo=ZoneInfo(TIMEZONE))
SAMPLES = 20


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(url: str, name: str, args: argparse.Namespace, console: Console) -> None:
    # The worker's two runs each in a process of its own, started before any data is loaded: Linux
    # carries a process's peak memory (ru_maxrss) over fork and exec, so a child started after the
    # loading would report the loader's.
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(1) as monday, spawn.Pool(1) as home:
        _run(url, name, args, console, monday, home)


def _run(url: str, name: str, args: argparse.Namespace, console: Console, monday: Pool, home: Pool) -> None:
    engine = loading_engine(url)
    upgrade_schema(engine)
    load(engine, args.customers, args.orders, console)
    env = replace(environment(url), clock=FixedClock(MONDAY))
    people = directory(env, "T0BENCH")
    managers = [p for p in people.active if p.user_id in MANAGERS][:SAMPLES]
    service, in_run, bare = [], [], []
    within = reports.workspace_of(env, "T0BENCH")
    for manager in managers:
        started = time.perf_counter()
        found = reports.report(env, manager, "week")
        service.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        reports.report(env, manager, "week", within=within)
        in_run.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        _same_statements(env, found)
        bare.append((time.perf_counter() - started) * 1000)
    ratio_table(console, f"a manager's weekly report on {name}", [
        ("the same statements, bare", statistics.median(bare), _p(bare, 0.99)),
        ("reports.report (/crm report)", statistics.median(service), _p(service, 0.99)),
        ("reports.report, in the weekly run", statistics.median(in_run), _p(in_run, 0.99)),
    ])  # fmt: skip
    drawing = []
    for manager in managers[:5]:
        started = time.perf_counter()
        drawn = report_views.report_charts(manager.lang, reports.report(env, manager, "week"))
        drawing.append((time.perf_counter() - started) * 1000 / max(1, len(drawn)))
    console.print(
        f"  a chart drawn: p50 {statistics.median(drawing):.0f} ms, p99 {_p(drawing, 0.99):.0f} ms (goal 150)"
    )
    settings_service.save(env, people.admins[0], {"champions_channel": "C0WINS"})
    summary, whole, peak = monday.apply(_whole_monday, (url,))
    console.print(
        f"  the whole Monday ({summary}): {whole:.1f} s (goal 60 on PostgreSQL); "
        f"the worker's peak memory {peak:.0f} MB (goal 500)"
    )
    leads, charts_drawn, seconds, peak = home.apply(_home_charts, (url,))
    console.print(
        f"  the Home's charts of the morning, every lead's figures read and drawn (no upload): {leads} "
        f"leads, {charts_drawn} charts, {seconds:.1f} s; peak memory {peak:.0f} MB"
    )


def _whole_monday(url: str) -> tuple[str, float, float]:
    """The `reports` job at 09:05 on the Monday: its summary, seconds, and the process's peak MB."""
    env = replace(environment(url), clock=FixedClock(MONDAY))
    started = time.perf_counter()
    summary = jobs.run_job("reports", env, WebClient(token="xoxb-bench", base_url="http://127.0.0.1:9/"))
    whole = time.perf_counter() - started
    return summary, whole, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _home_charts(url: str) -> tuple[int, int, float, float]:
    """What the Home's morning adds for the leads: last week's standings, then each lead's figures and
    charts (the uploads, one request each to Slack, left out)."""
    env = replace(environment(url), clock=FixedClock(MONDAY))
    started = time.perf_counter()
    standings.ensure_standings(env, "T0BENCH")
    within = reports.workspace_of(env, "T0BENCH")
    leads = [p for p in within.people.active if home_charts.leads(within, p)]
    drawn = sum(len(home_views.lead_charts(p.lang, home_charts.lead_figures(env, p, within))) for p in leads)
    seconds = time.perf_counter() - started
    return len(leads), drawn, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _same_statements(env: Env, found: reports.Report) -> None:
    """What `reports.report` reads, as its statements alone."""
    tz = ZoneInfo(TIMEZONE)
    period, people = found.period, found.scope.people
    start = datetime.combine(period.first_day, datetime.min.time(), tzinfo=tz)
    end = start + timedelta(days=7)
    starts = [datetime.combine(day, datetime.min.time(), tzinfo=tz) for day in found.flow_weeks]
    with env.db.session() as session:
        ws = "T0BENCH"
        store.visits_per_rep(
            session=session,
            workspace_id=ws,
            reps=list(people or []),
            first_day=period.first_day,
            last_day=period.last_day,
        )
        store.pool_flow(session=session, workspace_id=ws, people=people, starts=starts)
        store.revenue_per_week(session=session, workspace_id=ws, owners=people, starts=found.revenue_weeks)
        store.stages_now(session=session, workspace_id=ws, owners=people)
        store.bands_now(session=session, workspace_id=ws, owners=people)
        store.bands_at(session=session, workspace_id=ws, owners=people, at=end - timedelta(days=30))
        store.complaints_between(session=session, workspace_id=ws, assignees=people, start=start, end=end)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    console = Console(width=max(Console().width, 120))
    if not args.skip_sqlite:
        with sqlite_database() as url:
            run(url, "SQLite", args, console)
    if args.postgres:
        with postgres_database(args.postgres) as url:
            run(url, "PostgreSQL", args, console)


if __name__ == "__main__":
    main()
