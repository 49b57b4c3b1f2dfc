"""Who leads the workers. An installation-wide table, not a workspace's: one row per lease, read by the
workers and by the web process's readiness check (a small reference table in a distributed database)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from store.models.columns import utc_column


class WorkerLease(SQLModel, table=True):
    """The lease of the worker that leads: who holds it, since when, and until when without a renewal.
    On SQLite the row is the election; on PostgreSQL an advisory lock elects, and the row is the leader's
    heartbeat (see bot/leader.py)."""

    __tablename__ = "worker_lease"

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=80)
    taken_at: datetime = Field(sa_column=utc_column())
    renewed_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
