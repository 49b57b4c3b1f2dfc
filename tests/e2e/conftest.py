"""The real web process, started as `python -m bot serve` and talked to over HTTP as Slack would.

One process per module (gunicorn, gthread workers), one Slack stand-in of its own, and signed
requests sent to http://127.0.0.1:PORT/slack/events. SQLite by default (upgraded on start), or the
PostgreSQL database in TEST_DATABASE_URL (upgraded here first with `python -m bot db upgrade`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.playground.requests import SlackRequests, over_http
from bot.playground.standin import SlackStandIn
from tests.conftest import ADMIN, REP

SIGNING_SECRET = "e2e-signing-secret"
BOT_TOKEN = "xoxb-e2e"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


@dataclass
class WebProcess:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return f"{self.base_url}/slack/events"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _clean_env(**settings: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SLACK_") and name != "DATABASE_URL"
    }
    return {**env, **settings}


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture(scope="module")
def e2e_standin() -> Iterator[SlackStandIn]:
    standin = SlackStandIn().start()
    standin.add_user(ADMIN, "Ada", is_admin=True)
    standin.add_user(REP, "Mei")
    yield standin
    standin.stop()
    assert standin.problems == [], "the bot sent payloads Slack would refuse"


@pytest.fixture(scope="module")
def web_process(tmp_path_factory: pytest.TempPathFactory, e2e_standin: SlackStandIn) -> Iterator[WebProcess]:
    workdir = tmp_path_factory.mktemp("e2e")
    postgres_url = os.environ.get("TEST_DATABASE_URL", "")
    env = _clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        DATABASE_URL=postgres_url or f"sqlite:///{workdir / 'tidewater.db'}",
        SLACK_API_URL=e2e_standin.api_url,
        ADMIN_USER_IDS=ADMIN,
    )
    if postgres_url:
        upgraded = subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert upgraded.returncode == 0, f"db upgrade failed:\n{upgraded.stdout}\n{upgraded.stderr}"

    port = _free_port()
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", "2", "--threads", "4"],
            cwd=workdir,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    web = WebProcess(process=process, port=port, log_path=log_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(f"{web.base_url}/healthz"):
            if process.poll() is not None:
                pytest.fail(f"the web process exited with {process.returncode}:\n{web.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"/healthz did not answer 200 within {START_TIMEOUT:.0f} s:\n{web.log()}")
            time.sleep(0.1)
        yield web
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def e2e_slack(web_process: WebProcess, e2e_standin: SlackStandIn) -> SlackRequests:
    return SlackRequests(
        secret=SIGNING_SECRET, standin=e2e_standin, transport=over_http(web_process.events_url)
    )


@pytest.fixture(autouse=True)
def _nothing_slack_would_refuse(
    e2e_slack: SlackRequests, e2e_standin: SlackStandIn, web_process: WebProcess
) -> Iterator[None]:
    """After each test: no refused payloads (calls or acks), and no traceback in the process's log."""
    replies_before = len(e2e_slack.replies)
    log_before = len(web_process.log())
    yield
    assert e2e_standin.problems == [], "the bot sent payloads Slack would refuse"
    problems = [p for reply in e2e_slack.replies[replies_before:] for p in reply.problems()]
    assert problems == [], "the bot answered an ack with a payload Slack would refuse"
    new_log = web_process.log()[log_before:]
    assert "Traceback" not in new_log, f"the web process logged a failure:\n{new_log}"
    assert web_process.process.poll() is None, f"the web process died:\n{web_process.log()}"
