"""One command line: `python -m bot serve|worker|jobs run|db upgrade|import|export|backup|restore|try`."""

from __future__ import annotations

import argparse
import csv
import io
import logging
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import logs
from bot.config import ConfigError, Settings
from store.db import Database, UpgradeFailed

if TYPE_CHECKING:  # annotations only: the bulk commands load these when they run
    from rich.console import Console

    from bot.env import Env
    from bot.services.bulk import ImportReport
    from store.models import Workspace


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise SystemExit(f"Tidewater cannot start: the settings are not valid.\n{error}") from None


def _upgrade_embedded(settings: Settings) -> None:
    """SQLite databases are upgraded on start; PostgreSQL takes `python -m bot db upgrade`."""
    _upgrade(settings, lead="Tidewater cannot start: ", sqlite_only=True)


def _upgrade(settings: Settings, *, lead: str, sqlite_only: bool) -> None:
    """Upgrade the schema, or stop with what failed, where the copy is, and how to report it."""
    db = Database.from_url(settings.sqlalchemy_url)
    try:
        if db.is_sqlite or not sqlite_only:
            db.upgrade()
    except UpgradeFailed as failure:
        raise SystemExit(lead + _upgrade_failed(failure)) from None
    finally:
        db.engine.dispose()


def _upgrade_failed(failure: UpgradeFailed) -> str:
    where = f" {failure.database}" if failure.database else ""
    copy = f" A copy made before the upgrade is in {failure.backup}." if failure.backup else ""
    return (
        f"upgrading the database{where} from schema {failure.current} to {failure.newest} failed: "
        f"{failure.reason}.\nThe database was left as it was (the upgrade is one transaction).{copy}\n"
        "To report it, send this message and the log lines above it to whoever runs Tidewater."
    )


def _run_job(settings: Settings, name: str, at: str | None) -> str:
    from bot import jobs
    from bot.clock import FixedClock, SystemClock
    from bot.env import Env

    if name not in jobs.JOBS:
        raise SystemExit(f"No job called {name!r}. Jobs: {', '.join(sorted(jobs.JOBS))}")
    try:
        clock = FixedClock(datetime.fromisoformat(at)) if at else SystemClock()
    except ValueError as error:  # not ISO, or without a zone
        raise SystemExit(
            f"--at needs an ISO time with its zone, e.g. 2026-12-01T09:00+08:00 ({error})"
        ) from None
    _upgrade_embedded(settings)
    env = Env(db=Database.from_url(settings.sqlalchemy_url), clock=clock, settings=settings)
    client = jobs.outbox_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    return f"{name}: {jobs.run_job(name, env, client)}"


def serve(settings: Settings, *, port: int, workers: int, threads: int, web_only: bool = False) -> None:
    """The web process (HTTP or Socket Mode) and, unless `web_only`, a worker beside it, so that one
    command runs the whole bot; the worker stops when the web process does."""
    if (
        not settings.slack_bot_token.get_secret_value()
        and not settings.slack_signing_secret.get_secret_value()
    ):
        _playground_instead()
    try:
        settings.require_slack_secrets()
    except ConfigError as error:
        raise SystemExit(str(error)) from None
    _upgrade_embedded(settings)
    worker = None if web_only else _start_worker()
    try:
        if settings.slack_app_token and settings.slack_app_token.get_secret_value():
            _serve_socket_mode(settings)
        else:
            _serve_http(port=port, workers=workers, threads=threads)
    finally:
        if worker is not None:
            _stop_worker(worker)


WORKER_STOP_SECONDS = 30  # a job running when asked to stop finishes first; past this it is killed


def _start_worker() -> subprocess.Popen[bytes]:
    """`python -m bot worker` beside the web process, with the same settings. It leads the workers, or
    stands by if a leader runs elsewhere (bot/leader.py), so a second one is harmless."""
    logging.getLogger("tidewater").info("starting the worker beside the web process")
    return subprocess.Popen([sys.executable, "-m", "bot", "worker"])


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _playground_instead() -> None:
    """No Slack secrets at all: a newcomer's first run. The playground shows the bot working (half a
    configuration still stops with what is missing)."""
    from bot.playground import cli

    raise SystemExit(cli.run(notice=cli.no_secrets_notice()))


def _serve_socket_mode(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import build_app

    app = build_app(settings, Database.from_url(settings.sqlalchemy_url))
    assert settings.slack_app_token is not None
    logging.getLogger("tidewater").info("connecting to Slack in Socket Mode")
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    handler.start()  # type: ignore[no-untyped-call]  # Bolt leaves this one unannotated


def _serve_http(*, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"0.0.0.0:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": "-",
                "timeout": 60,
                # gunicorn's control socket sits at one fixed path per user: two bots on one
                # machine (or the tests beside a running bot) would fight over it.
                "control_socket_disable": True,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from bot.web import create_application

            return create_application()

    logging.getLogger("tidewater").info("listening on http://0.0.0.0:%s/slack/events", port)
    Gunicorn().run()


def _new_revision(settings: Settings, message: str) -> None:
    """Autogenerate the next migration from the models (for developers; review it before committing)."""
    from alembic import command

    from store.db import alembic_config

    if not message:
        raise SystemExit("Say what the migration does: python -m bot db revision -m 'add the pool settings'")
    db = Database.from_url(settings.sqlalchemy_url)
    db.upgrade()
    command.revision(alembic_config(db.engine), message=message, autogenerate=True)


def _bulk_parsers(commands: Any) -> None:
    from bot.rules.csv_rows import EXPORTS, KINDS, ON_DUPLICATE

    team = {"help": "the Slack workspace id (T…); needed when the database holds several"}
    importer = commands.add_parser("import", help="import customers, orders or visits from a CSV file")
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
        help="a customer already there (same name or phone): skip the line, or fill its empty fields",
    )
    importer.add_argument("--report", type=Path, help="also write the lines not imported to this CSV file")
    importer.add_argument(
        "--encoding", help="the file's encoding (default: UTF-8, with or without BOM, else GB18030)"
    )
    importer.add_argument("--team", **team)
    exporter = commands.add_parser("export", help="write customers, visits, orders or complaints as CSV")
    exporter.add_argument("what", choices=EXPORTS, help="what to write")
    exporter.add_argument("--out", type=Path, help="the CSV file to write (default: standard output)")
    exporter.add_argument("--team", **team)
    backup = commands.add_parser("backup", help="copy the embedded SQLite database, even while the bot runs")
    backup.add_argument("file", type=Path, help="the copy to write (replaced if it exists)")
    restore = commands.add_parser("restore", help="put a backup in place of the embedded SQLite database")
    restore.add_argument("file", type=Path, help="a copy written by backup (the bot stopped meanwhile)")


def _bulk(settings: Settings, args: argparse.Namespace) -> int:
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


def _restore(settings: Settings, source: Path) -> int:
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


def _export(env: Env, workspace: Workspace, args: argparse.Namespace) -> int:
    from bot.services import bulk

    # UTF-8 with a BOM: what spreadsheet tools need to read Chinese from a CSV file correctly.
    if args.out:
        with args.out.open("w", encoding="utf-8-sig", newline="") as file:
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Tidewater, a sales CRM inside Slack.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser(
        "serve", help="run the web process (HTTP on /slack/events, or Socket Mode)"
    )
    serve_parser.add_argument(
        "--port", type=int, default=None, help="port to listen on (default: PORT or 3000)"
    )
    serve_parser.add_argument(
        "--workers", type=int, default=None, help="processes (default: WEB_CONCURRENCY or 2)"
    )
    serve_parser.add_argument(
        "--threads", type=int, default=None, help="threads each (default: WEB_THREADS or 8)"
    )
    serve_parser.add_argument(
        "--web-only", action="store_true", help="no worker beside it (production runs workers of their own)"
    )
    commands.add_parser("worker", help="run the scheduler (any number: one leads, the others stand by)")
    jobs_parser = commands.add_parser("jobs", help="run a scheduled job now")
    jobs_parser.add_argument("action", choices=["run"])
    jobs_parser.add_argument("name", help="the job: outbox")
    jobs_parser.add_argument("--at", help="run as if the clock said this ISO time (with its zone)")
    db_parser = commands.add_parser("db", help="database maintenance")
    db_parser.add_argument("action", choices=["upgrade", "revision"])
    db_parser.add_argument("-m", "--message", help="with revision: what the new migration does")
    _bulk_parsers(commands)
    from bot.playground.cli import add_parser as add_playground_parser

    add_playground_parser(commands)
    return parser


def _run(settings: Settings, args: argparse.Namespace) -> None:
    if args.command == "serve":
        if args.threads:  # the web processes read it from the settings to size their pools
            os.environ["WEB_THREADS"] = str(args.threads)
            settings = settings.model_copy(update={"web_threads": args.threads})
        workers, threads = args.workers or settings.web_concurrency, settings.web_threads
        serve(
            settings,
            port=args.port or settings.port,
            workers=workers,
            threads=threads,
            web_only=args.web_only,
        )
    elif args.command == "worker":
        from bot.worker import run_worker

        _upgrade_embedded(settings)  # stops with a message, not a traceback, if the upgrade fails
        run_worker(settings)
    elif args.command == "jobs":
        print(_run_job(settings, args.name, args.at))
    elif args.command == "restore":
        raise SystemExit(_restore(settings, args.file))
    elif args.command in ("import", "export", "backup"):
        raise SystemExit(_bulk(settings, args))
    elif args.command == "db" and args.action == "revision":
        _new_revision(settings, args.message or "")
    elif args.command == "db":
        _upgrade(settings, lead="", sqlite_only=False)
        print("database is at the newest schema")


def main(argv: list[str] | None = None) -> None:
    logs.configure()
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "try":  # needs no settings: it makes its own
        from bot.playground import cli

        raise SystemExit(cli.main(args))

    settings = _settings()
    logs.configure(settings.log_format, quiet_libraries=args.command not in ("serve", "worker"))
    _run(settings, args)


if __name__ == "__main__":
    main(sys.argv[1:])
