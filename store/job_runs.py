"""Each job's latest run, as the worker records it and `/metrics` and `python -m bot status` read it.

One row per job in `job_run`, replaced by each run; what the latest successful run counted, per
workspace, in `job_run_count`. A failed run replaces the row's outcome but keeps the counts and the
time of the last success, so a job failing since noon still shows what it last did and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from store.models.workers import JobRun, JobRunCount
from store.sql import insert_for

RUNS: sa.Table = JobRun.__table__  # type: ignore[attr-defined]
COUNTS: sa.Table = JobRunCount.__table__  # type: ignore[attr-defined]
ERROR_KEPT = 500  # characters of a failure's message: enough to recognise it, the log has the rest

Counts = Mapping[str, Mapping[str, int]]  # workspace id ("" for the installation) -> count name -> value


@dataclass(frozen=True)
class Count:
    job: str
    workspace_id: str
    name: str
    value: int


def record_success(
    connection: sa.Connection, *, job: str, started_at: datetime, seconds: float, summary: str, counts: Counts
) -> None:
    """The run replaces the job's row and its counts. The row is written first: on PostgreSQL its lock
    makes a second run of the same job (a `jobs run` beside the worker) wait for this one's counts."""
    values = {"started_at": started_at, "seconds": seconds, "succeeded": True, "summary": summary}
    _upsert(connection, job, {**values, "error": None, "succeeded_at": started_at}, first={})
    connection.execute(COUNTS.delete().where(COUNTS.c.job == job))
    rows = [
        {"job": job, "workspace_id": workspace_id, "name": name, "value": value}
        for workspace_id, named in counts.items()
        for name, value in named.items()
    ]
    if rows:
        connection.execute(COUNTS.insert(), rows)


def record_failure(
    connection: sa.Connection, *, job: str, started_at: datetime, seconds: float, error: str
) -> None:
    """The run failed: its row says so; the counts and the last success stay as they were."""
    values = {"started_at": started_at, "seconds": seconds, "succeeded": False, "error": error[:ERROR_KEPT]}
    _upsert(connection, job, values, first={"summary": "", "succeeded_at": None})


def _upsert(
    connection: sa.Connection, job: str, values: dict[str, object], first: Mapping[str, object]
) -> None:
    insert = insert_for(connection)(RUNS).values(job=job, **first, **values)
    connection.execute(insert.on_conflict_do_update(index_elements=[RUNS.c.job], set_=values))


def latest_runs(connection: sa.Connection) -> list[JobRun]:
    """Every job's latest run, by name; none before a job first ran (or before the table exists)."""
    if not sa.inspect(connection).has_table(RUNS.name):
        return []
    rows = connection.execute(sa.select(RUNS).order_by(RUNS.c.job))
    return [JobRun(**row._mapping) for row in rows]


def latest_counts(connection: sa.Connection) -> list[Count]:
    if not sa.inspect(connection).has_table(COUNTS.name):
        return []
    query = sa.select(COUNTS).order_by(COUNTS.c.job, COUNTS.c.workspace_id, COUNTS.c.name)
    return [Count(*row) for row in connection.execute(query)]
