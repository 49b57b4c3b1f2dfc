"""`python -m bot status`: the installation's health for a person at a terminal — ready or not and why,
who leads the workers, the outbox's figures, each job's latest run and what it counted in each workspace,
and the latest messages Slack refused."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot import health
from store import health as health_store
from store import job_runs, leases
from store.db import Database
from store.models import JobRun, WorkerLease

REFUSALS_SHOWN = 10
COUNTS_SHOWN = 20  # workspaces' rows of counts: the busiest first


def show(db: Database, now: datetime, out: Console) -> bool:
    """Print the status; True when the installation is ready."""
    readiness = health.readiness(db, now)
    out.print("[bold]Ready[/bold]" if readiness.ready else "[bold red]Not ready[/bold red]")
    for problem in readiness.problems:
        out.print(f"  {problem}", markup=False)
    if not readiness.schema_current:
        return False  # nothing else to read until the database answers with this release's tables
    with db.engine.connect() as connection:
        lease = leases.leader(connection)
        figures = health_store.outbox_figures(connection, since=now - timedelta(days=1))
        refusals = health_store.latest_refusals(connection, limit=REFUSALS_SHOWN)
        runs, counts = job_runs.latest_runs(connection), job_runs.latest_counts(connection)
    out.print(_overview(lease, figures, now))
    out.print(_jobs(runs, now))
    if any(count.value for count in counts):
        out.print(_counted(counts))
    if refusals:
        out.print(_refusals(refusals))
    return readiness.ready


def _overview(lease: WorkerLease | None, figures: health_store.OutboxFigures, now: datetime) -> Table:
    table = Table("what", "now", title="Workers and the outbox", title_justify="left")
    if lease is None:
        table.add_row("leader", "none has led yet")
    else:
        table.add_row("leader", f"{lease.holder}, heartbeat {_ago(now - lease.renewed_at)}")
    oldest = "-" if figures.oldest_pending_at is None else _ago(now - figures.oldest_pending_at)
    table.add_row("messages waiting", f"{figures.pending:,} (oldest queued {oldest})")
    table.add_row("of them retrying", f"{figures.retrying:,}")
    table.add_row("sent in the last 24 h", f"{figures.sent_since:,}")
    table.add_row("refused by Slack", f"{figures.refused:,}")
    return table


def _jobs(runs: list[JobRun], now: datetime) -> Table:
    table = Table("job", "last run", "took", "outcome", "did", title="Jobs", title_justify="left")
    if not runs:
        table.add_row("-", "no job has run yet", "", "", "")
    for run in runs:
        outcome = "ok" if run.succeeded else f"[red]failed[/red] (last ok {_when(run.succeeded_at, now)})"
        did = run.summary if run.succeeded else (run.error or "")
        table.add_row(run.job, _ago(now - run.started_at), f"{run.seconds:.2f} s", outcome, escape(did))
    return table


def _counted(counts: list[job_runs.Count]) -> Table:
    """What the latest runs counted, a row per job and workspace that counted something, busiest first."""
    rows: dict[tuple[str, str], list[job_runs.Count]] = {}
    for count in counts:
        if count.value:
            rows.setdefault((count.workspace_id, count.job), []).append(count)
    busiest = sorted(rows.items(), key=lambda row: -sum(count.value for count in row[1]))
    table = Table("workspace", "job", "counted", title="What the latest runs counted", title_justify="left")
    for (workspace_id, job), named in busiest[:COUNTS_SHOWN]:
        table.add_row(workspace_id or "(all)", job, ", ".join(f"{c.name} {c.value:,}" for c in named))
    if len(rows) > COUNTS_SHOWN:
        table.add_row("…", "", f"and {len(rows) - COUNTS_SHOWN} more")
    return table


def _when(then: datetime | None, now: datetime) -> str:
    return "never" if then is None else _ago(now - then)


def _refusals(refusals: list[health_store.Refusal]) -> Table:
    table = Table("workspace", "kind", "to", "Slack said", "queued", title="Latest refused messages")
    for one in refusals:
        table.add_row(
            one.workspace_id, one.kind, one.channel, one.error, one.queued_at.strftime("%Y-%m-%d %H:%M UTC")
        )
    return table


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"
