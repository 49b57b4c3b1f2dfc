"""INSERT ... ON CONFLICT DO NOTHING on both engines: twenty first contacts at once insert one row."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, SQLModel

from store.sql import insert_for


def insert_ignore(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert the row unless its key is taken; True when this call inserted it."""
    table = model.__table__  # type: ignore[attr-defined]
    # RETURNING tells whether a row went in: psycopg reports no row count for this statement.
    statement = (
        insert_for(session)(table)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*table.primary_key.columns)
    )
    return session.execute(statement).first() is not None
