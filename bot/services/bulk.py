"""Bulk work from the command line: import customers, orders and visits from CSV, export CSV, back up.

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
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Protocol, TextIO

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from bot.env import Env
from bot.errors import InvalidInput
from bot.rules import csv_rows, money, names
from bot.rules.calendar import local_today, zone
from bot.rules.csv_rows import Record, RowError
from bot.rules.followups import follow_up_after_visit
from bot.rules.pool import recycle_clock_after_visit
from bot.services.customers import FIELD_LIMITS, CustomerDraft, validate_draft
from bot.services.orders import OrderDraft, validate_order
from bot.services.visits import VisitDraft, validate_visit
from store import bulk as store
from store.models import Customer, Order, Person, Visit, Workspace

KINDS, EXPORTS, ON_DUPLICATE = csv_rows.KINDS, csv_rows.EXPORTS, csv_rows.ON_DUPLICATE
BATCH_SIZE = 5000
# Written as created_by (and an order's author when the file names none and the customer has no
# owner): rows that came from a file, not from someone in Slack.
IMPORTED_BY = "import"
REJECTED, DUPLICATE, MERGED = "rejected", "duplicate", "merged"
Progress = Callable[[int, int], None]  # bytes read, file size


class BulkError(Exception):
    """The whole command failed and nothing was written; the message says why."""


class _RollBack(Exception):
    """Leave the import's transaction without committing (a dry run, or --strict with rejections)."""


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    strict: bool = False
    on_duplicate: str = "skip"
    encoding: str | None = None
    batch_size: int = BATCH_SIZE


@dataclass(frozen=True)
class Outcome:
    """A line that was not simply added: rejected (with why), a duplicate skipped, or merged."""

    line: int
    status: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    encoding: str = ""
    lines: int = 0
    added: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    committed: bool = False
    aborted: str = ""  # why nothing was written when it was meant to be

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)


@dataclass
class _Run:
    """One import: where it goes, when it happens, whom it may name, and what it reports."""

    workspace: Workspace
    now: datetime
    options: ImportOptions
    report: ImportReport
    people: _People

    def note(self, line: int, status: str, reason: str) -> None:
        self.report.outcomes.append(Outcome(line, status, reason))


class _People:
    """The workspace's people by Slack user id and by e-mail (a file names owners and authors either way)."""

    def __init__(self, people: Sequence[Person]) -> None:
        self.by_id = {person.user_id: person for person in people}
        self.by_email = {person.email.casefold(): person for person in people if person.email}

    def find(self, text: str, what: str) -> Person:
        if "@" in text:
            person, named = self.by_email.get(text.casefold()), f"the e-mail {text}"
        elif csv_rows.is_user_id(text.upper()):
            person, named = self.by_id.get(text.upper()), f"the Slack user id {text.upper()}"
        else:
            raise RowError(f"{what}: {text!r} is neither a Slack user id (U…) nor an e-mail address")
        if person is None:
            raise RowError(f"{what}: nobody in this workspace has {named}")
        if person.is_deleted or person.is_guest:
            state = "deactivated" if person.is_deleted else "a guest, and guests do not use the CRM"
            raise RowError(f"{what}: {self.label(person.user_id)} is {state}")
        return person

    def label(self, user_id: str) -> str:
        person = self.by_id.get(user_id)
        return f"{person.name} ({user_id})" if person and person.name and person.name != user_id else user_id


class _Importer(Protocol):
    def take(self, session: Session, batch: list[tuple[int, dict[str, str]]]) -> None: ...


def _template(model: type[SQLModel], **required: Any) -> dict[str, Any]:
    """Every column of a new row with the model's defaults (future columns included), for Core inserts."""
    row = model(**required).model_dump(exclude={"id"})
    return {name: value for name, value in row.items() if name in model.__table__.columns}  # type: ignore[attr-defined]


def _reason(error: InvalidInput) -> str:
    return f"{error.field}: {error}" if error.field else str(error)


# -- Customers ------------------------------------------------------------------------------------------


@dataclass
class _Customer:
    """A customer a line may duplicate: one in the database, or one added by an earlier line."""

    name: str
    key: str
    phone_key: str | None
    owner_id: str | None
    fields: dict[str, str]  # store.FILLABLE
    level: str = "C"
    line: int = 0  # the line of this file that added it (0: it was there before)
    id: int | None = None
    filled: list[str] = field(default_factory=list)  # what merges filled in


class _Customers:
    """Customer lines: the create form's validation, then duplicates by the shared keys (the normalized
    name, the phone's E.164 digits) on their indexes, a batch at a time, against the database (which
    holds the earlier batches of this file, in the same transaction) and the batch's earlier lines."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.template = _template(
            Customer, workspace_id=run.workspace.id, name="", name_key="", created_by=IMPORTED_BY,
            created_at=run.now, updated_at=run.now,
        )  # fmt: skip
        # Ids of the customers this file added and their lines, both ascending: which line made a
        # duplicate found in the database, without a dict of a million entries.
        self.added_ids, self.added_lines = array("q"), array("q")

    def take(self, session: Session, batch: list[tuple[int, dict[str, str]]]) -> None:
        fresh = [customer for line, values in batch if (customer := self._checked(line, values))]
        known = self._known(session, fresh)
        added: list[_Customer] = []
        seen: dict[tuple[str, str], _Customer] = {}
        for customer in fresh:
            match = self._duplicate_of(customer, known, seen)
            if match is None:
                added.append(customer)
                seen.setdefault(("name", customer.key), customer)
                if customer.phone_key:
                    seen.setdefault(("phone", customer.phone_key), customer)
            else:
                self._settle_duplicate(customer, *match)
        self._write(session, added, [c for cs in known.values() for c in cs if c.filled])

    def _checked(self, line: int, values: dict[str, str]) -> _Customer | None:
        try:
            typed = {name: values.get(name, "") for name in FIELD_LIMITS}
            draft = validate_draft(CustomerDraft(**typed, level=values.get("level", "")))
            owner = self._owner(values.get("owner", ""))
        except InvalidInput as error:
            self.run.note(line, REJECTED, _reason(error))
            return None
        except RowError as error:
            self.run.note(line, REJECTED, str(error))
            return None
        phone_key = names.phone_key(draft.phone, self.run.workspace.country) if draft.phone else None
        fields = {name: getattr(draft, name) for name in store.FILLABLE}
        return _Customer(draft.name, names.name_key(draft.name), phone_key, owner, fields, draft.level, line)

    def _owner(self, text: str) -> str | None:
        """Whom the line names as owner; nobody (the pool) when the cell is empty or says so."""
        return None if csv_rows.means_pool(text) else self.run.people.find(text, "owner").user_id

    def _known(self, session: Session, fresh: list[_Customer]) -> dict[tuple[str, str], list[_Customer]]:
        """The database's customers sharing a name key or a phone key with the batch, by key."""
        ws = self.run.workspace.id
        by_name = store.customers_with_keys(
            session=session, workspace_id=ws, column="name_key", keys={c.key for c in fresh}
        )
        by_phone = store.customers_with_keys(
            session=session,
            workspace_id=ws,
            column="phone_key",
            keys={c.phone_key for c in fresh if c.phone_key},
        )
        rows = {row.id: self._existing(row) for row in [*by_name, *by_phone]}
        known: dict[tuple[str, str], list[_Customer]] = {}
        for customer in sorted(rows.values(), key=lambda c: c.id or 0):
            known.setdefault(("name", customer.key), []).append(customer)
            if customer.phone_key:
                known.setdefault(("phone", customer.phone_key), []).append(customer)
        return known

    def _existing(self, row: sa.Row[Any]) -> _Customer:
        fields = {name: getattr(row, name) for name in store.FILLABLE}
        line = bisect_left(self.added_ids, row.id)
        added_here = line < len(self.added_ids) and self.added_ids[line] == row.id
        customer = _Customer(row.name, row.name_key, row.phone_key, row.owner_id, fields, id=row.id)
        customer.line = self.added_lines[line] if added_here else 0
        return customer

    @staticmethod
    def _duplicate_of(
        customer: _Customer,
        known: dict[tuple[str, str], list[_Customer]],
        seen: dict[tuple[str, str], _Customer],
    ) -> tuple[_Customer, str] | None:
        """The customer this line duplicates and how: the same name before the same phone, and the
        database before the batch."""
        for how, key in (("name", customer.key), ("phone", customer.phone_key)):
            in_database = known.get((how, key or ""))
            match = in_database[0] if in_database else seen.get((how, key or ""))
            if key and match:
                return match, how
        return None

    def _settle_duplicate(self, customer: _Customer, match: _Customer, how: str) -> None:
        which = f"{self._describe(match)}, same {how}"
        if self.run.options.on_duplicate != "merge":
            self.run.note(customer.line, DUPLICATE, f"duplicate of {which}")
            return
        filled = [name for name, value in customer.fields.items() if value and not match.fields[name]]
        for name in filled:
            match.fields[name] = customer.fields[name]
        match.filled += filled
        what = f"filled {', '.join(filled)}" if filled else "nothing to fill"
        self.run.note(customer.line, MERGED, f"merged into {which}: {what}")

    def _describe(self, customer: _Customer) -> str:
        owner = f"owned by {self.run.people.label(customer.owner_id)}" if customer.owner_id else "in the pool"
        if customer.line:
            return f"line {customer.line} “{customer.name}” ({owner})"
        return f"“{customer.name}” (#{customer.id}, {owner})"

    def _write(self, session: Session, added: list[_Customer], merged: list[_Customer]) -> None:
        ids = store.insert_customers(session=session, rows=[self._row(c) for c in added])
        terms: list[dict[str, Any]] = []
        for customer, customer_id in zip(added, ids, strict=True):
            self.added_ids.append(customer_id)
            self.added_lines.append(customer.line)
            ws = self.run.workspace.id
            terms += [
                {"customer_id": customer_id, "term": t, "workspace_id": ws}
                for t in names.search_terms(customer.name)
            ]
        store.insert_terms(session=session, rows=terms)
        store.fill_empty_fields(session=session, fills=[self._fill(c) for c in merged])
        self.run.report.added += len(added)

    def _row(self, customer: _Customer) -> dict[str, Any]:
        now, owned = self.run.now, customer.owner_id is not None
        if customer.fields["phone"] and customer.phone_key is None:  # merged in from a later line
            customer.phone_key = names.phone_key(customer.fields["phone"], self.run.workspace.country)
        return {
            **self.template,
            **customer.fields,
            "name": customer.name,
            "name_key": customer.key,
            "phone_key": customer.phone_key,
            "level": customer.level,
            "owner_id": customer.owner_id,
            "owned_since": now if owned else None,
            "recycle_clock_from": now if owned else None,
            "pool_since": None if owned else now,
        }

    def _fill(self, customer: _Customer) -> dict[str, Any]:
        values = {
            f"b_{name}": customer.fields[name] if name in customer.filled else "" for name in store.FILLABLE
        }
        phone = values["b_phone"]
        phone_key = names.phone_key(phone, self.run.workspace.country) if phone else None
        return {**values, "b_id": customer.id, "b_phone_key": phone_key, "b_now": self.run.now}


# -- Orders and visits ----------------------------------------------------------------------------------


class _Found:
    """The customers a batch names, found with two indexed lookups."""

    def __init__(self, session: Session, workspace_id: str, refs: Sequence[csv_rows.CustomerRef]) -> None:
        keys = {ref.key for ref in refs if ref.key}
        ids = {ref.id for ref in refs if ref.id is not None}
        rows = store.customers_named(session=session, workspace_id=workspace_id, keys=keys, ids=ids)
        self.by_id = {row.id: row for row in rows}
        self.by_key: dict[str, list[sa.Row[Any]]] = {}
        for row in self.by_id.values():
            self.by_key.setdefault(row.name_key, []).append(row)

    def customer(self, ref: csv_rows.CustomerRef) -> sa.Row[Any]:
        if ref.id is not None:
            if ref.id not in self.by_id:
                raise RowError(f"customer_id: there is no customer #{ref.id} in this workspace")
            return self.by_id[ref.id]
        named = self.by_key.get(ref.key, [])
        if not named:
            raise RowError(f"customer: no customer is named {ref.text!r}")
        if len(named) > 1:
            raise RowError(
                f"customer: {len(named)} customers are named {ref.text!r}; give customer_id instead"
            )
        return named[0]


@dataclass(frozen=True)
class _Line:
    """A checked order or visit line, before its customer is looked up."""

    line: int
    ref: csv_rows.CustomerRef
    row: dict[str, Any]
    author: Person | None = None


def _checked_lines(
    run: _Run, batch: list[tuple[int, dict[str, str]]], check: Callable[[int, dict[str, str]], _Line]
) -> list[_Line]:
    checked: list[_Line] = []
    for line, values in batch:
        try:
            checked.append(check(line, values))
        except InvalidInput as error:
            run.note(line, REJECTED, _reason(error))
        except RowError as error:
            run.note(line, REJECTED, str(error))
    return checked


def _with_customers(session: Session, run: _Run, lines: list[_Line]) -> list[tuple[_Line, sa.Row[Any]]]:
    found = _Found(session, run.workspace.id, [line.ref for line in lines])
    paired: list[tuple[_Line, sa.Row[Any]]] = []
    for line in lines:
        try:
            paired.append((line, found.customer(line.ref)))
        except RowError as error:
            run.note(line.line, REJECTED, str(error))
    return paired


class _Orders:
    """Order lines: the order form's validation; each customer's deal and order facts kept as logging
    the orders one by one in the app would leave them (bot.services.orders)."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.template = _template(
            Order, workspace_id=run.workspace.id, customer_id=0, author_id="", amount_minor=0, currency="",
            amount_base_minor=0, ordered_on=date.min, created_at=run.now,
        )  # fmt: skip

    def take(self, session: Session, batch: list[tuple[int, dict[str, str]]]) -> None:
        rows: list[dict[str, Any]] = []
        facts: dict[int, dict[str, Any]] = {}
        for line, customer in _with_customers(
            session, self.run, _checked_lines(self.run, batch, self._check)
        ):
            author = line.author.user_id if line.author else customer.owner_id or IMPORTED_BY
            rows.append({**line.row, "customer_id": customer.id, "author_id": author})
            self._count(facts, customer.id, line.row["ordered_on"])
        store.insert_rows(session=session, table=store.ORDER, rows=rows)
        store.note_orders(session=session, facts=list(facts.values()))
        self.run.report.added += len(rows)

    def _check(self, line: int, values: dict[str, str]) -> _Line:
        ref = csv_rows.CustomerRef.of(values)
        author = self.run.people.find(values["author"], "author") if values.get("author") else None
        draft = OrderDraft(
            0, values.get("amount", ""), values.get("currency", ""), csv_rows.parse_day(values.get("date", ""), "date"),
            values.get("product", ""), values.get("rate", ""),
        )  # fmt: skip
        base = self.run.workspace.currency
        timezone = author.timezone if author else self.run.workspace.timezone
        valid = validate_order(draft, base_currency=base, today=local_today(self.run.now, timezone))
        row = {
            **self.template,
            "amount_minor": money.to_minor(valid.amount, valid.currency),
            "currency": valid.currency,
            "rate": str(valid.rate),
            "amount_base_minor": money.convert_minor(valid.amount, valid.rate, base),
            "ordered_on": valid.ordered_on,
            "product": valid.product,
        }
        return _Line(line, ref, row, author)

    def _count(self, facts: dict[int, dict[str, Any]], customer_id: int, day: date) -> None:
        fact = facts.setdefault(
            customer_id,
            {"b_id": customer_id, "b_first": day, "b_last": day, "b_count": 0, "b_now": self.run.now},
        )
        fact["b_first"], fact["b_last"] = min(fact["b_first"], day), max(fact["b_last"], day)
        fact["b_count"] += 1


class _Visits:
    """Visit lines: the visit form's validation; each customer's last visit, last satisfaction, recycle
    clock and next follow-up moved as logging the visits one by one would (bot.services.visits)."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.template = _template(
            Visit, workspace_id=run.workspace.id, customer_id=0, author_id="", kind="", visited_on=date.min,
            created_at=run.now,
        )  # fmt: skip

    def take(self, session: Session, batch: list[tuple[int, dict[str, str]]]) -> None:
        paired = _with_customers(session, self.run, _checked_lines(self.run, batch, self._check))
        rows = [{**line.row, "customer_id": customer.id} for line, customer in paired]
        store.insert_rows(session=session, table=store.VISIT, rows=rows)
        if paired:
            locked = store.lock_visit_facts(session=session, ids={customer.id for _, customer in paired})
            facts = {row.id: dict(row._mapping) for row in locked}
            for line, customer in paired:
                assert line.author is not None
                self._apply(facts[customer.id], line.row, line.author.timezone)
            store.save_visit_facts(session=session, facts=[self._saved(fact) for fact in facts.values()])
        self.run.report.added += len(rows)

    def _check(self, line: int, values: dict[str, str]) -> _Line:
        ref = csv_rows.CustomerRef.of(values)
        if not values.get("author"):
            raise RowError("author: missing (the Slack user id or e-mail of who was in touch)")
        author = self.run.people.find(values["author"], "author")
        draft = VisitDraft(
            0, csv_rows.visit_kind(values.get("kind", "")), csv_rows.parse_day(values.get("date", ""), "date"), values.get("note", ""),
            csv_rows.parse_satisfaction(values.get("satisfaction", "")),
            csv_rows.parse_optional_day(values.get("next_follow_up", ""), "next_follow_up"),
        )  # fmt: skip
        clean = validate_visit(draft, today=local_today(self.run.now, author.timezone))
        row = {
            **self.template,
            "author_id": author.user_id,
            "kind": clean.kind,
            "visited_on": clean.visited_on,
            "note": clean.note,
            "satisfaction": clean.satisfaction,
            "next_follow_up": clean.next_follow_up,
        }
        return _Line(line, ref, row, author)

    @staticmethod
    def _apply(fact: dict[str, Any], visit: dict[str, Any], timezone: str) -> None:
        """What bot.services.visits._apply_visit does to the customer, on a copy of its row."""
        day = visit["visited_on"]
        if fact["last_visit_on"] is None or fact["last_visit_on"] < day:
            fact["last_visit_on"] = day
        satisfied_on = fact["last_satisfaction_on"]
        if visit["satisfaction"] is not None and (satisfied_on is None or satisfied_on <= day):
            fact["last_satisfaction"], fact["last_satisfaction_on"] = visit["satisfaction"], day
        if fact["owner_id"] is not None:
            fact["recycle_clock_from"] = recycle_clock_after_visit(
                fact["recycle_clock_from"], fact["owned_since"], day, timezone
            )
        fact["next_follow_up"] = follow_up_after_visit(
            current=fact["next_follow_up"], chosen=visit["next_follow_up"], visited_on=day
        )

    def _saved(self, fact: dict[str, Any]) -> dict[str, Any]:
        changes = {f"b_{name}": fact[name] for name in store.VISIT_CHANGES}
        return {"b_id": fact["id"], "b_now": self.run.now, **changes}


IMPORTERS: dict[str, Callable[[_Run], _Importer]] = {
    "customers": _Customers,
    "orders": _Orders,
    "visits": _Visits,
}


# -- Reading the file ------------------------------------------------------------------------------------


def _encoding_of(path: Path, chosen: str | None) -> str:
    if chosen:
        try:
            return codecs.lookup(chosen).name
        except LookupError:
            raise BulkError(f"unknown encoding {chosen!r} (try utf-8-sig or gb18030)") from None
    for encoding in csv_rows.ENCODINGS:
        with path.open("rb") as raw:
            if csv_rows.decodes_as(iter(lambda: raw.read(1 << 20), b""), encoding):
                return encoding
    raise BulkError("the file is neither UTF-8 nor GB18030; name its encoding with --encoding")


def _batches(
    raw: IO[bytes], records: Iterator[Record], run: _Run, progress: Progress | None
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


def _take(importer: _Importer, session: Session, batch: list[tuple[int, dict[str, str]]]) -> None:
    try:
        importer.take(session, batch)
    except sa.exc.SQLAlchemyError as error:
        lines = f"lines {batch[0][0]}-{batch[-1][0]}" if batch else "the last lines"
        reason = getattr(error, "orig", None) or error
        raise BulkError(
            f"the database refused {lines} ({reason}): the whole import was rolled back"
        ) from error


def import_file(
    env: Env,
    kind: str,
    path: Path,
    *,
    workspace: Workspace,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV file of customers, orders or visits in one transaction; the report says what
    happened to every line that was not simply added."""
    if not path.is_file():
        raise BulkError(f"there is no file {path}")
    encoding = _encoding_of(path, options.encoding)
    report = ImportReport(kind, encoding)
    try:
        with env.db.session() as session, path.open("rb") as raw:
            store.begin_bulk_writes(session=session)
            people = store.people_of(session=session, workspace_id=workspace.id)
            run = _Run(workspace, env.clock.now(), options, report, _People(people))
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


# -- Export, backup, and which workspace ----------------------------------------------------------------

# The columns of each export: header, or header=column where the row names it otherwise. The headers
# an import reads are the import's own field names, so an export reads back in.
_EXPORTS = {
    "customers": "id name contact_person phone email region industry products tags source level "
    "owner=owner_id owner_name stage owned_since pool_since last_visit_on next_follow_up dealt_at "
    "first_order_on last_order_on order_count last_satisfaction created_at",
    "orders": "id customer_id customer amount currency rate amount_base date=ordered_on product "
    "author=author_id created_at",
    "visits": "id customer_id customer author=author_id kind date=visited_on note satisfaction "
    "next_follow_up created_at",
    "complaints": "id customer_id customer category severity status assignee=assignee_id filed_by filed_at "
    "description contact_channel acknowledged_at resolved_at resolved_by resolution closed_at satisfaction",
}


def _amounts(row: sa.RowMapping, base_currency: str) -> dict[str, str]:
    def amount(minor: int, currency: str) -> str:
        return f"{money.from_minor(minor, currency):.{money.precision(currency)}f}"

    return {
        "amount": amount(row["amount_minor"], row["currency"]),
        "amount_base": amount(row["amount_base_minor"], base_currency),
    }


def export(env: Env, what: str, out: TextIO, *, workspace: Workspace) -> int:
    """Write the workspace's customers, visits, orders or complaints to `out` as CSV, streaming;
    times in the workspace's zone. Returns the number of rows."""
    columns = [spec.partition("=") for spec in _EXPORTS[what].split()]
    writer = csv.writer(out)
    writer.writerow([header for header, _, _ in columns])
    timezone, count = zone(workspace.timezone), 0
    with env.db.engine.connect() as connection:
        for row in store.stream_rows(connection=connection, what=what, workspace_id=workspace.id):
            values = {**row, **_amounts(row, workspace.currency)} if what == "orders" else row
            writer.writerow(
                [csv_rows.format_cell(values[source or header], timezone) for header, _, source in columns]
            )
            count += 1
    return count


def backup(env: Env, target: Path) -> int:
    """Copy the embedded SQLite database to `target` while the bot runs; the copy's size in bytes."""
    if not env.db.is_sqlite:
        raise BulkError(
            "backup copies the embedded SQLite database; this one is PostgreSQL: use pg_dump "
            '(e.g. pg_dump --format=custom --file=tidewater.dump "$DATABASE_URL")'
        )
    source = store.sqlite_file(env.db.engine)
    if source is None:
        raise BulkError("the database lives in memory: there is no file to back up")
    target = target.expanduser().resolve()
    if (
        target.name in {source.name, f"{source.name}-wal", f"{source.name}-shm"}
        and target.parent == source.parent
    ):
        raise BulkError(f"{target} is the database itself: choose another file")
    if not target.parent.is_dir():
        raise BulkError(f"there is no folder {target.parent}")
    if target.is_dir():
        raise BulkError(f"{target} is a folder: name the file to write")
    store.backup_sqlite(engine=env.db.engine, target=target)
    return target.stat().st_size


def workspace_for(env: Env, team: str | None) -> Workspace:
    """The workspace named by --team, or the only one; BulkError listing them otherwise."""
    with env.db.session() as session:
        workspaces = list(store.list_workspaces(session=session))
    listed = ", ".join(f"{w.id} ({w.name})" if w.name else w.id for w in workspaces)
    if team:
        for workspace in workspaces:
            if workspace.id == team.strip().upper():
                return workspace
        raise BulkError(f"there is no workspace {team}; workspaces here: {listed or 'none'}")
    if not workspaces:
        raise BulkError("there is no workspace yet: the bot records its workspace when someone first uses it")
    if len(workspaces) > 1:
        raise BulkError(f"there are {len(workspaces)} workspaces: choose one with --team ({listed})")
    return workspaces[0]
