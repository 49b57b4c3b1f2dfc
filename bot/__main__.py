"""One command line: `python -m bot serve|worker|db upgrade`."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime
from typing import Any

from bot.config import ConfigError, Settings
from store.db import Database


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise SystemExit(f"Tidewater cannot start: the settings are not valid.\n{error}") from None


def _upgrade_embedded(settings: Settings) -> None:
    """SQLite databases are upgraded on start; PostgreSQL takes `python -m bot db upgrade`."""
    db = Database.from_url(settings.sqlalchemy_url)
    if db.is_sqlite:
        db.upgrade()
    db.engine.dispose()


def _run_job(settings: Settings, name: str, at: str | None) -> str:
    from bot import jobs
    from bot.clock import FixedClock, SystemClock
    from bot.services.env import Env

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


def serve(settings: Settings, *, port: int, workers: int, threads: int) -> None:
    try:
        settings.require_slack_secrets()
    except ConfigError as error:
        raise SystemExit(str(error)) from None
    _upgrade_embedded(settings)
    if settings.slack_app_token and settings.slack_app_token.get_secret_value():
        _serve_socket_mode(settings)
        return
    _serve_http(port=port, workers=workers, threads=threads)


def _serve_socket_mode(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import build_app

    app = build_app(settings, Database.from_url(settings.sqlalchemy_url))
    assert settings.slack_app_token is not None
    logging.getLogger("tidewater").info("connecting to Slack in Socket Mode")
    SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()


def _serve_http(*, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
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


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(prog="python -m bot", description="Tidewater, a sales CRM inside Slack.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser(
        "serve", help="run the web process (HTTP on /slack/events, or Socket Mode)"
    )
    serve_parser.add_argument(
        "--port", type=int, default=None, help="port to listen on (default: PORT or 3000)"
    )
    serve_parser.add_argument("--workers", type=int, default=2)
    serve_parser.add_argument("--threads", type=int, default=8)
    commands.add_parser("worker", help="run the scheduler (run exactly one)")
    jobs_parser = commands.add_parser("jobs", help="run a scheduled job now")
    jobs_parser.add_argument("action", choices=["run"])
    jobs_parser.add_argument("name", help="the job: outbox")
    jobs_parser.add_argument("--at", help="run as if the clock said this ISO time (with its zone)")
    db_parser = commands.add_parser("db", help="database maintenance")
    db_parser.add_argument("action", choices=["upgrade", "revision"])
    db_parser.add_argument("-m", "--message", help="with revision: what the new migration does")
    args = parser.parse_args(argv)

    settings = _settings()
    if args.command == "serve":
        serve(settings, port=args.port or settings.port, workers=args.workers, threads=args.threads)
    elif args.command == "worker":
        from bot.worker import run_worker

        run_worker(settings)
    elif args.command == "jobs":
        print(_run_job(settings, args.name, args.at))
    elif args.command == "db" and args.action == "revision":
        _new_revision(settings, args.message or "")
    elif args.command == "db":
        Database.from_url(settings.sqlalchemy_url).upgrade()
        print("database is at the newest schema")


if __name__ == "__main__":
    main(sys.argv[1:])
