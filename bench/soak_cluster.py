"""The soak's installation: PostgreSQL started as CI starts it, the data, the web processes and the
workers, and what is watched while it runs (connections, memory, the leader).

PostgreSQL comes from Debian's packages (`apt-get install postgresql`), a throwaway cluster in a
temporary folder on a loopback port with `fsync=off` and the default `max_connections` (100), run as
the `postgres` user when the benchmark runs as root, exactly as `.ci/run` does.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.data import WORKSPACE, BenchPerson, insert_people, insert_workspace, load_customers
from store.db import create_db_engine, upgrade_schema
from store.types import UTCDateTime

ROOT = Path(__file__).resolve().parent.parent
SECRET = "soak-signing-secret"
BOT_TOKEN = "xoxb-soak"
ADMIN = "U0ADMIN"
POOL_CHANNEL, COMPLAINTS_CHANNEL = "C0POOL", "C0COMPLAIN"
TEAM_SIZE = 10  # a manager and nine reps
OVERDUE_EVERY = 500  # one owned customer in this many has gone 200 days without a visit: recycled once


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- PostgreSQL --------------------------------------------------------------------------------------
def _as_postgres(command: list[str], *, check: bool = True) -> None:
    """Run a PostgreSQL command as the `postgres` user when this is root (initdb refuses root)."""
    whole = ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command
    subprocess.run(whole, check=check, stdout=subprocess.DEVNULL)


@contextmanager
def postgres_server() -> Iterator[str]:
    """A fresh cluster from Debian's packages, as `.ci/run` starts one; yields a database URL."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise SystemExit("PostgreSQL is not installed: apt-get update && apt-get install -y postgresql")
    bin_dir = found[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="tidewater-soak-pg."))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port = free_port()
    _as_postgres([str(bin_dir / "initdb"), "-D", str(folder), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8"])  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(folder), "-l", str(folder / "server.log"), "-w"]
    _as_postgres([*pg_ctl, "-o", options, "start"])
    try:
        _as_postgres([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                      "tidewater_soak"])  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/tidewater_soak"
    finally:
        _as_postgres([*pg_ctl, "-m", "fast", "stop"], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def engine_for(url: str) -> sa.Engine:
    return create_db_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


# -- the data ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Team:
    managers: list[str]
    reps: list[str]

    @property
    def people(self) -> list[str]:
        return self.managers + self.reps


def team_of(people: int) -> Team:
    managers = [f"U0MGR{n:03d}" for n in range(max(1, people // TEAM_SIZE))]
    reps = [f"U0REP{n:04d}" for n in range(people - len(managers))]
    return Team(managers, reps)


def seed(engine: sa.Engine, team: Team, customers: int) -> None:
    """The workspace, its people (a manager to each nine reps), the customers (a fifth in the pool, the
    rest owned and visited within 12 days, one in OVERDUE_EVERY not for 200), and its channels."""
    now = datetime.now(UTC)
    upgrade_schema(engine)
    with engine.begin() as connection:
        insert_workspace(connection, timezone="Asia/Shanghai", created_at=now)
        people = [BenchPerson(ADMIN, role="admin")]
        people += [BenchPerson(m, role="manager") for m in team.managers]
        people += [
            BenchPerson(r, manager_id=team.managers[n % len(team.managers)]) for n, r in enumerate(team.reps)
        ]
        insert_people(connection, people, created_at=now)
    load_customers(engine, customers, owners=team.reps)
    with engine.begin() as connection:
        _spread_ownership(connection, now)
        _settings(connection, now)
        connection.execute(sa.text("ANALYZE"))


def _spread_ownership(connection: sa.Connection, now: datetime) -> None:
    at = sa.bindparam("now", type_=UTCDateTime())
    connection.execute(
        sa.text("UPDATE customer SET owner_id = NULL, pool_since = :now WHERE id % 5 = 0").bindparams(at),
        {"now": now},
    )
    # Visited within the last 12 days: short of every level's days without a visit (A 15, B 30, C 45).
    owned = (
        "UPDATE customer SET owned_since = :now - (id % 13) * INTERVAL '1 day', "
        "recycle_clock_from = :now - (CASE WHEN id % :every = 1 THEN 200 ELSE id % 13 END) * INTERVAL '1 day' "
        "WHERE owner_id IS NOT NULL"
    )
    connection.execute(sa.text(owned).bindparams(at), {"now": now, "every": OVERDUE_EVERY})


def _settings(connection: sa.Connection, now: datetime) -> None:
    chosen = {
        "pool_channel": f'"{POOL_CHANNEL}"',
        "complaints_channel": f'"{COMPLAINTS_CHANNEL}"',
        "holding_cap": "2000",  # the bench's reps hold about 450 customers each
    }
    statement = sa.text(
        "INSERT INTO workspace_setting (workspace_id, key, value, updated_by, updated_at) "
        "VALUES (:ws, :key, :value, :by, :now)"
    ).bindparams(sa.bindparam("now", type_=UTCDateTime()))
    rows = [{"ws": WORKSPACE, "key": k, "value": v, "by": ADMIN, "now": now} for k, v in chosen.items()]
    connection.execute(statement, rows)


# -- the processes -----------------------------------------------------------------------------------
@dataclass
class Process:
    role: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Cluster:
    """The web processes (gunicorn) and the workers, with the environment they share."""

    env: dict[str, str]
    folder: Path
    web: Process | None = None
    workers: list[Process] = field(default_factory=list)
    retired: list[Process] = field(default_factory=list)  # killed on purpose
    port: int = 0

    def start(self, web_processes: int, web_threads: int, workers: int) -> None:
        self.port = free_port()
        command = ["serve", "--web-only", "--port", str(self.port), "--workers", str(web_processes),
                   "--threads", str(web_threads)]  # fmt: skip
        self.web = self._spawn("web", command)
        for _ in range(workers):
            self.start_worker()
        _wait_for(f"http://127.0.0.1:{self.port}/healthz", self.web)

    def start_worker(self) -> Process:
        worker = self._spawn(f"worker {len(self.workers) + len(self.retired) + 1}", ["worker"])
        self.workers.append(worker)
        return worker

    def kill(self, pid: int) -> Process:
        [victim] = [w for w in self.workers if w.pid == pid]
        victim.popen.send_signal(signal.SIGKILL)
        victim.popen.wait(timeout=30)
        self.workers.remove(victim)
        self.retired.append(victim)
        return victim

    def stop(self) -> None:
        for process in [*self.workers, *([self.web] if self.web else [])]:
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
        for process in [*self.workers, *([self.web] if self.web else [])]:
            try:
                process.popen.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.popen.kill()

    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=10) as answer:
            return str(answer.read().decode())

    def web_pids(self) -> list[tuple[str, int]]:
        """The gunicorn arbiter and its web processes."""
        assert self.web is not None
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children").read_text().split()
        return [
            ("web arbiter", self.web.pid),
            *((f"web {n + 1}", int(pid)) for n, pid in enumerate(children)),
        ]

    def _spawn(self, role: str, words: list[str]) -> Process:
        log = self.folder / f"{role.replace(' ', '-')}.log"
        with log.open("wb") as output:
            popen = subprocess.Popen([sys.executable, "-m", "bot", *words], env=self.env, cwd=self.folder,
                                     stdout=output, stderr=subprocess.STDOUT)  # fmt: skip
        return Process(role, popen, log)


def environment(database_url: str, api_url: str, web_threads: int, folder: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DEFAULT_", "LEADER_"))}
    return {
        **kept,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "ADMIN_USER_IDS": ADMIN,
        "WEB_THREADS": str(web_threads),
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
    }


def upgrade(env: dict[str, str], folder: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, cwd=folder,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    if done.returncode:
        raise SystemExit(f"db upgrade failed:\n{done.stdout}\n{done.stderr}")


def _wait_for(url: str, process: Process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, OSError) as error:
            if process.popen.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{process.role} did not start:\n{process.text()}") from error
            time.sleep(0.2)


# -- what is watched ---------------------------------------------------------------------------------
def rss_mb(pid: int) -> float:
    """The resident memory of a process (VmRSS), in MB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class ConnectionWatch:
    """Samples the database's client connections twice a second (its own one left out)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine, self.peak, self.samples = engine, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="connections", daemon=True)
        with engine.connect() as connection:
            self.limit = int(connection.execute(sa.text("SHOW max_connections")).scalar_one())

    def __enter__(self) -> ConnectionWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
        with self.engine.connect() as connection:
            while not self._stop.wait(0.5):
                now = int(connection.execute(query).scalar_one()) - 1
                connection.commit()
                self.peak, self.samples = max(self.peak, now), self.samples + 1


def leader_pid(engine: sa.Engine) -> int | None:
    """The pid of the worker leading now (its lease's holder is host:pid:token), if one leads."""
    with engine.connect() as connection:
        holder = connection.execute(
            sa.text("SELECT holder FROM worker_lease WHERE name = 'worker' AND expires_at > now()")
        ).scalar()
    return int(str(holder).split(":")[1]) if holder else None
