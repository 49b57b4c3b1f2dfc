"""`python -m bot workspace list|export|delete`: the workspaces one installation serves, a workspace's
every row exported, and a workspace deleted (asked to confirm, exported first, every row in one
transaction, then what went said table by table)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.config import Settings
from store.db import Database

Ask = Callable[[str], str]


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("workspace", help="list the workspaces, export one, or delete one")
    parser.add_argument("action", choices=["list", "export", "delete"])
    parser.add_argument("--team", help="the Slack workspace id (T…) to export or delete")
    parser.add_argument("--out", type=Path, help="the folder to export into (default: workspace-<id>-<time>)")
    parser.add_argument(
        "--yes", action="store_true", help="delete without asking (the export still comes first)"
    )


def run(settings: Settings, args: argparse.Namespace, ask: Ask = input) -> int:
    from bot.clock import SystemClock
    from bot.env import Env
    from bot.services import workspaces

    env = Env(db=Database.from_url(settings.sqlalchemy_url), clock=SystemClock(), settings=settings)
    try:
        if args.action == "list":
            return _list(workspaces.list_workspaces(env))
        if not args.team or not workspaces.known(env, args.team):
            print(
                f"Nothing was done: name a workspace this database holds with --team (found {args.team!r}).",
                file=sys.stderr,
            )
            return 1
        folder = args.out or Path(f"workspace-{args.team}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        if args.action == "delete" and not args.yes and ask(_question(args.team)).strip() != args.team:
            print("Nothing was done: the answer was not the workspace's id.", file=sys.stderr)
            return 1
        written = workspaces.export_workspace(env, args.team, folder)
        print(f"Exported {sum(written.values()):,} rows of {args.team} to {folder}: {_counts(written)}.")
        if args.action == "delete":
            gone = workspaces.delete_workspace(env, args.team)
            print(f"Deleted workspace {args.team}, in one transaction: {_counts(gone)}.")
        return 0
    finally:
        env.db.engine.dispose()


def _question(team: str) -> str:
    return (
        f"This deletes every row of workspace {team}: its people, customers, visits, orders, complaints, "
        f"settings, messages and installation (exported first). Type {team} to go on: "
    )


def _list(lines: list[Any]) -> int:
    if not lines:
        print("No workspace yet: the first request from Slack records its workspace.")
    for line in lines:
        installed = "" if line.installed is None else (", installed" if line.installed else ", not installed")
        state = "active" if line.active else "resting (uninstalled)"
        print(
            f"{line.id}  {line.name or '—'}  {state}{installed}  {line.people} people, {line.customers:,} customers"
        )
    return 0


def _counts(per_table: dict[str, int]) -> str:
    return ", ".join(f"{table} {count:,}" for table, count in per_table.items()) or "nothing"
