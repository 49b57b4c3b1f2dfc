"""Marks of work done once: a request Slack sent, and a once-per-period piece of a job."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column


class RequestMark(SQLModel, table=True):
    """A request Slack sent, by what identifies a repeat of it (a command's or button's trigger id, a
    form's view id and hash, an event's id), with the answer it got: a replay writes nothing twice and
    gets the first answer. Kept for an hour (Slack replays within five minutes)."""

    __tablename__ = "request_mark"
    __table_args__ = (sa.Index("ix_request_mark_seen", "seen_at"),)

    workspace_id: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=200)
    seen_at: datetime = Field(sa_column=utc_column())
    answer: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))  # the ack, JSON


class JobMark(SQLModel, table=True):
    """A once-per-period piece of a job done (e.g. the churn scores of a day): catch up once, never twice."""

    __tablename__ = "job_mark"

    workspace_id: str = Field(primary_key=True, max_length=32)
    job: str = Field(primary_key=True, max_length=32)
    period: str = Field(primary_key=True, max_length=32)
    done_at: datetime = Field(sa_column=utc_column())
