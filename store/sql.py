"""SQL that each engine wants written its own way: which engine a session or connection talks to, the
INSERT that knows ON CONFLICT, many values sent as one parameter, and whole days as integers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session, SQLModel

Bind = Session | sa.Connection


def is_postgresql(bind: Bind) -> bool:
    dialect = bind.dialect if isinstance(bind, sa.Connection) else bind.get_bind().dialect
    return dialect.name == "postgresql"


def insert_for(bind: Bind) -> Callable[..., Any]:
    """The engine's INSERT construct, the one with `on_conflict_do_nothing` / `_do_update`."""
    return postgresql.insert if is_postgresql(bind) else sqlite.insert


def one_of(
    bind: Bind, column: sa.ColumnElement[Any] | Mapped[Any], values: Iterable[Any]
) -> sa.ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(:values)`, one array parameter: an IN of a
    thousand parameters is compiled, sent and planned anew each time (for a job's thousand dedupe
    keys, about 25 ms against 5). For values bound when the statement runs (an executemany), see
    `keys_set`."""
    expression = column if isinstance(column, sa.ColumnElement) else sa.inspect(column).expression
    listed = list(values)
    if is_postgresql(bind):
        array = sa.bindparam(None, listed, type_=postgresql.ARRAY(expression.type))
        return expression == sa.func.any(array)
    return expression.in_(listed)


def keys_set(bind: Bind, name: str, *, integers: bool = False) -> sa.Select[Any]:
    """SELECT value FROM (the JSON array bound as `name` when the statement runs)."""
    param = sa.bindparam(name, type_=sa.String())
    if is_postgresql(bind):
        values = sa.func.json_array_elements_text(sa.cast(param, sa.JSON)).table_valued("value")
    else:
        values = sa.func.json_each(param).table_valued("value")
    value: sa.ColumnElement[Any] = values.c.value
    return sa.select(sa.cast(value, sa.BigInteger) if integers else value)


def insert_ignore(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on both engines (twenty first contacts at once insert one
    row): insert the row unless its key is taken; True when this call inserted it."""
    table = model.__table__  # type: ignore[attr-defined]
    # RETURNING tells whether a row went in: psycopg reports no row count for this statement.
    statement = (
        insert_for(session)(table)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*table.primary_key.columns)
    )
    return session.execute(statement).first() is not None


class day_number(sa.sql.functions.FunctionElement[int]):  # lower case: used like a SQL function
    """Whole days since a fixed day, so date differences are integers on both engines."""

    type = sa.Integer()
    inherit_cache = True


@compiles(day_number, "sqlite")
def _sqlite_day_number(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(day_number, "postgresql")
def _postgresql_day_number(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    return f"(CAST({compiler.process(element.clauses, **kw)} AS DATE) - DATE '2000-01-01')"
