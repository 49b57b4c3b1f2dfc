"""Exporting a workspace's rows as CSV, backing up the SQLite database, and choosing the workspace a
command works on."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import TextIO

import sqlalchemy as sa

from bot.env import Env
from bot.rules import csv_rows, money
from bot.rules.calendar import zone
from bot.services.bulk_run import (
    BulkError,
)
from store import bulk as store
from store import leases
from store.models import Workspace

# The columns of each export: header, or header=column where the row names it otherwise. The headers
# an import reads are the import's own field names, so an export reads back in.
_EXPORTS = {
    "customers": "id name contact_person phone email region industry products tags source level "
    "owner=owner_id owner_name stage owned_since pool_since last_visit_on next_follow_up dealt_at "
    "first_order_on last_order_on order_count last_satisfaction created_at",
    "orders": "id customer_id customer amount currency rate amount_base date=ordered_on product "
    "author=author_id created_at",
    "visits": "id customer_id customer author=author_id kind date=visited_on note satisfaction "
    "next_follow_up created_at",
    "contacts": "id customer_id customer name title phone email primary=is_primary note created_at updated_at",
    "complaints": "id customer_id customer category severity status assignee=assignee_id filed_by filed_at "
    "description contact_channel acknowledged_at resolved_at resolved_by resolution closed_at satisfaction",
    "opportunities": "number=id customer_id customer title amount currency rate amount_base stage probability "
    "expected_close=expected_close_on products next_step owner=owner_id lost_reason=lost_reason_key "
    "lost_note=lost_reason order_id created_by created_at stage_since closed_at",
}


def _amounts(row: sa.RowMapping, base_currency: str) -> dict[str, str]:
    return {
        "amount": money.plain_amount(row["amount_minor"], row["currency"]),
        "amount_base": money.plain_amount(row["amount_base_minor"], base_currency),
    }


def export(env: Env, what: str, out: TextIO, *, workspace: Workspace) -> int:
    """Write the workspace's customers, visits, orders, complaints, contacts or opportunities to `out`
    as CSV, streaming;
    times in the workspace's zone. Returns the number of rows."""
    columns = [spec.partition("=") for spec in _EXPORTS[what].split()]
    writer = csv.writer(out)
    writer.writerow([header for header, _, _ in columns])
    timezone, count = zone(workspace.timezone), 0
    with env.db.engine.connect() as connection:
        for row in store.stream_rows(connection=connection, what=what, workspace_id=workspace.id):
            values = (
                {**row, **_amounts(row, workspace.currency)} if what in ("orders", "opportunities") else row
            )
            writer.writerow(
                [csv_rows.format_cell(values[source or header], timezone) for header, _, source in columns]
            )
            count += 1
    return count


def backup(env: Env, target: Path) -> int:
    """Copy the embedded SQLite database to `target` while the bot runs; the copy's size in bytes."""
    source = _embedded_file(
        env,
        doing="backup copies",
        instead='use pg_dump (e.g. pg_dump --format=custom --file=tidewater.dump "$DATABASE_URL")',
        missing="to back up",
    )
    target = target.expanduser().resolve()
    if (
        target.name in {source.name, f"{source.name}-wal", f"{source.name}-shm"}
        and target.parent == source.parent
    ):
        raise BulkError(f"{target} is the database itself: choose another file")
    if not target.parent.is_dir():
        raise BulkError(f"there is no folder {target.parent}")
    if target.is_dir():
        raise BulkError(f"{target} is a folder: name the file to write")
    store.backup_sqlite(engine=env.db.engine, target=target)
    return target.stat().st_size


def workspace_for(env: Env, team: str | None) -> Workspace:
    """The workspace named by --team, or the only one; BulkError listing them otherwise."""
    with env.db.session() as session:
        workspaces = list(store.list_workspaces(session=session))
    listed = ", ".join(f"{w.id} ({w.name})" if w.name else w.id for w in workspaces)
    if team:
        for workspace in workspaces:
            if workspace.id == team.strip().upper():
                return workspace
        raise BulkError(f"there is no workspace {team}; workspaces here: {listed or 'none'}")
    if not workspaces:
        raise BulkError(
            "there is no workspace in this database yet: the bot records its workspace when someone first "
            "uses it in Slack. Import and export act on DATABASE_URL (by default tidewater.db in this folder); "
            "on a fresh clone, start the bot and use any command once, then import"
        )
    if len(workspaces) > 1:
        raise BulkError(f"there are {len(workspaces)} workspaces: choose one with --team ({listed})")
    return workspaces[0]


def restore(env: Env, source: Path, now: datetime) -> Path | None:
    """Put the backup `source` in place of the embedded database (the bot stopped): where the database
    it replaced went (None: there was none). The caller upgrades the restored schema if it is older."""
    target = _restorable(env, source)
    _refuse_while_a_worker_leads(env, now)
    aside = target.with_name(f"{target.name}.before-restore-{now:%Y%m%dT%H%M%S}.bak")
    had_one = target.exists()
    env.db.engine.dispose()  # no connection of ours stays on the file being replaced
    store.restore_sqlite(source=source.resolve(), target=target, aside=aside)
    return aside if had_one else None


def _restorable(env: Env, source: Path) -> Path:
    instead = 'use pg_restore (e.g. pg_restore --clean --if-exists --no-owner --dbname "$DATABASE_URL" tidewater.dump)'
    target = _embedded_file(env, doing="restore replaces", instead=instead, missing="to restore into")
    if not source.is_file():
        raise BulkError(f"there is no file {source}")
    if store.backup_revision(source) is None:
        raise BulkError(f"{source} is not a backup of this bot's database")
    return target


def _refuse_while_a_worker_leads(env: Env, now: datetime) -> None:
    with env.db.connection() as connection:
        lease = leases.leader(connection)
    if lease is not None and lease.expires_at > now:
        raise BulkError(f"a worker is running on this database ({lease.holder}): stop the bot first")


def _embedded_file(env: Env, *, doing: str, instead: str, missing: str) -> Path:
    """The embedded SQLite database's file, or why what is `doing` it cannot be done here."""
    if not env.db.is_sqlite:
        raise BulkError(f"{doing} the embedded SQLite database; this one is PostgreSQL: {instead}")
    found = store.sqlite_file(env.db.engine)
    if found is None:
        raise BulkError(f"the database lives in memory: there is no file {missing}")
    return found
