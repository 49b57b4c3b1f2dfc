"""Importing orders, visits and contacts from CSV: each line names its customer, checked as the forms
check them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from bot.errors import InvalidInput
from bot.rules import csv_rows, money, names
from bot.rules.calendar import local_today
from bot.rules.csv_rows import RowError
from bot.rules.followups import follow_up_after_visit
from bot.rules.pool import recycle_clock_after_visit
from bot.services.bulk_run import (
    IMPORTED_BY,
    REJECTED,
    Run,
    reason,
    template,
)
from bot.services.contacts import LIMITS, ContactDraft
from bot.services.contacts import validate as validate_contact
from bot.services.orders import OrderDraft, validate_order
from bot.services.visits import VisitDraft, validate_visit
from store import bulk as store
from store import contacts as contact_store
from store.models import Contact, Order, Person, Visit


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
class Line:
    """A checked order or visit line, before its customer is looked up."""

    line: int
    ref: csv_rows.CustomerRef
    row: dict[str, Any]
    author: Person | None = None


def checked_lines(
    run: Run, batch: list[tuple[int, dict[str, str]]], check: Callable[[int, dict[str, str]], Line]
) -> list[Line]:
    checked: list[Line] = []
    for line, values in batch:
        try:
            checked.append(check(line, values))
        except InvalidInput as error:
            run.note(line, REJECTED, reason(error))
        except RowError as error:
            run.note(line, REJECTED, str(error))
    return checked


def with_customers(session: Session, run: Run, lines: list[Line]) -> list[tuple[Line, sa.Row[Any]]]:
    found = _Found(session, run.workspace.id, [line.ref for line in lines])
    paired: list[tuple[Line, sa.Row[Any]]] = []
    for line in lines:
        try:
            paired.append((line, found.customer(line.ref)))
        except RowError as error:
            run.note(line.line, REJECTED, str(error))
    return paired


class OrderImport:
    """Order lines: the order form's validation; each customer's deal and order facts kept as logging
    the orders one by one in the app would leave them (bot.services.orders)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.template = template(
            Order, workspace_id=run.workspace.id, customer_id=0, author_id="", amount_minor=0, currency="",
            amount_base_minor=0, ordered_on=date.min, created_at=run.now,
        )  # fmt: skip

    def take(self, session: Session, batch: list[tuple[int, dict[str, str]]]) -> None:
        rows: list[dict[str, Any]] = []
        facts: dict[int, dict[str, Any]] = {}
        for line, customer in with_customers(session, self.run, checked_lines(self.run, batch, self._check)):
            author = line.author.user_id if line.author else customer.owner_id or IMPORTED_BY
            rows.append({**line.row, "customer_id": customer.id, "author_id": author})
            self._count(facts, customer.id, line.row["ordered_on"])
        store.insert_rows(session=session, table=store.ORDER, rows=rows)
        store.note_orders(session=session, facts=list(facts.values()))
        self.run.report.added += len(rows)

    def _check(self, line: int, values: dict[str, str]) -> Line:
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
        return Line(line, ref, row, author)

    def _count(self, facts: dict[int, dict[str, Any]], customer_id: int, day: date) -> None:
        fact = facts.setdefault(
            customer_id,
            {"b_id": customer_id, "b_first": day, "b_last": day, "b_count": 0, "b_now": self.run.now},
        )
        fact["b_first"], fact["b_last"] = min(fact["b_first"], day), max(fact["b_last"], day)
        fact["b_count"] += 1


class VisitImport:
    """Visit lines: the visit form's validation; each customer's last visit, last satisfaction, recycle
    clock and next follow-up moved as logging the visits one by one would (bot.services.visits)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.template = template(
            Visit, workspace_id=run.workspace.id, customer_id=0, author_id="", kind="", visited_on=date.min,
            created_at=run.now,
        )  # fmt: skip

    def take(self, session: Session, batch: list[tuple[int, dict[str, str]]]) -> None:
        paired = with_customers(session, self.run, checked_lines(self.run, batch, self._check))
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

    def _check(self, line: int, values: dict[str, str]) -> Line:
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
        return Line(line, ref, row, author)

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


class ContactImport:
    """Contact lines: the contact form's checks; "primary: yes" makes the line the customer's primary
    contact (the newest such line wins), and a customer without one takes its first contact."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.template = template(
            Contact, workspace_id=run.workspace.id, customer_id=0, created_at=run.now, updated_at=run.now
        )

    def take(self, session: Session, batch: list[tuple[int, dict[str, str]]]) -> None:
        paired = with_customers(session, self.run, checked_lines(self.run, batch, self._check))
        rows = [{**line.row, "customer_id": customer.id} for line, customer in paired]
        store.insert_rows(session=session, table=store.CONTACT, rows=rows)
        customer_ids = {customer.id for _, customer in paired}
        contact_store.settle_imported(
            session=session, workspace_id=self.run.workspace.id, customer_ids=customer_ids, now=self.run.now
        )
        self.run.report.added += len(rows)

    def _check(self, line: int, values: dict[str, str]) -> Line:
        ref = csv_rows.CustomerRef.of(values)
        primary = values.get("primary", "").strip().casefold() in csv_rows.YES_WORDS
        texts = {name: values.get(name, "") for name in LIMITS}
        clean = validate_contact(ContactDraft(**texts, primary=primary))
        phone_key = names.phone_key(clean.phone, self.run.workspace.country) if clean.phone else None
        row = {**self.template, **{name: getattr(clean, name) for name in LIMITS}}
        return Line(line, ref, {**row, "phone_key": phone_key, "is_primary": primary})
