"""A workspace's settings and the history of their changes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.models.columns import utc_column


class WorkspaceSetting(SQLModel, table=True):
    """One setting of a workspace, its value as JSON. Missing keys take the product's defaults."""

    __tablename__ = "workspace_setting"

    workspace_id: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    updated_by: str = Field(max_length=32)
    updated_at: datetime = Field(sa_column=utc_column())


class SettingChange(SQLModel, table=True):
    """Every change of a setting: who, when, the value in force before -> the new value (JSON)."""

    __tablename__ = "setting_change"
    __table_args__ = (sa.Index("ix_setting_change_workspace", "workspace_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    key: str = Field(max_length=64)
    old_value: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    new_value: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    changed_by: str = Field(max_length=32)
    changed_at: datetime = Field(sa_column=utc_column())
