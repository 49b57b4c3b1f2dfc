"""The databases a benchmark runs on: an embedded SQLite file, and PostgreSQL when given a URL (a
scratch database created for the run and dropped after it), with the command-line options that choose."""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from store.db import create_db_engine


def parser(description: str | None) -> argparse.ArgumentParser:
    """A benchmark's options, with --postgres URL and --skip-sqlite already there."""
    found = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    found.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"), help="a PostgreSQL URL")
    found.add_argument("--skip-sqlite", action="store_true")
    return found


def each(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """(engine name, URL of a fresh database) for SQLite unless skipped, then PostgreSQL if given; each
    database is gone once the next is asked for."""
    if not args.skip_sqlite:
        with sqlite_database() as url:
            yield "SQLite", url
    if args.postgres:
        with postgres_database(args.postgres) as url:
            yield "PostgreSQL", url


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def postgres_database(url: str) -> Iterator[str]:
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    scratch = f"tidewater_bench_{os.getpid()}_{secrets.token_hex(3)}"  # two may be open at once
    admin = create_db_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {scratch}"))
    try:
        yield str(sa.make_url(url).set(database=scratch).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        admin.dispose()
