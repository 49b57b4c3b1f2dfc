#!/usr/bin/env python3
"""The two commands of the README, each doing its own setup on first use.

    python3 dev.py start   run the bot (embedded SQLite by default)
    python3 dev.py test    run every check: lint, format, types, import direction, translations, the test suite

Needs only Python 3.11+ with pip: the first run creates .venv and installs the project into it, and
reinstalls whenever pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".installed"
NO_TESTS_COLLECTED = 5


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_environment() -> None:
    if not PYTHON.exists():
        print("Creating .venv (first run only)…", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text() != _fingerprint():
        print("Installing Tidewater and its dependencies into .venv…", flush=True)
        _run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        _run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"])
        STAMP.write_text(_fingerprint())


def _run(command: list[str]) -> int:
    return subprocess.call(command, cwd=ROOT)  # noqa: S603 (this project's own commands)


def start(args: list[str]) -> int:
    return _run([str(PYTHON), "-m", "bot", "serve", *args])


CHECKS = [
    ["-m", "ruff", "check", "."],
    ["-m", "ruff", "format", "--check", "."],
    ["-m", "mypy"],
    ["-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"],
    ["-m", "bot.i18n_check"],
]


def test(args: list[str]) -> int:
    for check in CHECKS:
        print("$", " ".join(check), flush=True)
        if _run([str(PYTHON), *check]) != 0:
            return 1
    code = _run([str(PYTHON), "-m", "pytest", *args])
    if code == NO_TESTS_COLLECTED:
        print("pytest collected no tests: that is a failure", file=sys.stderr)
        return 1
    return code


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"start", "test"}:
        print(__doc__)
        return 2
    ensure_environment()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    command, rest = sys.argv[1], sys.argv[2:]
    return start(rest) if command == "start" else test(rest)


if __name__ == "__main__":
    sys.exit(main())
