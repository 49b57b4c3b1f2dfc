"""The workers' own tables, installation-wide rather than a workspace's: who leads them, and what each
job's latest run did. Read by the workers, `/readyz`, `/metrics` and `python -m bot status`."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column


class WorkerLease(SQLModel, table=True):
    """The lease of the worker that leads: who holds it, since when, and until when without a renewal.
    On SQLite the row is the election; on PostgreSQL an advisory lock elects, and the row is the leader's
    heartbeat (see bot/leader.py). A small reference table of the machinery (a row per lease), not a
    workspace's data."""

    __tablename__ = "worker_lease"

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=80)
    taken_at: datetime = Field(sa_column=utc_column())
    renewed_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())


class JobRun(SQLModel, table=True):
    """A job's latest run, one row per job, replaced by each run: when it started, how long it took,
    whether it succeeded (and the error when not), its one-line summary, and when it last succeeded. A
    small reference table of the machinery (a row per job); its counts per workspace are job_run_count."""

    __tablename__ = "job_run"

    job: str = Field(primary_key=True, max_length=32)
    started_at: datetime = Field(sa_column=utc_column())
    seconds: float
    succeeded: bool
    summary: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    error: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    succeeded_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class JobRunCount(SQLModel, table=True):
    """What a job's latest successful run counted in one workspace (e.g. recycle's `moved`); the empty
    workspace id is the installation as a whole (the outbox, retention). Replaced with each success."""

    __tablename__ = "job_run_count"

    job: str = Field(primary_key=True, max_length=32)
    workspace_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(primary_key=True, max_length=32)
    value: int
