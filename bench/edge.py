"""Oversized unsigned bodies against the real web process: memory and /healthz while they arrive.

Starts `python -m bot serve` (gunicorn, 2 processes × 8 threads, SQLite, the Slack stand-in as its Web
API), as tests/e2e does, then:
  1. quiet: /healthz latency (p50/max) and the processes' memory (VmRSS of the gunicorn master and its
     workers, summed) with nothing else going on: the baseline;
  2. attack: waves of 8 unsigned 300 MB POSTs to /slack/events at once (half with a Content-Length,
     half chunked), a new wave 50 ms after the last one was answered, for --seconds; the bytes are
     made by a generator as they are sent, and each client stops sending as soon as the server
     answers (413) or closes the connection (a broken pipe is expected); meanwhile /healthz is timed
     and memory sampled every 20 ms;
  3. after: the same as 1.
Prints the figures, /healthz ratios against the quiet phase and the memory growth in MB.

    python -m bench.edge [--seconds 5] [--attackers 8] [--body-mb 300] [--framing both|length|chunked]

Goals (exit status 1 when missed): memory growth under 50 MB; /healthz max under 100 ms during the
attack. Before the edge read bodies itself, Bolt's adapter read each body whole: 8 such POSTs took the
process to 2.5 GB and /healthz to 9 s.
"""

from __future__ import annotations

import argparse
import http.client
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.ack_latency import ROOT, bot_env, free_port
from bot.playground.standin import SlackStandIn

PIECE = 64 * 1024
GROWTH_GOAL_MB = 50.0
HEALTH_GOAL_MS = 100.0
START_TIMEOUT = 30.0


@dataclass
class WebProcess:
    process: subprocess.Popen[bytes]
    port: int

    def rss_mb(self) -> float:
        """VmRSS of the master and every worker it forked, summed, in MB."""
        return sum(rss_kb(pid) for pid in [self.process.pid, *children(self.process.pid)]) / 1024


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass  # a worker that just exited
    return 0


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # fields after the command name: state, ppid, ...
            found.append(int(stat.parent.name))
    return found


@contextmanager
def web_process(folder: Path, standin: SlackStandIn) -> Iterator[WebProcess]:
    port = free_port()
    env = bot_env(standin, f"sqlite:///{folder / 'bench.db'}")
    serve = [
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
        "8",
    ]
    with (folder / "serve.log").open("wb") as log:
        process = subprocess.Popen(serve, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    web = WebProcess(process, port)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while health_ms(port) is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the web process did not start:\n{(folder / 'serve.log').read_text()}")
            time.sleep(0.1)
        yield web
    finally:
        process.terminate()
        process.wait(timeout=15)


def health_ms(port: int) -> float | None:
    """One GET /healthz on a new connection, in ms; None when it fails."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        ok = response.status == 200 and response.read() == b"ok"
    except OSError:
        return None
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000 if ok else None


@dataclass
class Observed:
    health: list[float] = field(default_factory=list)
    health_failures: int = 0
    rss: list[float] = field(default_factory=list)


def observe(web: WebProcess, stop: threading.Event, seen: Observed) -> list[threading.Thread]:
    def health() -> None:
        while not stop.is_set():
            took = health_ms(web.port)
            if took is None:
                seen.health_failures += 1
            else:
                seen.health.append(took)
            time.sleep(0.01)

    def memory() -> None:
        while not stop.is_set():
            seen.rss.append(web.rss_mb())
            time.sleep(0.02)

    threads = [threading.Thread(target=health), threading.Thread(target=memory)]
    for thread in threads:
        thread.start()
    return threads


def quiet(web: WebProcess, seconds: float) -> Observed:
    seen, stop = Observed(), threading.Event()
    threads = observe(web, stop, seen)
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return seen


def unsigned_body(total: int, chunked: bool) -> Iterator[bytes]:
    """`total` bytes of a JSON-looking body, made piece by piece (chunk-framed when `chunked`)."""
    piece = b"{" + b" " * (PIECE - 1)
    sent = 0
    while sent < total:
        data = piece[: total - sent]
        sent += len(data)
        yield b"%x\r\n%s\r\n" % (len(data), data) if chunked else data
    if chunked:
        yield b"0\r\n\r\n"


@dataclass
class Attack:
    answer: str  # "413", another status, or "closed" when the server hung up before its answer was read
    sent_bytes: int
    seconds: float


def attack(port: int, total: int, chunked: bool) -> Attack:
    started = time.perf_counter()
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    head = f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        try:
            connection.sendall(head.encode())
            for data in unsigned_body(total, chunked):
                if select.select([connection], [], [], 0)[0]:
                    break  # the server has answered (or closed): stop sending
                connection.sendall(data)
                sent += len(data)
            answer = connection.recv(64).decode("latin-1")
        except (BrokenPipeError, ConnectionResetError):
            answer = ""
    status = answer.split()[1] if answer.startswith("HTTP/") else "closed"
    return Attack(status, sent, time.perf_counter() - started)


def under_attack(web: WebProcess, args: argparse.Namespace) -> tuple[Observed, list[Attack]]:
    """Waves of `args.attackers` POSTs at once, each wave sent when the last one has been answered."""
    seen, stop = Observed(), threading.Event()
    attacks: list[Attack] = []
    total = args.body_mb * 1024 * 1024

    def one(number: int) -> Attack:
        chunked = args.framing == "chunked" or (args.framing == "both" and number % 2 == 1)
        return attack(web.port, total, chunked=chunked)

    threads = observe(web, stop, seen)
    deadline = time.monotonic() + args.seconds
    with ThreadPoolExecutor(max_workers=args.attackers) as clients:
        while time.monotonic() < deadline:
            attacks += clients.map(one, range(args.attackers))
            time.sleep(args.pause_ms / 1000)
    stop.set()
    for thread in threads:
        thread.join()
    return seen, attacks


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else float("nan")


def report(
    console: Console, phases: dict[str, Observed], attacks: list[Attack], args: argparse.Namespace
) -> int:
    base = phases["quiet"]
    base_p50, base_max = percentile(base.health, 0.5), max(base.health)
    before = statistics.median(base.rss)
    table = Table(title="/healthz (ms, ratios against quiet) and memory (RSS of master + workers, MB)")
    for column in ("phase", "n", "p50", "p99", "max", "×p50", "×max", "failed", "RSS med", "RSS peak"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for phase, seen in phases.items():
        p50, p99, top = percentile(seen.health, 0.5), percentile(seen.health, 0.99), max(seen.health)
        table.add_row(
            phase, str(len(seen.health)), f"{p50:.1f}", f"{p99:.1f}", f"{top:.1f}",
            f"{p50 / base_p50:.1f}", f"{top / base_max:.1f}", str(seen.health_failures),
            f"{statistics.median(seen.rss):.1f}", f"{max(seen.rss):.1f}",
        )  # fmt: skip
    console.print(table)

    answers: dict[str, int] = {}
    for one in attacks:
        answers[one.answer] = answers.get(one.answer, 0) + 1
    sent = [one.sent_bytes / 1024 for one in attacks]
    took = [one.seconds * 1000 for one in attacks]
    console.print(
        f"{len(attacks)} unsigned {args.body_mb} MB POSTs, {args.attackers} at a time for {args.seconds:.0f} s "
        f"(framing: {args.framing}): answers {answers}; sent before the answer p50 {percentile(sent, 0.5):.0f} KB, "
        f"max {max(sent):.0f} KB; time to the answer p50 {percentile(took, 0.5):.1f} ms, max {max(took):.1f} ms"
    )
    during = phases["attack"]
    growth = max(max(during.rss), max(phases["after"].rss)) - before
    worst = max(during.health)
    failed = sum(seen.health_failures for seen in phases.values())
    met = growth < GROWTH_GOAL_MB and worst < HEALTH_GOAL_MS and failed == 0
    console.print(
        f"memory growth (peak during or after − quiet median): {growth:+.1f} MB "
        f"(< {GROWTH_GOAL_MB:.0f}: {'met' if growth < GROWTH_GOAL_MB else 'MISSED'}); "
        f"/healthz max during the attack {worst:.1f} ms (< {HEALTH_GOAL_MS:.0f}: "
        f"{'met' if worst < HEALTH_GOAL_MS else 'MISSED'}); failed /healthz: {failed}"
    )
    return 0 if met else 1


def run(args: argparse.Namespace) -> tuple[dict[str, Observed], list[Attack]]:
    standin = SlackStandIn().start()
    try:
        with tempfile.TemporaryDirectory() as scratch, web_process(Path(scratch), standin) as web:
            for _ in range(50):
                health_ms(web.port)  # warm every worker thread
            phases = {"quiet": quiet(web, args.quiet_seconds)}
            phases["attack"], attacks = under_attack(web, args)
            time.sleep(1)
            phases["after"] = quiet(web, args.quiet_seconds)
            return phases, attacks
    finally:
        standin.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="how long the attack lasts")
    parser.add_argument("--quiet-seconds", type=float, default=3.0, help="length of the quiet phases")
    parser.add_argument("--attackers", type=int, default=8, help="clients sending at once")
    parser.add_argument("--pause-ms", type=float, default=50.0, help="pause between waves")
    parser.add_argument("--body-mb", type=int, default=300, help="size of each body")
    parser.add_argument(
        "--framing",
        choices=("both", "length", "chunked"),
        default="both",
        help="Content-Length, chunked or both",
    )
    args = parser.parse_args()
    console = Console()
    phases, attacks = run(args)
    raise SystemExit(report(console, phases, attacks, args))


if __name__ == "__main__":
    main()
