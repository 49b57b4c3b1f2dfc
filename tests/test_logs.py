"""Logs an operator can use: LOG_FORMAT=json writes one JSON object a line with what the line happened
in (the reference id, the workspace, the user, the listener or the job); the command line's own commands
print no library chatter."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from bot import logs


def json_line(record: logging.LogRecord) -> dict[str, object]:
    parsed: dict[str, object] = json.loads(logs.JsonLines().format(record))
    return parsed


def record(message: str, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("tidewater.test", logging.ERROR, __file__, 1, message, (), None)
    for name, value in extra.items():
        setattr(made, name, value)
    return made


def test_a_line_says_what_it_happened_in_and_nothing_it_did_not():
    with logs.scoped(workspace="T0TIDE", user="U0MEI", listener="log_visit"), logs.scoped(job=None):
        line = json_line(record("listener failed (ref ab12)", reference="ab12"))
    assert line["message"] == "listener failed (ref ab12)"
    assert line["level"] == "ERROR"
    assert line["logger"] == "tidewater.test"
    assert {name: line[name] for name in ("reference", "workspace", "user", "listener")} == {
        "reference": "ab12",
        "workspace": "T0TIDE",
        "user": "U0MEI",
        "listener": "log_visit",
    }
    assert "job" not in line
    assert "workspace" not in json_line(record("outside")), "a scope ends with its block"


def test_chinese_text_stays_readable_in_a_json_line():
    assert json_line(record("客户“华东贸易”已认领"))["message"] == "客户“华东贸易”已认领"


def run_bot(tmp_path: Path, *words: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DEFAULT_", "LOG_"))}
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'tidewater.db'}", "SLACK_BOT_TOKEN": "xoxb-test"}
    settings["SLACK_SIGNING_SECRET"] = "secret"
    command = [sys.executable, "-m", "bot", *words]
    return subprocess.run(
        command, env={**clean, **settings, **env}, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_command_line_prints_its_own_words_not_the_libraries(tmp_path):
    done = run_bot(tmp_path, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "database is at the newest schema\n"
    assert "alembic" not in done.stderr
    assert "Running upgrade" not in done.stderr


def test_with_log_format_json_every_line_is_an_object_that_names_its_job(tmp_path):
    assert run_bot(tmp_path, "db", "upgrade").returncode == 0
    done = run_bot(tmp_path, "jobs", "run", "retention", LOG_FORMAT="json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert lines, "the job logs what it did"
    assert all(line["job"] == "retention" for line in lines if line["logger"].startswith("tidewater.jobs"))
    assert any(line["message"].startswith("job retention at ") for line in lines)
