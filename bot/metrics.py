"""`/metrics`, in Prometheus's text format, with the official client library (prometheus-client).

Counted in each web process where it happens: the requests Slack sent, by kind, with the time to their
answer (the ack), and the lazy listeners that failed. Under gunicorn's several processes the client
keeps each one's figures in files in PROMETHEUS_MULTIPROC_DIR (`serve` makes a fresh folder when none
is given) and `/metrics` sums them. Read from the database at each scrape, alike in every process: the
outbox's figures, the leader's heartbeat, and each job's latest run with what it counted per workspace.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from store import health as health_store
from store import job_runs, leases
from store.db import Database
from store.models import JobRun, WorkerLease

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REQUESTS = Counter("tidewater_requests", "Requests Slack sent, answered, by kind", ["kind"])
ACK_SECONDS = Histogram(
    "tidewater_ack_seconds",
    "Time from a request's arrival to its answer (Slack waits 3 s), by kind",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5),
)
LAZY_FAILURES = Counter(
    "tidewater_lazy_failures", "Lazy listeners that failed (each logged with a reference)"
)


class Machinery(Collector):
    """The outbox's figures, the leader's heartbeat and the jobs' latest runs, read when scraped."""

    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self.db, self.now = db, now

    def collect(self) -> Iterator[Metric]:
        now = self.now()
        with self.db.engine.connect() as connection:
            figures = health_store.outbox_figures(connection, since=now - timedelta(days=1))
            lease = leases.leader(connection)
            runs, counts = job_runs.latest_runs(connection), job_runs.latest_counts(connection)
        yield from _outbox(now, figures)
        yield from _leader(now, lease)
        yield from _jobs(runs, counts)


def _outbox(now: datetime, figures: health_store.OutboxFigures) -> Iterator[Metric]:
    oldest = figures.oldest_pending_at
    yield _gauge("outbox_pending", "Messages waiting to be sent", figures.pending)
    yield _gauge("outbox_retrying", "Waiting messages that failed at least once", figures.retrying)
    yield _gauge("outbox_oldest_pending_age_seconds", "Age of the oldest waiting message", _age(now, oldest))
    yield _gauge("outbox_sent_last_day", "Messages Slack took in the last 24 hours", figures.sent_since)
    yield _gauge("outbox_undeliverable", "Messages Slack refused for good", figures.refused)


def _leader(now: datetime, lease: WorkerLease | None) -> Iterator[Metric]:
    yield _gauge("leader_heartbeat_age_seconds", "Since the leading worker last renewed its lease",
                 _age(now, lease.renewed_at if lease else None))  # fmt: skip
    yield _gauge(
        "leader_present",
        "1 while a worker's lease runs",
        int(lease is not None and lease.expires_at > now),
    )


def _jobs(runs: list[JobRun], counts: list[job_runs.Count]) -> Iterator[Metric]:
    started = _by_job("job_last_run_timestamp_seconds", "When each job's latest run started (Unix time)")
    seconds = _by_job("job_last_run_duration_seconds", "How long each job's latest run took")
    succeeded = _by_job("job_last_run_succeeded", "1 when each job's latest run succeeded, 0 when it failed")
    success = _by_job("job_last_success_timestamp_seconds", "When each job last succeeded (Unix time)")
    for run in runs:
        started.add_metric([run.job], run.started_at.timestamp())
        seconds.add_metric([run.job], run.seconds)
        succeeded.add_metric([run.job], int(run.succeeded))
        if run.succeeded_at is not None:
            success.add_metric([run.job], run.succeeded_at.timestamp())
    counted = GaugeMetricFamily(
        "tidewater_job_counted",
        "What each job's latest successful run counted, per workspace (empty: the whole installation)",
        labels=["job", "workspace", "count"],
    )
    for count in counts:
        counted.add_metric([count.job, count.workspace_id, count.name], count.value)
    yield from (started, seconds, succeeded, success, counted)


def _by_job(name: str, documentation: str) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"tidewater_{name}", documentation, labels=["job"])


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"tidewater_{name}", documentation, value=value)


def _age(now: datetime, then: datetime | None) -> float:
    return math.nan if then is None else max(0.0, (now - then).total_seconds())


def exposition(db: Database, now: Callable[[], datetime]) -> bytes:
    """What /metrics answers: every process's counts (summed when there are several) and the machinery."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # unannotated upstream
    else:
        for counted in (REQUESTS, ACK_SECONDS, LAZY_FAILURES):
            registry.register(counted)
    registry.register(Machinery(db, now))
    return generate_latest(registry)
