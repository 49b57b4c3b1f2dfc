"""`python -m bot status`: the installation's health for a person at a terminal — ready or not and why,
who leads the workers, the outbox's figures, and the latest messages Slack refused."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.console import Console
from rich.table import Table

from bot import health
from store import health as health_store
from store import leases
from store.db import Database
from store.models import WorkerLease

REFUSALS_SHOWN = 10


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
    out.print(_overview(lease, figures, now))
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
