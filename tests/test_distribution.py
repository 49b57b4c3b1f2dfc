"""Past one database: a distributed PostgreSQL (Citus) keeps each workspace's rows together when every
distributed table's primary and unique keys and foreign keys include the distribution column,
`workspace_id`. Every table follows that rule or is a small reference table that says so; the older
tables and constraints that break it are listed here, and the list can only shrink (an entry that no
longer breaks the rule fails the test until it is taken off)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

import store.models  # noqa: F401  (every table in the metadata)

COLUMN = "workspace_id"

# Older tables and constraints that break the rule (outbox_file came with the reports, before the rule).
ALLOWED = {
    ("announcement", "primary key (id)"),
    ("announcement_row", "no workspace_id"),
    ("announcement_row", "primary key (announcement_id, customer_id)"),
    ("announcement_row", "foreign key (announcement_id)"),
    ("announcement_row", "foreign key (customer_id)"),
    ("approval_request", "primary key (id)"),
    ("approval_request", "foreign key (customer_id)"),
    ("churn_change", "primary key (id)"),
    ("churn_change", "foreign key (customer_id)"),
    ("churn_state", "primary key (customer_id)"),
    ("churn_state", "foreign key (customer_id)"),
    ("complaint", "primary key (id)"),
    ("complaint", "foreign key (customer_id)"),
    ("complaint_event", "primary key (id)"),
    ("complaint_event", "foreign key (complaint_id)"),
    ("contact", "primary key (id)"),
    ("contact", "foreign key (customer_id)"),
    ("customer", "primary key (id)"),
    ("customer_change", "primary key (id)"),
    ("customer_change", "foreign key (customer_id)"),
    ("customer_order", "primary key (id)"),
    ("customer_order", "foreign key (customer_id)"),
    ("customer_term", "primary key (customer_id, term)"),
    ("customer_term", "foreign key (customer_id)"),
    ("extension_request", "primary key (id)"),
    ("extension_request", "foreign key (customer_id)"),
    ("outbox_file", "primary key (id)"),
    ("outbox_image", "primary key (id)"),
    ("outbox_message", "primary key (id)"),
    ("ownership_event", "primary key (id)"),
    ("ownership_event", "foreign key (customer_id)"),
    ("setting_change", "primary key (id)"),
    ("visit", "primary key (id)"),
    ("visit", "foreign key (customer_id)"),
}


def _is_reference(table: sa.Table) -> bool:
    """A table that says, in its model's docstring or its info, that it is a small reference table."""
    mapped = next((m.class_ for m in SQLModel._sa_registry.mappers if m.local_table is table), None)
    said = (mapped.__doc__ if mapped is not None else None) or table.info.get("doc", "")
    return "reference table" in " ".join(said.split())


def _names(columns: sa.ColumnCollection[str, sa.Column[object]] | list[sa.Column[object]]) -> list[str]:
    return [column.name for column in columns]


def breaks(table: sa.Table) -> set[tuple[str, str]]:
    found = set()
    if COLUMN not in table.columns:
        found.add((table.name, f"no {COLUMN}"))
    keys = _names(table.primary_key.columns)
    if COLUMN not in keys:
        found.add((table.name, f"primary key ({', '.join(keys)})"))
    for constraint in table.constraints:
        columns = _names(list(constraint.columns))  # type: ignore[attr-defined]
        if isinstance(constraint, sa.UniqueConstraint) and COLUMN not in columns:
            found.add((table.name, f"unique ({', '.join(columns)})"))
        if isinstance(constraint, sa.ForeignKeyConstraint) and COLUMN not in columns:
            found.add((table.name, f"foreign key ({', '.join(columns)})"))
    for index in table.indexes:
        if index.unique and COLUMN not in _names(list(index.columns)):
            found.add((table.name, f"unique index {index.name}"))
    return found


def test_every_distributed_table_keeps_its_keys_within_a_workspace_but_the_listed_older_ones():
    found = {
        broken
        for table in SQLModel.metadata.sorted_tables
        if not _is_reference(table)
        for broken in breaks(table)
    }
    assert found - ALLOWED == set(), "a new table or key must include workspace_id (or be a reference table)"
    assert ALLOWED - found == set(), "fixed: take it off ALLOWED, the list only shrinks"


def test_the_reference_tables_are_the_small_ones_of_the_machinery_and_the_installations():
    reference = {table.name for table in SQLModel.metadata.sorted_tables if _is_reference(table)}
    assert reference == {
        "workspace", "worker_lease", "job_run", "slack_installations", "slack_bots", "slack_oauth_states",
    }  # fmt: skip
