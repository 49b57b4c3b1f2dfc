"""Starting the bot: settings, secrets, and the schema upgrade of the embedded database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr, ValidationError

from bot.config import ConfigError, Settings
from store.db import Database

ROOT = Path(__file__).resolve().parent.parent


def clean_env(**extra):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "ADMIN_USER_IDS"))
    }
    return {**env, **extra}


def test_missing_secrets_name_each_one_and_where_to_get_it():
    settings = Settings(_env_file=None, slack_bot_token=SecretStr("xoxb-..."))
    with pytest.raises(ConfigError) as refused:
        settings.require_slack_secrets()
    message = str(refused.value)
    assert "SLACK_BOT_TOKEN" in message
    assert "OAuth & Permissions" in message
    assert "SLACK_SIGNING_SECRET" in message
    assert "Basic Information" in message


def test_serve_with_half_the_secrets_says_what_to_set_and_exits(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path,
        env=clean_env(PYTHONPATH=str(ROOT), SLACK_BOT_TOKEN="xoxb-1-2-3"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SLACK_SIGNING_SECRET" in result.stderr
    assert not (tmp_path / "tidewater.db").exists(), "nothing is created before the secrets are there"


def test_serve_without_any_secret_starts_the_playground_and_says_how_to_connect(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path,
        env=clean_env(PYTHONPATH=str(ROOT)),
        input="/customer Acme\nquit\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "No Slack secrets are set, so this is the playground" in result.stdout
    assert "SLACK_BOT_TOKEN" in result.stdout
    assert "SLACK_SIGNING_SECRET" in result.stdout
    assert "mei> /customer Acme" in result.stdout
    assert "Acme Trading" in result.stdout
    assert not (tmp_path / "tidewater.db").exists(), "the playground keeps its data elsewhere"


def test_settings_read_the_environment_and_validate_it():
    settings = Settings(
        _env_file=None,
        admin_user_ids="U1, U2,,",
        default_locale="zh-CN",
        database_url="postgres://u@h/db",
    )
    assert settings.admin_user_ids == frozenset({"U1", "U2"})
    assert settings.default_locale == "zh_CN"
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@h/db"
    with pytest.raises(ValidationError):
        Settings(_env_file=None, default_timezone="Mars/Olympus")
    with pytest.raises(ValidationError):
        Settings(_env_file=None, default_locale="klingon")


def test_any_sqlite_database_is_upgraded_and_upgrading_twice_is_harmless(tmp_path):
    db = Database.from_url(f"sqlite:///{tmp_path / 'fresh.db'}")
    db.upgrade()
    db.upgrade()
    with db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert {"customer", "customer_term", "person", "visit", "customer_order", "workspace"} <= tables
    assert journal == "wal"


def test_the_worker_starts_upgrades_its_database_and_stops_on_sigterm(tmp_path):
    import signal
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "worker"],
        cwd=tmp_path,
        env=clean_env(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path / 'worker.db'}"),
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 30
    line = ""
    while "worker started" not in line and time.monotonic() < deadline:
        line = process.stderr.readline()
    assert "worker started" in line
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    assert (tmp_path / "worker.db").exists()


def test_the_migrations_build_exactly_the_schema_the_models_describe(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import store.models  # noqa: F401  (registers the tables)
    from store.db import include_object

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_a_web_process_settles_its_start_out_of_the_collectors_way(tmp_path, monkeypatch):
    """gc.freeze once the app is built: a full collection no longer walks the start's objects in the
    middle of someone's request."""
    import gc

    from bot.web import create_application

    database = tmp_path / "web.db"
    Database.from_url(f"sqlite:///{database}").upgrade()
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-1-2-3", "SLACK_SIGNING_SECRET": "secret",
                        "DATABASE_URL": f"sqlite:///{database}"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    gc.unfreeze()
    try:
        create_application()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
