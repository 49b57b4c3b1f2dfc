"""Bulk work from the command line: import customers, orders, visits, contacts and opportunities
from CSV, export CSV, back up.

An import is one transaction. Each batch of lines is checked with the app's own validation (the
create form's, the order's, the visit's), looked up set-based (store.bulk) and written; a line that
fails a check is reported with its number and reason and skipped. Any error rolls everything back;
a dry run, and --strict when a line was rejected, roll back on purpose after doing the same work, so
their report is the real one. The texts here are for the command line: English, not translated.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlmodel import Session

from bot.env import Env
from bot.rules import csv_rows
from bot.rules.csv_rows import Record, RowError
from bot.services.bulk_customers import CustomerImport
from bot.services.bulk_export import backup as backup
from bot.services.bulk_export import export as export
from bot.services.bulk_export import restore as restore
from bot.services.bulk_export import workspace_for as workspace_for
from bot.services.bulk_lines import ContactImport, OrderImport, VisitImport
from bot.services.bulk_opportunities import OpportunityImport
from bot.services.bulk_run import BATCH_SIZE as BATCH_SIZE
from bot.services.bulk_run import DUPLICATE as DUPLICATE
from bot.services.bulk_run import EXPORTS as EXPORTS
from bot.services.bulk_run import IMPORTED_BY as IMPORTED_BY
from bot.services.bulk_run import KINDS as KINDS
from bot.services.bulk_run import MERGED as MERGED
from bot.services.bulk_run import ON_DUPLICATE as ON_DUPLICATE
from bot.services.bulk_run import REJECTED as REJECTED
from bot.services.bulk_run import BulkError as BulkError
from bot.services.bulk_run import Importer as Importer
from bot.services.bulk_run import ImportOptions as ImportOptions
from bot.services.bulk_run import ImportReport as ImportReport
from bot.services.bulk_run import Outcome as Outcome
from bot.services.bulk_run import People as People
from bot.services.bulk_run import Progress as Progress
from bot.services.bulk_run import Run as Run
from store import bulk as store
from store.models import Workspace


class _RollBack(Exception):
    """Leave the import's transaction without committing (a dry run, or --strict with rejections)."""


IMPORTERS: dict[str, Callable[[Run], Importer]] = {
    "customers": CustomerImport,
    "orders": OrderImport,
    "visits": VisitImport,
    "contacts": ContactImport,
    "opportunities": OpportunityImport,
}


# -- Reading the file ------------------------------------------------------------------------------------


def _encoding_of(path: Path, chosen: str | None) -> str:
    """The encoding named with --encoding, else the first one the whole file decodes as."""
    if chosen:
        return _named_encoding(chosen)
    for encoding in csv_rows.ENCODINGS:
        with path.open("rb") as raw:
            if csv_rows.decodes_as(iter(lambda: raw.read(1 << 20), b""), encoding):
                return encoding
    raise BulkError("the file is neither UTF-8 nor GB18030; name its encoding with --encoding")


def _named_encoding(chosen: str) -> str:
    try:
        return codecs.lookup(chosen).name
    except LookupError:
        raise BulkError(f"unknown encoding {chosen!r} (try utf-8-sig or gb18030)") from None


def _batches(
    raw: IO[bytes], records: Iterator[Record], run: Run, progress: Progress | None
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    """The lines after the header, a batch at a time, as {field: value}; the header names the fields."""
    header = next(records, None)
    if header is None:
        raise BulkError("the file is empty: the first line should name the columns")
    try:
        columns = csv_rows.map_columns(header.cells, run.report.kind)
    except csv_rows.BadFile as error:
        raise BulkError(str(error)) from None
    run.report.ignored_columns = columns.ignored
    size, batch = Path(raw.name).stat().st_size, []
    for record in records:
        run.report.lines += 1
        try:
            batch.append((record.line, csv_rows.values_of(record, columns, len(header.cells))))
        except RowError as error:
            run.note(record.line, REJECTED, str(error))
        if len(batch) >= run.options.batch_size:
            yield batch
            batch = []
            if progress:
                progress(raw.tell(), size)
    yield batch
    if progress:
        progress(size, size)


def _take(importer: Importer, session: Session, batch: list[tuple[int, dict[str, str]]]) -> None:
    try:
        importer.take(session, batch)
    except sa.exc.SQLAlchemyError as error:
        lines = f"lines {batch[0][0]}-{batch[-1][0]}" if batch else "the last lines"
        reason = getattr(error, "orig", None) or error
        message = f"the database refused {lines} ({reason}): the whole import was rolled back"
        raise BulkError(message) from error


def import_file(
    env: Env,
    kind: str,
    path: Path,
    *,
    workspace: Workspace,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV file of customers, orders, visits, contacts or opportunities in one transaction; the report says what
    happened to every line that was not simply added."""
    if not path.is_file():
        raise BulkError(f"there is no file {path}")
    encoding = _encoding_of(path, options.encoding)
    report = ImportReport(kind, encoding)
    try:
        with env.db.session() as session, path.open("rb") as raw:
            store.begin_bulk_writes(session=session)
            people = store.people_of(session=session, workspace_id=workspace.id)
            run = Run(workspace, env.clock.now(), options, report, People(people))
            importer = IMPORTERS[kind](run)
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")  # newline="": as csv wants
            for batch in _batches(raw, csv_rows.read_records(text), run, progress):
                _take(importer, session, batch)
            report.outcomes.sort(key=lambda outcome: outcome.line)  # rejected early or late, in file order
            _settle(report, options)
    except _RollBack:
        pass
    except UnicodeDecodeError as error:
        raise BulkError(
            f"the file is not {encoding} ({error.reason}); name its encoding with --encoding"
        ) from None
    except csv.Error as error:
        raise BulkError(f"the file is not a CSV file this tool can read ({error})") from None
    return report


def _settle(report: ImportReport, options: ImportOptions) -> None:
    """Commit, unless this is a dry run or a --strict import with rejected lines."""
    rejected = report.count(REJECTED)
    if options.strict and rejected:
        lines = "1 line was" if rejected == 1 else f"{rejected:,} lines were"
        report.aborted = f"--strict is on and {lines} rejected"
        raise _RollBack
    if options.dry_run:
        raise _RollBack
    report.committed = True
