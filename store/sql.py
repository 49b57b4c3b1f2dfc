"""SQL that each engine wants written its own way."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped
from sqlmodel import Session


def one_of(
    bind: Session | sa.Connection, column: sa.ColumnElement[Any] | Mapped[Any], values: Iterable[Any]
) -> sa.ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(:values)`, one array parameter: an IN of a
    thousand parameters is compiled, sent and planned anew each time (for a job's thousand dedupe
    keys, about 25 ms against 5)."""
    expression = column if isinstance(column, sa.ColumnElement) else sa.inspect(column).expression
    listed = list(values)
    dialect = bind.dialect if isinstance(bind, sa.Connection) else bind.get_bind().dialect
    if dialect.name == "postgresql":
        array = sa.bindparam(None, listed, type_=postgresql.ARRAY(expression.type))
        return expression == sa.func.any(array)
    return expression.in_(listed)
