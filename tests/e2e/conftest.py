"""The real web process, started as `python -m bot serve` and talked to over HTTP as Slack would.

One process per module (gunicorn, gthread workers), one Slack stand-in of its own, and signed
requests sent to http://127.0.0.1:PORT/slack/events. SQLite by default (upgraded on start), or the
PostgreSQL database in TEST_DATABASE_URL (upgraded here first with `python -m bot db upgrade`).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.playground.requests import SlackRequests, over_http, sign
from bot.playground.standin import SlackStandIn
from tests.conftest import ADMIN, REP

SIGNING_SECRET = "e2e-signing-secret"
BOT_TOKEN = "xoxb-e2e"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
ACK_DEADLINE = 3.0  # Slack gives up on an ack after 3 seconds
# People who never reached the bot before: new ids each run, as a PostgreSQL database outlives the run.
_RUN = secrets.token_hex(3).upper()
NEWCOMERS = tuple(f"U0NEW{_RUN}{letter}" for letter in "ABCD")

FORGERIES = ("no signature", "wrong signature", "five minutes old", "another secret")


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


@dataclass
class TimedTransport:
    """Sends over HTTP and keeps how long each request took, measured around the whole round trip."""

    url: str
    seconds: list[float] = field(default_factory=list)

    def __call__(self, body: str, headers: dict[str, str]) -> tuple[int, str]:
        started = time.monotonic()
        answer = over_http(self.url)(body, headers)
        self.seconds.append(time.monotonic() - started)
        return answer


def forged_headers(forgery: str, body: str) -> dict[str, str]:
    """Signature headers that Slack would never send for `body`."""
    now = int(time.time())
    if forgery == "no signature":
        return {}
    if forgery == "wrong signature":
        return {"x-slack-request-timestamp": str(now), "x-slack-signature": "v0=" + "0" * 64}
    if forgery == "five minutes old":  # correctly computed, but replayed too late
        return sign(SIGNING_SECRET, body, timestamp=now - 5 * 60 - 1)
    if forgery == "another secret":
        return sign("not-the-signing-secret", body)
    raise ValueError(forgery)


def forging(url: str, forgery: str) -> Callable[[str, dict[str, str]], tuple[int, str]]:
    """A transport that replaces the signature of every request with a forged one."""
    send = over_http(url)

    def forge(body: str, headers: dict[str, str]) -> tuple[int, str]:
        unsigned = {name: value for name, value in headers.items() if not name.startswith("x-slack-")}
        return send(body, {**unsigned, **forged_headers(forgery, body)})

    return forge


POOL_CHANNEL = "C0POOL"


def pool_standin() -> Iterator[SlackStandIn]:
    """A stand-in of its own with an admin, a rep and a pool channel the bot is in, stopped after."""
    slack = SlackStandIn().start()
    slack.add_user(ADMIN, "Ada", is_admin=True)
    slack.add_user(REP, "Mei")
    slack.add_channel(POOL_CHANNEL, "pool", is_member=True)
    yield slack
    slack.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any Slack or database setting (nor a workspace default
    such as DEFAULT_LOCALE, which would change the answers), plus `settings`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SLACK_", "DEFAULT_")) and name not in {"DATABASE_URL", "ADMIN_USER_IDS"}
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


def start_web_process(workdir: Path, env: dict[str, str], name: str, *, threads: int = 12) -> WebProcess:
    """`python -m bot serve --web-only` with one gunicorn process, started and answering /healthz."""
    port = _free_port()
    log_path = workdir / f"{name}.log"
    command = [sys.executable, "-m", "bot", "serve", "--web-only", "--port", str(port), "--workers", "1",
               "--threads", str(threads)]  # fmt: skip
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    web = WebProcess(process=process, port=port, log_path=log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while not _healthy(f"{web.base_url}/healthz"):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            pytest.fail(f"web process {name} did not start:\n{web.log()}")
        time.sleep(0.1)
    return web


@pytest.fixture(scope="module")
def e2e_standin() -> Iterator[SlackStandIn]:
    standin = SlackStandIn().start()
    standin.add_user(ADMIN, "Ada", is_admin=True)
    standin.add_user(REP, "Mei")
    for number, user_id in enumerate(NEWCOMERS):
        standin.add_user(user_id, f"Newcomer {number}")
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
    if postgres_url:  # PostgreSQL is not upgraded on start
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
            [
                sys.executable,
                "-m",
                "bot",
                "serve",
                "--web-only",
                "--port",
                str(port),
                "--workers",
                "2",
                "--threads",
                "4",
            ],
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
def ack_clock(web_process: WebProcess) -> TimedTransport:
    return TimedTransport(web_process.events_url)


@pytest.fixture(scope="module")
def e2e_slack(ack_clock: TimedTransport, e2e_standin: SlackStandIn) -> SlackRequests:
    return SlackRequests(secret=SIGNING_SECRET, standin=e2e_standin, transport=ack_clock)


@pytest.fixture
def forger(web_process: WebProcess, e2e_standin: SlackStandIn) -> Callable[[str], SlackRequests]:
    """SlackRequests that build each request exactly as Slack does, but send it with a forged signature."""

    def make(forgery: str) -> SlackRequests:
        transport = forging(web_process.events_url, forgery)
        return SlackRequests(secret=SIGNING_SECRET, standin=e2e_standin, transport=transport)

    return make


@pytest.fixture(autouse=True)
def _nothing_slack_would_refuse(
    e2e_slack: SlackRequests, e2e_standin: SlackStandIn, web_process: WebProcess, ack_clock: TimedTransport
) -> Iterator[None]:
    """After each test: every signed request acked within 3 s, no refused payloads (calls or acks),
    no traceback in the process's log, and the process still running."""
    replies_before = len(e2e_slack.replies)
    timings_before = len(ack_clock.seconds)
    log_before = len(web_process.log())
    yield
    slow = [f"{seconds:.2f} s" for seconds in ack_clock.seconds[timings_before:] if seconds >= ACK_DEADLINE]
    assert slow == [], "acks slower than Slack's 3 seconds"
    assert e2e_standin.problems == [], "the bot sent payloads Slack would refuse"
    problems = [p for reply in e2e_slack.replies[replies_before:] for p in reply.problems()]
    assert problems == [], "the bot answered an ack with a payload Slack would refuse"
    new_log = web_process.log()[log_before:]
    assert "Traceback" not in new_log, f"the web process logged a failure:\n{new_log}"
    assert web_process.process.poll() is None, f"the web process died:\n{web_process.log()}"
