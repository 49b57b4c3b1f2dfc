"""INSERT ... ON CONFLICT DO NOTHING on both engines: twenty first contacts at once insert one row."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_ignore(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert the row unless its key is taken; True when this call inserted it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__  # type: ignore[attr-defined]
    # RETURNING tells whether a row went in: psycopg reports no row count for this statement.
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return session.execute(statement).first() is not None
