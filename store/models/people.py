"""The people the bot has met in a workspace, and their roles."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column

ROLE_REP = "rep"
ROLE_MANAGER = "manager"
ROLE_ADMIN = "admin"
ROLES = (ROLE_REP, ROLE_MANAGER, ROLE_ADMIN)


class Person(SQLModel, table=True):
    """Someone the bot has met in a workspace: a rep, a manager (with a team) or an admin."""

    __table_args__ = (
        sa.Index("ix_person_manager", "workspace_id", "manager_id"),
        sa.Index("ix_person_email", "workspace_id", "email"),  # imports name owners by e-mail
    )

    workspace_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=200)
    role: str = Field(default=ROLE_REP, max_length=16)
    manager_id: str | None = Field(default=None, max_length=32)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    email: str | None = Field(default=None, max_length=254)  # from users.info (users:read.email)
    slack_locale: str | None = Field(default=None, max_length=16)
    chosen_locale: str | None = Field(default=None, max_length=16)
    is_slack_admin: bool = False
    is_guest: bool = False
    is_deleted: bool = False
    # When Slack's profile was last asked for, and whether it answered (else workspace defaults apply).
    profile_checked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    profile_synced: bool = False
    # The daily claim counter: claims made on `claims_day` (the person's own day). Claims update it
    # with a conditional UPDATE, which also serializes one person's concurrent claims in the database.
    claims_day: date | None = None
    claims_on_day: int = 0
    created_at: datetime = Field(sa_column=utc_column())
