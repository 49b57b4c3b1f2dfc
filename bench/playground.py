"""Start to first prompt of the playground, `python -m bot try`, with the sample workspace.

Each run is a fresh process, as a newcomer would start it: Python starts, the app is built, the
database is made and migrated, the sample workspace (people, a few hundred customers with their
visits, orders and complaints) is written through the services, and the first prompt waits. The
clock stops when the prompt has answered its first line (`quit`), so every part of the start is in.
Baseline, in the same run: a process that only imports what the playground imports (the floor no
start-up work can go under).

    python -m bench.playground             # 7 runs each
    python -m bench.playground --runs 3 --lang zh

Goal: the first prompt within 3 seconds (p99 of the runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from rich.console import Console

from bench.typeahead import ratio_table

GOAL_SECONDS = 3.0
IMPORTS_ONLY = [sys.executable, "-c", "import bot.playground.session, bot.playground.cli"]


def playground(lang: str) -> list[str]:
    return [sys.executable, "-m", "bot", "try", "--lang", lang]


def seconds_to_first_prompt(command: list[str], *, answer: str) -> float:
    """Wall time of a fresh process until it has read its first line of input and stopped."""
    started = time.perf_counter()
    done = subprocess.run(command, input=answer, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return elapsed


def measured(command: list[str], runs: int, *, answer: str = "") -> tuple[float, float]:
    times = sorted(seconds_to_first_prompt(command, answer=answer) * 1000 for _ in range(runs))
    return statistics.median(times), times[-1]  # with a handful of runs, p99 is the slowest


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    args = parser.parse_args()
    console = Console()
    console.print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    baseline = measured(IMPORTS_ONLY, args.runs)
    started = measured(playground(args.lang), args.runs, answer="quit\n")
    ratio_table(
        console,
        f"playground start to first prompt ({args.lang}, {args.runs} fresh processes each)",
        [
            ("baseline: import the playground's modules only", *baseline),
            ("python -m bot try, answering quit", *started),
        ],
    )
    p99_s = started[1] / 1000
    verdict = "met" if p99_s < GOAL_SECONDS else "MISSED"
    console.print(f"  goal: first prompt within {GOAL_SECONDS:.0f} s (p99 {p99_s:.2f} s): {verdict}")


if __name__ == "__main__":
    main()
