"""Importing customers from CSV: checked as the create form checks them, duplicates skipped or merged."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from bot.errors import InvalidInput
from bot.rules import csv_rows, names
from bot.rules.csv_rows import RowError
from bot.services.bulk_run import (
    DUPLICATE,
    IMPORTED_BY,
    MERGED,
    REJECTED,
    Run,
    reason,
    template,
)
from bot.services.customers import FIELD_LIMITS, CustomerDraft, validate_draft
from store import bulk as store
from store import contacts as contact_store
from store.models import Customer


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


class CustomerImport:
    """Customer lines: the create form's validation, then duplicates by the shared keys (the normalized
    name, the phone's E.164 digits) on their indexes, a batch at a time, against the database (which
    holds the earlier batches of this file, in the same transaction) and the batch's earlier lines."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.template = template(
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
            self.run.note(line, REJECTED, reason(error))
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
        else:
            self._merge(customer, match, which)

    def _merge(self, customer: _Customer, match: _Customer, which: str) -> None:
        """The line's fields fill the ones its match lacks."""
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
        ws, now = self.run.workspace.id, self.run.now
        contact_store.sync_from_rows(session=session, workspace_id=ws, customer_ids=ids, now=now, new=True)
        filled = [c.id for c in merged if c.id is not None]
        contact_store.sync_from_rows(session=session, workspace_id=ws, customer_ids=filled, now=now)
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
