"""A working day compressed into minutes, on the production shape, with the leader killed once.

Starts PostgreSQL as CI starts it (bench/soak_cluster.py), loads 100,000 customers and 200 people (a
manager to each nine reps), and runs `python -m bot serve --web-only` (4 gunicorn processes × 4
threads) and 2 `python -m bot worker` processes against the Slack stand-in. Then 200 simulated people
(bench/soak_people.py) do a working day's commands in 10 minutes — searches, visits one-line and by
form, orders, claims and claim races, releases, complaints through acknowledge / resolve / close, Home
openings — while the workers' jobs run (the night's recycle of the customers nobody visited for 200
days, reminders, the SLA, the Home, the outbox). Halfway, the leading worker is killed with SIGKILL
and started again, as a supervisor would. After the day, the outbox is given up to 3 minutes to drain.

Printed: requests, errors (goal 0: HTTP errors, failed connections, forms that never opened, lazy
listeners that failed, tracebacks in any log), acks over 3 s (goal 0), ack p50/p99 by kind; messages
queued / delivered / duplicated (goal 0) / lost (goal 0) — a message is delivered when Slack's
stand-in got its post once (found by the key in its metadata), duplicated when it got it more than
once, lost when it never got it (an update is counted delivered when the outbox recorded Slack's
answer); the database's client connections at peak against `max_connections`; each process's memory
after warm-up (a tenth of the run) and at the end (goal: growth under 10 %); how long the standby took
to lead.

    python -m bench.soak                                             # the full size
    python -m bench.soak --customers 20000 --people 40 --minutes 2   # a quick look

The simulated people run as threads of this process beside the stand-in, so the times include this
process's own share of the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from rich.table import Table

from bench import soak_cluster as cluster_
from bench.soak_cluster import (
    ADMIN,
    COMPLAINTS_CHANNEL,
    OVERDUE_EVERY,
    POOL_CHANNEL,
    Cluster,
    ConnectionWatch,
)
from bench.soak_people import Catalog, Day, Record, work
from bot.notify import METADATA_EVENT, UPDATE_OF
from bot.playground.standin import SlackStandIn

ACK_DEADLINE = 3.0
DRAIN_SECONDS = 180
GOAL_GROWTH = 0.10


def main() -> None:
    args = _parser().parse_args()
    console = Console()
    with _standin(cluster_.team_of(args.people)) as standin, _database(args) as url:
        engine = cluster_.engine_for(url)
        started = time.monotonic()
        cluster_.seed(engine, cluster_.team_of(args.people), args.customers)
        console.print(
            f"Loaded {args.customers:,} customers and {args.people} people in {time.monotonic() - started:.0f} s"
        )
        with tempfile.TemporaryDirectory(prefix="tidewater-soak.") as folder:
            report = _run(args, engine, url, standin, Path(folder), console)
        report.print(console)


def _parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    found.add_argument("--customers", type=int, default=100_000)
    found.add_argument("--people", type=int, default=200)
    found.add_argument("--minutes", type=float, default=10)
    found.add_argument("--actions", type=int, default=40, help="each person's actions in the day")
    found.add_argument("--web-processes", type=int, default=4)
    found.add_argument("--web-threads", type=int, default=4)
    found.add_argument("--workers", type=int, default=2)
    found.add_argument(
        "--postgres", help="a server's URL to use instead of starting one (a scratch database is made)"
    )
    return found


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[str]:
    if args.postgres:
        from bench.engines import postgres_database

        with postgres_database(args.postgres) as url:
            yield url.replace("postgresql+psycopg://", "postgresql://", 1)
    else:
        with cluster_.postgres_server() as url:
            yield url


@contextmanager
def _standin(team: cluster_.Team) -> Iterator[SlackStandIn]:
    standin = SlackStandIn(team_id="T0BENCH").start()
    standin.add_user(ADMIN, "Admin", is_admin=True)
    for user in team.people:
        standin.add_user(user, user)
    standin.add_channel(POOL_CHANNEL, "customer-pool", is_member=True)
    standin.add_channel(COMPLAINTS_CHANNEL, "complaints", is_member=True)
    try:
        yield standin
    finally:
        standin.stop()


def _run(args: argparse.Namespace, engine: sa.Engine, url: str, standin: SlackStandIn, folder: Path,
         console: Console) -> Report:  # fmt: skip
    env = cluster_.environment(url, standin.api_url, args.web_threads, folder)
    (folder / "metrics").mkdir()
    cluster_.upgrade(env, folder)
    cluster = Cluster(env, folder)
    cluster.start(args.web_processes, args.web_threads, args.workers)
    try:
        _wait(lambda: cluster_.leader_pid(engine) is not None, 60, "no worker led within 60 s")
        day = Day(cluster.events_url(), cluster_.SECRET, standin, engine, Catalog.read(engine, OVERDUE_EVERY))
        seconds = args.minutes * 60
        console.print(f"The day: {args.people} people, {args.minutes:g} minutes")
        with ConnectionWatch(engine) as connections:
            memory, failover = _the_day(args, cluster, engine, day, seconds)
        drained = _drain(engine)
        memory.end = _memory(cluster)
        return Report(day.record, _messages(engine, standin), connections.peak, connections.limit, memory,
                      failover, drained, _lazy_failures(cluster), _tracebacks(cluster))  # fmt: skip
    finally:
        cluster.stop()


def _the_day(args: argparse.Namespace, cluster: Cluster, engine: sa.Engine, day: Day, seconds: float
             ) -> tuple[Memory, Failover]:  # fmt: skip
    team = cluster_.team_of(args.people)
    until = time.monotonic() + seconds
    people = [
        threading.Thread(target=work, name=user, daemon=True, args=(day, user), kwargs={
            "rep": user in team.reps, "colleagues": team.reps, "actions": args.actions, "until": until,
            "seed": number})
        for number, user in enumerate(team.people)
    ]  # fmt: skip
    for person in people:
        person.start()
    time.sleep(max(30.0, seconds / 10))
    memory = Memory(start=_memory(cluster))
    time.sleep(max(0.0, until - seconds / 2 - time.monotonic()))
    failover = _kill_the_leader(cluster, engine)
    for person in people:
        person.join(timeout=max(0.0, until - time.monotonic()) + 120)
    return memory, failover


@dataclass
class Failover:
    killed: int
    took: float | None  # seconds until another worker led


def _kill_the_leader(cluster: Cluster, engine: sa.Engine) -> Failover:
    leader = cluster_.leader_pid(engine)
    if leader is None:
        return Failover(0, None)
    cluster.kill(leader)
    killed_at = time.monotonic()
    cluster.start_worker()
    took = None
    while time.monotonic() - killed_at < 120:
        now = cluster_.leader_pid(engine)
        if now is not None and now != leader:
            took = time.monotonic() - killed_at
            break
        time.sleep(0.2)
    return Failover(leader, took)


@dataclass
class Memory:
    start: dict[str, float]
    end: dict[str, float] | None = None


def _memory(cluster: Cluster) -> dict[str, float]:
    pids = [*cluster.web_pids(), *((w.role, w.pid) for w in cluster.workers)]
    return {f"{role} ({pid})": cluster_.rss_mb(pid) for role, pid in pids}


def _drain(engine: sa.Engine) -> float | None:
    """Seconds until no message waits in the outbox, or None if some still wait after DRAIN_SECONDS."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_SECONDS:
        with engine.connect() as connection:
            waiting = connection.execute(
                sa.text("SELECT count(*) FROM outbox_message WHERE status = 'pending'")
            ).scalar_one()
        if not waiting:
            return time.monotonic() - started
        time.sleep(1)
    return None


@dataclass(frozen=True)
class Messages:
    queued: int
    delivered: int
    duplicated: int
    lost: int
    refused: int
    waiting: int
    kinds: Counter[str]


def _messages(engine: sa.Engine, standin: SlackStandIn) -> Messages:
    posted: Counter[str] = Counter()
    for call in standin.calls_to("chat.postMessage"):
        metadata = call.args.get("metadata")
        metadata = json.loads(metadata) if isinstance(metadata, str) else metadata or {}
        if call.status == 200 and call.answer.get("ok") and metadata.get("event_type") == METADATA_EVENT:
            posted[metadata["event_payload"]["key"]] += 1
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT dedupe_key, kind, status, payload FROM outbox_message")
        ).all()
    statuses = Counter(row.status for row in rows)
    updates = {row.dedupe_key for row in rows if UPDATE_OF in json.loads(row.payload)}
    posts = [row for row in rows if row.dedupe_key not in updates]
    delivered = sum(1 for row in posts if posted[row.dedupe_key] >= 1)
    delivered += sum(1 for row in rows if row.dedupe_key in updates and row.status == "sent")
    lost = sum(1 for row in posts if row.status == "sent" and not posted[row.dedupe_key])
    return Messages(
        queued=len(rows),
        delivered=delivered,
        duplicated=sum(times - 1 for times in posted.values() if times > 1),
        lost=lost + statuses["pending"],
        refused=statuses["failed"],
        waiting=statuses["pending"],
        kinds=Counter(row.kind for row in rows),
    )


def _lazy_failures(cluster: Cluster) -> int:
    for family in text_string_to_metric_families(cluster.metrics()):
        if family.name == "tidewater_lazy_failures":
            return int(sum(sample.value for sample in family.samples if sample.name.endswith("_total")))
    return 0


def _tracebacks(cluster: Cluster) -> dict[str, int]:
    processes = [*([cluster.web] if cluster.web else []), *cluster.workers, *cluster.retired]
    return {p.role: p.text().count("Traceback") for p in processes if "Traceback" in p.text()}


def _wait(done: Callable[[], bool], seconds: float, why: str) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(why)
        time.sleep(0.5)


@dataclass
class Report:
    record: Record
    messages: Messages
    peak_connections: int
    max_connections: int
    memory: Memory
    failover: Failover
    drained: float | None
    lazy_failures: int
    tracebacks: dict[str, int]

    def print(self, console: Console) -> None:
        console.print(self._requests())
        console.print(self._outbox())
        console.print(self._memory())
        console.print(self._verdict())

    def _requests(self) -> Table:
        table = Table("request", "count", "HTTP errors", "over 3 s", "p50 ms", "p99 ms", "max ms",
                      title="Requests, timed to their answer (the ack)", title_justify="left")  # fmt: skip
        by_label: dict[str, list[float]] = {}
        failed: Counter[str] = Counter()
        for timing in self.record.timings:
            by_label.setdefault(timing.label, []).append(timing.seconds)
            failed[timing.label] += timing.status != 200
        for label, seconds in sorted(by_label.items()):
            table.add_row(label, *_figures(seconds, failed[label]))
        everything = [t.seconds for t in self.record.timings]
        table.add_row("all", *_figures(everything, sum(failed.values())), style="bold")
        return table

    def _outbox(self) -> Table:
        m = self.messages
        table = Table("messages", "count", title="The outbox", title_justify="left")
        for label, value in (("queued", m.queued), ("delivered", m.delivered), ("duplicated", m.duplicated),
                             ("lost", m.lost), ("refused by Slack", m.refused), ("still waiting", m.waiting)):  # fmt: skip
            table.add_row(label, f"{value:,}")
        table.add_row("by kind", ", ".join(f"{kind} {n:,}" for kind, n in m.kinds.most_common()))
        return table

    def _memory(self) -> Table:
        table = Table(
            "process",
            "after warm-up MB",
            "at the end MB",
            "growth",
            title="Memory (RSS)",
            title_justify="left",
        )
        end = self.memory.end or {}
        for name, start in self.memory.start.items():
            finish = end.get(name)
            growth = "gone (killed)" if not finish else f"{(finish - start) / start:+.1%}"
            table.add_row(name, f"{start:.0f}", f"{finish:.0f}" if finish else "-", growth)
        return table

    def growths(self) -> list[float]:
        end = self.memory.end or {}
        return [(end[n] - s) / s for n, s in self.memory.start.items() if end.get(n) and s]

    def _verdict(self) -> Table:
        slow = sum(1 for t in self.record.timings if t.seconds >= ACK_DEADLINE)
        errors = len(self.record.errors) + self.lazy_failures + sum(self.tracebacks.values())
        growth = max(self.growths(), default=0.0)
        took = "never" if self.failover.took is None else f"{self.failover.took:.1f} s"
        drained = "not within 3 min" if self.drained is None else f"{self.drained:.0f} s"
        table = Table("figure", "value", "goal", title="The day", title_justify="left")
        rows = [
            ("actions / requests", f"{self.record.actions:,} / {len(self.record.timings):,}", ""),
            ("errors", f"{errors:,}", "0"),
            ("acks over 3 s", f"{slow:,}", "0"),
            ("forms answered with field errors", f"{self.record.refusals:,}", "(people's mistakes)"),
            ("messages duplicated / lost", f"{self.messages.duplicated} / {self.messages.lost}", "0 / 0"),
            (
                "connections at peak",
                f"{self.peak_connections} of {self.max_connections}",
                "within max_connections",
            ),
            ("largest memory growth", f"{growth:+.1%}", f"under {GOAL_GROWTH:.0%}"),
            (f"leader killed (pid {self.failover.killed}), standby led after", took, "30 s"),
            ("outbox drained after the day in", drained, ""),
        ]
        for row in rows:
            table.add_row(*row)
        for error in self.record.errors[:10]:
            table.add_row("error", error[:300], "")
        for role, count in self.tracebacks.items():
            table.add_row("tracebacks in the log", f"{role}: {count}", "")
        return table


def _figures(seconds: list[float], failed: int) -> tuple[str, ...]:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    slow = sum(1 for s in ordered if s >= ACK_DEADLINE)
    return (f"{len(ordered):,}", f"{failed:,}", f"{slow:,}", f"{statistics.median(ordered) * 1000:.0f}",
            f"{p99 * 1000:.0f}", f"{ordered[-1] * 1000:.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
