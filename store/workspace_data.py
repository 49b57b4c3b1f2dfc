"""A whole workspace's rows, table by table: to export them (every row of every table that holds the
workspace's data, its merged duplicates' namespace included) and to delete them in one transaction,
children before parents. The machinery's shared tables (leases, job runs) hold no workspace's data and
are left alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from store.merge import merged_namespace
from store.models.installations import BOTS, INSTALLATIONS

COLUMN = "workspace_id"
ANNOUNCEMENT_ROWS = "announcement_row"  # rows of an announcement: the workspace's through their announcement


def _tables() -> list[sa.Table]:
    """Every table with the workspace's rows, parents first (the workspace itself first of all)."""
    held = [t for t in SQLModel.metadata.sorted_tables if COLUMN in t.columns or t.name == ANNOUNCEMENT_ROWS]
    return [SQLModel.metadata.tables["workspace"], *held]


def _of(table: sa.Table, workspace_id: str) -> sa.ColumnElement[bool]:
    """The workspace's rows of `table`, with those kept under its namespace of merged duplicates."""
    if table is INSTALLATIONS or table is BOTS:
        return table.c.team_id == workspace_id
    ids = [workspace_id, merged_namespace(workspace_id)]
    if table.name == "workspace":
        return table.c.id.in_(ids)
    if table.name == ANNOUNCEMENT_ROWS:
        announcements = SQLModel.metadata.tables["announcement"]
        mine = sa.select(announcements.c.id).where(announcements.c.workspace_id.in_(ids))
        return table.c.announcement_id.in_(mine)
    return table.c[COLUMN].in_(ids)


def table_names() -> list[str]:
    return [table.name for table in (*_tables(), INSTALLATIONS, BOTS)]


def rows(connection: sa.Connection, table_name: str, workspace_id: str) -> Iterator[dict[str, Any]]:
    """The workspace's rows of one table, streamed in primary key order."""
    table = SQLModel.metadata.tables[table_name]
    query = sa.select(table).where(_of(table, workspace_id)).order_by(*table.primary_key.columns)
    for row in connection.execution_options(yield_per=1000).execute(query).mappings():
        yield dict(row)


def delete(connection: sa.Connection, workspace_id: str) -> dict[str, int]:
    """Every row of the workspace, children first; how many went from each table."""
    return {
        table.name: connection.execute(table.delete().where(_of(table, workspace_id))).rowcount
        for table in (INSTALLATIONS, BOTS, *reversed(_tables()))
    }


def summary(connection: sa.Connection) -> list[dict[str, Any]]:
    """Each workspace (merged namespaces aside): its id, name, whether active, its people and customers."""
    workspaces = SQLModel.metadata.tables["workspace"]
    found: list[dict[str, int]] = []
    for table in ("person", "customer"):
        held = SQLModel.metadata.tables[table]
        counted = sa.select(held.c.workspace_id, sa.func.count().label("n")).group_by(held.c.workspace_id)
        found.append(dict(connection.execute(counted).tuples().all()))
    people, customers = found
    listed = connection.execute(sa.select(workspaces).order_by(workspaces.c.id)).mappings()
    return [
        {"id": w["id"], "name": w["name"], "active": w["active"], "people": people.get(w["id"], 0),
         "customers": customers.get(w["id"], 0)}
        for w in listed
        if not str(w["id"]).endswith(merged_namespace(""))
    ]  # fmt: skip
