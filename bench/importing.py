"""The import command timed batch by batch, for the import benchmarks (bench.import and
bench.import_opportunities)."""

from __future__ import annotations

import time
from pathlib import Path

from bench.typeahead import environment
from bot.services import bulk


def imported(url: str, kind: str, path: Path, batch: int) -> tuple[list[float], float, bulk.ImportReport]:
    """The import command's work on the file: ms per batch, and seconds in all."""
    env = environment(url)
    workspace = bulk.workspace_for(env, None)
    samples: list[float] = []
    last = time.perf_counter()

    def tick(_done: int, _size: int) -> None:
        nonlocal last
        now = time.perf_counter()
        samples.append((now - last) * 1000)
        last = now

    started = time.perf_counter()
    options = bulk.ImportOptions(batch_size=batch)
    report = bulk.import_file(env, kind, path, workspace=workspace, options=options, progress=tick)
    total = time.perf_counter() - started
    env.db.engine.dispose()
    return samples[1:-1] or samples, total, report  # the first includes the encoding check; the last the tail
