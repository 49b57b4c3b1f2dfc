"""How the bot logs. Plain text lines by default; with LOG_FORMAT=json, one JSON object a line (time,
level, logger, message, and what the line happened in: the reference id a person was given, the
workspace, the user, the listener or the job), for a log collector to search.

What a line happened in is carried in a context variable (`scoped`), set where a request's listener or
a job starts, so every line logged inside says it without each call site repeating it. The command
line's own commands (import, export, db upgrade, jobs run) keep the libraries' chatter (alembic's
migration steps, the scheduler's ticks) out of what they print.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
FIELDS = ("reference", "workspace", "user", "listener", "job")
LIBRARIES = ("alembic", "apscheduler")

_scope: ContextVar[dict[str, str]] = ContextVar("log_scope", default={})  # noqa: B039 (never mutated)


@contextmanager
def scoped(**fields: str | None) -> Iterator[None]:
    """Every line logged inside says these (the ones given), beside what an outer scope said."""
    token = _scope.set({**_scope.get(), **{name: value for name, value in fields.items() if value}})
    try:
        yield
    finally:
        _scope.reset(token)


class JsonLines(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_scope.get(),
            **{name: getattr(record, name) for name in FIELDS if hasattr(record, name)},
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(log_format: str = "text", *, quiet_libraries: bool = False) -> None:
    """The root logger's one handler, at INFO; the libraries at WARNING when `quiet_libraries`."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    for library in LIBRARIES:
        logging.getLogger(library).setLevel(logging.WARNING if quiet_libraries else logging.NOTSET)
