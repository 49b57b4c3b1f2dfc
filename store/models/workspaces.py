"""A Slack workspace and its own choices."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column


class Workspace(SQLModel, table=True):
    """A Slack workspace (team) and its own choices. A small reference table (a row per workspace): its
    id is every other table's distribution column, `workspace_id`."""

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=200)
    locale: str | None = Field(default=None, max_length=16)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    country: str = Field(default="CN", max_length=2)
    currency: str = Field(default="CNY", max_length=3)
    # Of the customers who ordered in the 12 months before last, the share who ordered again in the
    # last 12 (the `tiers` job, nightly), and how many that share is of: the lifetime value's horizon.
    retention_percent: int | None = None
    retention_base: int = 0
    # False once Slack says the app was uninstalled or its bot token revoked: the workspace's jobs are
    # skipped and its queued messages wait; its next request (after a reinstall) makes it active again.
    active: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    inactive_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # The Enterprise Grid organisation whose organisation-wide install covers it (many workspaces):
    # learned from its requests, it tells the jobs and the outbox which bot speaks there.
    enterprise_id: str | None = Field(default=None, max_length=32)
    # Bumped by the database itself (triggers, migration 0022) in the transaction of any change to what
    # a request reads of the workspace: its columns above, its people's, its settings. A process keeps
    # those in memory and reads only this to know whether they are still right (bot/services/freshness.py).
    version: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default=sa.text("0"))
    )
    created_at: datetime = Field(sa_column=utc_column())
