"""What the bot sends on its own, kept until Slack has it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column


class OutboxMessage(SQLModel, table=True):
    """A message the bot sends on its own, kept until Slack has it (or refused it for good).

    The dedupe key (kind, recipient, subject, period) is unique per workspace: a job that runs twice,
    or a second worker, enqueues the same message once.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "dedupe_key", name="uq_outbox_dedupe"),
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    dedupe_key: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    channel: str = Field(max_length=32)  # a user id (a DM) or a channel id
    payload: str = Field(sa_column=sa.Column(sa.Text, nullable=False))  # the chat.postMessage arguments, JSON
    status: str = Field(default="pending", max_length=16)  # pending, sent, failed
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=utc_column())
    last_error: str = Field(default="", max_length=200)
    ts: str | None = Field(default=None, max_length=32)
    # The conversation Slack posted it in (a DM's D… id for a user): what a later update or reply needs.
    posted_channel: str | None = Field(default=None, max_length=32)
    # One sender at a time: who took the message and until when (the clock at the taking + the lease).
    lease_owner: str | None = Field(default=None, max_length=32)
    leased_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Set when a sender is about to post, cleared when Slack's answer is recorded: found set by the next
    # sender, the post is in doubt (it may be in Slack) and is looked for before it is sent again.
    posting_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Sent again without being able to look for an earlier copy (the history could not be read).
    possible_duplicate: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    created_at: datetime = Field(sa_column=utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class OutboxImage(SQLModel, table=True):
    """An image a queued message shows (a report's chart): kept with the message, uploaded to Slack by
    the sender just before the post, once (its file id kept, so a post sent again reuses the upload)."""

    __tablename__ = "outbox_image"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    png: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    filename: str = Field(max_length=100)
    title: str = Field(default="", max_length=200)
    file_id: str | None = Field(default=None, max_length=32)  # Slack's, once uploaded
    created_at: datetime = Field(sa_column=utc_column())
    uploaded_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class OutboxFile(SQLModel, table=True):
    """A file a queued message shares (a report's figures as CSV): kept with the message, uploaded by the
    sender just before the post, once, without sharing it anywhere; the post carries its permalink, which
    shares it in that conversation (a file the bot uploaded becomes visible where the bot posts its link).
    The permalink is kept with the file id, so a post sent again reuses the upload."""

    __tablename__ = "outbox_file"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    filename: str = Field(max_length=100)
    title: str = Field(default="", max_length=200)
    file_id: str | None = Field(default=None, max_length=32)  # Slack's, once uploaded
    permalink: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_column=utc_column())
    uploaded_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
