"""A whole workspace, for the operator (`python -m bot workspace`): the workspaces the database holds,
a workspace's every row exported, and a workspace deleted in one transaction (after its export)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.env import Env
from bot.services import installations
from store import workspace_data


@dataclass(frozen=True)
class WorkspaceLine:
    id: str
    name: str
    active: bool
    installed: bool | None  # many workspaces: whether it has an installation now; one: None
    people: int
    customers: int


def list_workspaces(env: Env) -> list[WorkspaceLine]:
    with env.db.connection() as connection:
        found = workspace_data.summary(connection)
    installed = set(installations.installed(env)) if env.settings.installs_many else None
    return [
        WorkspaceLine(
            w["id"],
            w["name"] or "",
            bool(w["active"]),
            None if installed is None else w["id"] in installed,
            w["people"],
            w["customers"],
        )  # fmt: skip
        for w in found
    ]


def known(env: Env, workspace_id: str) -> bool:
    return any(line.id == workspace_id for line in list_workspaces(env))


def export_workspace(env: Env, workspace_id: str, folder: Path) -> dict[str, int]:
    """Every row of the workspace, a JSON Lines file per table that has some (`<table>.jsonl`: one
    object a line, instants in ISO 8601 with their offset, bytes in base64); rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with env.db.connection() as connection:
        for table in workspace_data.table_names():
            count = 0
            path = folder / f"{table}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for row in workspace_data.rows(connection, table, workspace_id):
                    out.write(json.dumps(row, ensure_ascii=False, default=_plain) + "\n")
                    count += 1
            if count:
                written[table] = count
            else:
                path.unlink()
    return written


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


def delete_workspace(env: Env, workspace_id: str) -> dict[str, int]:
    """Every row of the workspace and its installation, in one transaction; rows gone per table."""
    with env.db.connection() as connection:
        gone = workspace_data.delete(connection, workspace_id)
    return {table: count for table, count in gone.items() if count}
