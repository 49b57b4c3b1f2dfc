"""One command line: `python -m bot serve|worker|jobs run|db upgrade|import|export|backup|restore|try`."""

from __future__ import annotations

import argparse
import logging
import math
import os
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from bot import data_commands, logs, workspace_commands
from bot.config import ConfigError, Settings
from bot.startup import upgrade as _upgrade
from bot.startup import upgrade_embedded as _upgrade_embedded
from bot.stopping import cut_off_after
from store.db import Database


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise SystemExit(f"Tidewater cannot start: the settings are not valid.\n{error}") from None


def _status(settings: Settings) -> int:
    """0 when ready, 1 when not (for scripts), after showing why."""
    from datetime import UTC

    from rich.console import Console

    from bot import status

    db = Database.from_url(settings.sqlalchemy_url)
    try:
        return 0 if status.show(db, datetime.now(UTC), Console(highlight=False)) else 1
    finally:
        db.engine.dispose()


def _run_job(settings: Settings, name: str, at: str | None, team: str | None = None) -> str:
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
    if team and name in jobs.INSTALLATION_WIDE:
        raise SystemExit(f"The {name} job works on the whole installation: run it without --team.")
    _upgrade_embedded(settings)
    db = Database.from_url(settings.sqlalchemy_url)
    if team and not _known_workspace(db, team):
        raise SystemExit(f"No workspace {team!r} here: `python -m bot workspace list` shows them.")
    env = Env(db=db, clock=clock, settings=settings, only_workspace=team or None)
    client = jobs.outbox_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    return f"{name}{f' in {team}' if team else ''}: {jobs.run_job(name, env, client)}"


def _known_workspace(db: Database, team: str) -> bool:
    from store import people as people_store

    with db.session() as session:
        return people_store.get_workspace(session=session, workspace_id=team) is not None


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
    parent = os.getpid()
    try:
        if settings.slack_app_token and settings.slack_app_token.get_secret_value():
            _serve_socket_mode(settings)
        else:
            _serve_http(port=port, workers=workers, threads=threads, stop_seconds=settings.stop_seconds)
    finally:
        # gunicorn's web processes are forks of this one and leave through here too: only the parent
        # owns the worker.
        if worker is not None and os.getpid() == parent:
            _stop_worker(worker, settings.stop_seconds + WORKER_STOP_MARGIN)


WORKER_STOP_MARGIN = 5  # the worker ends itself at STOP_SECONDS; killed only if even that fails


def _start_worker() -> subprocess.Popen[bytes]:
    """`python -m bot worker` beside the web process, with the same settings. It leads the workers, or
    stands by if a leader runs elsewhere (bot/leader.py), so a second one is harmless."""
    logging.getLogger("tidewater").info("starting the worker beside the web process")
    return subprocess.Popen([sys.executable, "-m", "bot", "worker"])


def _stop_worker(worker: subprocess.Popen[bytes], seconds: float) -> None:
    if worker.poll() is None:
        worker.terminate()
    try:
        worker.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _playground_instead() -> None:
    """No Slack secrets at all: a newcomer's first run. The playground shows the bot working (half a
    configuration still stops with what is missing)."""
    from bot.playground import cli

    raise SystemExit(cli.run(notice=cli.no_secrets_notice()))


def _serve_socket_mode(settings: Settings) -> None:
    """Socket Mode until Ctrl-C or SIGTERM; then no new event is taken and the lazy listeners running
    have STOP_SECONDS to finish (bot/stopping.py)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import build_app

    lazy = ThreadPoolExecutor(max_workers=settings.lazy_threads, thread_name_prefix="lazy")
    app = build_app(settings, Database.from_url(settings.sqlalchemy_url), executor=lazy)
    assert settings.slack_app_token is not None
    logging.getLogger("tidewater").info("connecting to Slack in Socket Mode")
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        handler.start()  # type: ignore[no-untyped-call]  # Bolt leaves this one unannotated
    except KeyboardInterrupt:
        cut_off_after(settings.stop_seconds, "Socket Mode")
        handler.close()  # type: ignore[no-untyped-call]
        lazy.shutdown(wait=True)


def _interrupt(*_: object) -> None:
    """SIGTERM stops Socket Mode as Ctrl-C does."""
    raise KeyboardInterrupt


def _metrics_folder() -> None:
    """Where the web processes keep their counts for /metrics to sum (prometheus-client's multiprocess
    mode): PROMETHEUS_MULTIPROC_DIR if given, emptied of an earlier run's files, else a fresh folder.
    Set before any process imports the client, which reads it once."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not given:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tidewater-metrics-")
        return
    for stale in Path(given).glob("*.db"):
        stale.unlink()


def _forget_process(_server: object, worker: Any) -> None:
    """gunicorn's child_exit: a web process that ended stops counting in the live figures."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]  # unannotated upstream


def _serve_http(*, port: int, workers: int, threads: int, stop_seconds: float) -> None:
    from gunicorn.app.base import BaseApplication

    _metrics_folder()

    class Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"0.0.0.0:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": "-",
                "timeout": 60,
                # SIGTERM: requests and lazy listeners in flight get this long, then the process is
                # killed (bot/stopping.py says why nothing is half done).
                "graceful_timeout": math.ceil(stop_seconds),  # gunicorn takes whole seconds
                # gunicorn's control socket sits at one fixed path per user: two bots on one
                # machine (or the tests beside a running bot) would fight over it.
                "control_socket_disable": True,
                "child_exit": _forget_process,
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
    commands.add_parser("status", help="show whether the bot can work: readiness, the leader, the outbox")
    commands.add_parser("worker", help="run the scheduler (any number: one leads, the others stand by)")
    jobs_parser = commands.add_parser("jobs", help="run a scheduled job now")
    jobs_parser.add_argument("action", choices=["run"])
    jobs_parser.add_argument("name", help="the job: outbox")
    jobs_parser.add_argument("--at", help="run as if the clock said this ISO time (with its zone)")
    jobs_parser.add_argument(
        "--team", help="only this workspace (its id, T...); the job speaks with its own token"
    )
    db_parser = commands.add_parser("db", help="database maintenance")
    db_parser.add_argument("action", choices=["upgrade", "revision"])
    db_parser.add_argument("-m", "--message", help="with revision: what the new migration does")
    data_commands.add_parsers(commands)
    workspace_commands.add_parser(commands)
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
    elif args.command == "status":
        raise SystemExit(_status(settings))
    elif args.command == "worker":
        from bot.worker import run_worker

        _upgrade_embedded(settings)  # stops with a message, not a traceback, if the upgrade fails
        run_worker(settings)
    elif args.command == "jobs":
        print(_run_job(settings, args.name, args.at, args.team))
    elif args.command == "restore":
        raise SystemExit(data_commands.restore(settings, args.file))
    elif args.command == "workspace":
        _upgrade_embedded(settings)
        raise SystemExit(workspace_commands.run(settings, args))
    elif args.command in ("import", "export", "backup"):
        raise SystemExit(data_commands.run(settings, args))
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
