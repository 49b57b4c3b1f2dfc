"""The settings store: one JSON value per (workspace, key), and the log of every change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import SettingChange, Workspace, WorkspaceSetting
from store.sql import insert_ignore

_LOAD = sa.select(col(WorkspaceSetting.key), col(WorkspaceSetting.value)).where(
    col(WorkspaceSetting.workspace_id) == sa.bindparam("ws")
)


def load_settings(*, session: Session | sa.Connection, workspace_id: str) -> dict[str, str]:
    """Every stored setting of the workspace as {key: JSON text} (one prebuilt statement)."""
    return {str(key): str(value) for key, value in session.execute(_LOAD, {"ws": workspace_id})}


def save_setting(
    *,
    session: Session,
    workspace_id: str,
    key: str,
    stored_value: str | None,
    old_value: str,
    new_value: str,
    changed_by: str,
    at: datetime,
) -> bool:
    """Write one value if the store still holds `stored_value` (None: never set), and log the change
    from `old_value` (the value in force, perhaps the default). False: someone changed it meanwhile.

    The condition makes two admins saving at once safe: the second is told the value changed.
    """
    if stored_value is None:
        changed = _first_write(session, workspace_id, key, new_value, changed_by, at)
    else:
        changed = _write_over(session, workspace_id, key, stored_value, new_value, changed_by, at)
    if changed:
        session.execute(  # what requests keep of the workspace is stale now (see Workspace.version)
            sa.update(Workspace)
            .where(col(Workspace.id) == workspace_id)
            .values(version=col(Workspace.version) + 1)
        )
        session.add(
            SettingChange(
                workspace_id=workspace_id,
                key=key,
                old_value=old_value,
                new_value=new_value,
                changed_by=changed_by,
                changed_at=at,
            )
        )
    return changed


def _first_write(session: Session, workspace_id: str, key: str, value: str, by: str, at: datetime) -> bool:
    """The first value of a setting: True unless another admin's first value went in meanwhile."""
    values = {"workspace_id": workspace_id, "key": key, "value": value, "updated_by": by}
    insert_ignore(session, WorkspaceSetting, {**values, "updated_at": at})
    written = session.get(WorkspaceSetting, (workspace_id, key), populate_existing=True)
    return written is not None and written.value == value and written.updated_at == at


def _write_over(
    session: Session, workspace_id: str, key: str, stored: str, value: str, by: str, at: datetime
) -> bool:
    """A new value over `stored`: True unless someone changed it meanwhile."""
    result = session.execute(
        sa.update(WorkspaceSetting)
        .where(
            col(WorkspaceSetting.workspace_id) == workspace_id,
            col(WorkspaceSetting.key) == key,
            col(WorkspaceSetting.value) == stored,
        )
        .values(value=value, updated_by=by, updated_at=at)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def recent_changes(*, session: Session, workspace_id: str, limit: int) -> Sequence[SettingChange]:
    return session.exec(
        select(SettingChange)
        .where(SettingChange.workspace_id == workspace_id)
        .order_by(col(SettingChange.changed_at).desc(), col(SettingChange.id).desc())
        .limit(limit)
    ).all()
