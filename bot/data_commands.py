"""The data commands: `import`, `export`, `backup` and `restore`. Each prints what it did, or why it did
nothing (exit status 1)."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.config import Settings
from bot.startup import upgrade_embedded as _upgrade_embedded
from store.db import Database

if TYPE_CHECKING:  # annotations only: the commands load these when they run
    from rich.console import Console

    from bot.env import Env
    from bot.services.bulk import ImportReport
    from store.models import Workspace


def add_parsers(commands: Any) -> None:
    from bot.rules.csv_rows import EXPORTS, KINDS, ON_DUPLICATE

    team = {"help": "the Slack workspace id (T…); needed when the database holds several"}
    importer = commands.add_parser(
        "import", help="import customers, orders, visits, contacts or opportunities from a CSV file"
    )
    importer.add_argument("what", choices=KINDS, help="what the file holds")
    importer.add_argument(
        "file", type=Path, help="a CSV file: a header line (English or Chinese), then a line each"
    )
    importer.add_argument("--dry-run", action="store_true", help="check every line and report; write nothing")
    importer.add_argument("--strict", action="store_true", help="write nothing if any line is rejected")
    importer.add_argument(
        "--on-duplicate",
        choices=ON_DUPLICATE,
        default="skip",
        help="a customer already there (same name or phone): skip the line, or fill its empty fields "
        "(other kinds: a duplicate is always skipped)",
    )
    importer.add_argument("--report", type=Path, help="also write the lines not imported to this CSV file")
    importer.add_argument(
        "--encoding", help="the file's encoding (default: UTF-8, with or without BOM, else GB18030)"
    )
    importer.add_argument("--team", **team)
    exporter = commands.add_parser(
        "export", help="write customers, visits, orders, complaints, contacts or opportunities as CSV"
    )
    exporter.add_argument("what", choices=EXPORTS, help="what to write")
    exporter.add_argument("--out", type=Path, help="the CSV file to write (default: standard output)")
    exporter.add_argument("--team", **team)
    backup = commands.add_parser("backup", help="copy the embedded SQLite database, even while the bot runs")
    backup.add_argument("file", type=Path, help="the copy to write (replaced if it exists)")
    restore = commands.add_parser("restore", help="put a backup in place of the embedded SQLite database")
    restore.add_argument("file", type=Path, help="a copy written by backup (the bot stopped meanwhile)")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """import, export and backup: each prints what it did, or why it did nothing (exit status 1)."""
    from bot.clock import SystemClock
    from bot.env import Env
    from bot.services import bulk

    if args.command != "backup":
        _upgrade_embedded(settings)  # a backup copies the database as it is, before any upgrade
    env = Env(db=Database.from_url(settings.sqlalchemy_url), clock=SystemClock(), settings=settings)
    try:
        if args.command == "backup":
            size = bulk.backup(env, args.file)
            print(f"Backed up the database to {args.file} ({size / 1e6:,.1f} MB), a consistent copy.")
            return 0
        workspace = bulk.workspace_for(env, args.team)
        return _import(env, workspace, args) if args.command == "import" else _export(env, workspace, args)
    except bulk.BulkError as error:
        print(f"Nothing was done: {error}.", file=sys.stderr)
        return 1
    finally:
        env.db.engine.dispose()


def restore(settings: Settings, source: Path) -> int:
    """restore: the backup in place, the database it replaced kept aside, then upgraded if older."""
    from bot.clock import SystemClock
    from bot.env import Env
    from bot.services import bulk

    env = Env(db=Database.from_url(settings.sqlalchemy_url), clock=SystemClock(), settings=settings)
    try:
        aside = bulk.restore(env, source, env.clock.now())
    except bulk.BulkError as error:
        print(f"Nothing was done: {error}.", file=sys.stderr)
        return 1
    finally:
        env.db.engine.dispose()
    _upgrade_embedded(settings)
    kept = f" The database it replaced is in {aside}." if aside else ""
    print(f"Restored the database from {source}.{kept} Start the bot again.")
    return 0


def _import(env: Env, workspace: Workspace, args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from bot.services import bulk

    out = Console(highlight=False, markup=False, soft_wrap=True)
    out.print(f"Importing {args.what} from {args.file} into workspace {workspace.id}.")
    if env.db.is_sqlite:
        out.print(
            "SQLite: the import is one transaction holding the database's write lock until it commits, "
            "so the running bot's writes wait meanwhile (each gives up after 5 s). "
            "Import large files while the bot is quiet."
        )
    options = bulk.ImportOptions(
        dry_run=args.dry_run, strict=args.strict, on_duplicate=args.on_duplicate, encoding=args.encoding
    )
    columns = (*Progress.get_default_columns()[:1], BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(args.what, total=None)
        report = bulk.import_file(
            env,
            args.what,
            args.file,
            workspace=workspace,
            options=options,
            progress=lambda done, size: bar.update(task, completed=done, total=size),
        )
    _print_report(out, report, args.dry_run)
    if args.report:
        _write_report(args.report, report)
        out.print(f"The report is in {args.report}.")
    return 0 if report.committed or (args.dry_run and not report.aborted) else 1


def _print_report(out: Console, report: ImportReport, dry_run: bool) -> None:
    for outcome in report.outcomes:
        out.print(f"line {outcome.line}: {outcome.status}: {outcome.reason}")
    if report.ignored_columns:
        out.print(f"Columns not imported: {', '.join(report.ignored_columns)}.")
    out.print(
        f"{report.lines:,} lines ({report.encoding}): {report.added:,} added, {report.count('merged'):,} merged, "
        f"{report.count('duplicate'):,} duplicates skipped, {report.count('rejected'):,} rejected."
    )
    if report.aborted:
        out.print(f"Nothing was written: {report.aborted}.")
    elif dry_run:
        out.print("Dry run: nothing was written.")
    else:
        out.print("All written, in one transaction.")


def _write_report(path: Path, report: ImportReport) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:  # the BOM: spreadsheets read it as UTF-8
        writer = csv.writer(file)
        writer.writerow(["line", "status", "reason"])
        writer.writerows([outcome.line, outcome.status, outcome.reason] for outcome in report.outcomes)


def _open_out(path: Path) -> TextIO:
    """The export's file, or BulkError saying why it cannot be written (before anything is read)."""
    from bot.services.bulk import BulkError

    if path.is_dir():
        raise BulkError(f"{path} is a folder: give a file name, such as {path / 'customers.csv'}")
    if not path.parent.is_dir():
        raise BulkError(
            f"the folder {path.parent} does not exist: create it, or give a file in another folder"
        )
    try:
        return path.open("w", encoding="utf-8-sig", newline="")
    except OSError as error:
        raise BulkError(f"cannot write {path}: {error.strerror}") from None


def _export(env: Env, workspace: Workspace, args: argparse.Namespace) -> int:
    from bot.services import bulk

    # UTF-8 with a BOM: what spreadsheet tools need to read Chinese from a CSV file correctly.
    if args.out:
        file = _open_out(args.out)
        with file:
            count = bulk.export(env, args.what, file, workspace=workspace)
    else:
        stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8-sig", newline="")
        try:
            count = bulk.export(env, args.what, stdout, workspace=workspace)
        finally:
            stdout.flush()
            stdout.detach()  # sys.stdout stays open for what follows
    print(f"Exported {count:,} {args.what} of workspace {workspace.id}.", file=sys.stderr)
    return 0
