"""Importing opportunities from CSV: each line names its customer and is checked as the *New
opportunity* form checks it, with two differences an import needs. A close date already past is
taken (the opportunity slipped: the morning reminders will say so), and only open stages are
imported: a won deal's sale is its order (`import orders`), a lost one is history the file cannot
give the app's reasons for. Imported opportunities are numbered after the workspace's own, opened in
their history by Tidewater itself, and announced nowhere (the deals channel hears of new ones made in
Slack, not of a migration).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from bot.errors import InvalidInput
from bot.rules import csv_rows, money, names
from bot.rules import opportunities as rules
from bot.rules.calendar import local_today
from bot.rules.csv_rows import RowError
from bot.services.bulk_lines import Line, checked_lines, with_customers
from bot.services.bulk_run import DUPLICATE, IMPORTED_BY, REJECTED, Run, template
from bot.services.opportunities import stages_in
from bot.services.opportunity_drafts import OpportunityDraft, validate_new
from bot.services.opportunity_stages import default_names
from bot.services.tiers import STAGE_RULES
from store import bulk as store
from store import opportunities as opportunity_store
from store import tiers as tiers_store
from store.models import CHANGE_CREATED, Opportunity, OpportunityChange, OpportunityStage

OPPORTUNITY = Opportunity.__table__  # type: ignore[attr-defined]
CHANGE = OpportunityChange.__table__  # type: ignore[attr-defined]


class _Stages:
    """The workspace's stages as a file may name them: by key, by the workspace's name, or by a default
    stage's name in English or Chinese, however spaced or capitalised."""

    def __init__(self, stages: list[OpportunityStage]) -> None:
        self.all = stages
        self.by_name: dict[str, OpportunityStage] = {}
        for stage in (stage for stage in stages if stage.retired_at is None):
            for name in {stage.key, stage.name, *default_names(stage.key)} - {""}:
                self.by_name.setdefault(_spoken(name), stage)

    def chosen(self, text: str) -> int | None:
        """The id of the open stage the cell names; None for an empty cell (the first open stage)."""
        if not text.strip():
            return None
        stage = self.by_name.get(_spoken(text))
        if stage is None:
            raise RowError(f"stage: no stage is called {text!r} (the open stages: {self._open_names()})")
        if stage.outcome != rules.OPEN:
            raise RowError(
                f"stage: {text!r} is a closed stage; only open opportunities are imported "
                "(a won deal's sale is imported as an order)"
            )
        return stage.id

    def _open_names(self) -> str:
        return ", ".join(
            stage.name or rules.STAGE_NAMES.get(stage.key, stage.key)
            for stage in self.all
            if stage.retired_at is None and stage.outcome == rules.OPEN
        )


def _spoken(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


class OpportunityImport:
    """Opportunity lines: the form's validation; the customer's owner works each unless the line names
    an owner (a pool customer's must); a line whose customer already has an open opportunity of the
    same title (in the workspace or earlier in the file) is a duplicate, skipped, so a file imported
    twice adds nothing the second time. Customers with an open opportunity become interested (意向), as
    opening one in Slack makes them."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.stages: _Stages | None = None
        self.counted = False  # the planner told how many opportunities the import has written
        self.seen: dict[tuple[int, str], int] = {}  # (customer, title key) → the line that opened it
        self.template = template(
            Opportunity, workspace_id=run.workspace.id, id=0, customer_id=0, owner_id="", title="",
            amount_minor=1, currency="", amount_base_minor=1, stage_id=0, probability=0,
            expected_close_on=date.min, created_by=IMPORTED_BY, created_at=run.now, updated_at=run.now,
            stage_since=run.now,
        )  # fmt: skip
        self.opened = template(
            OpportunityChange, workspace_id=run.workspace.id, opportunity_id=0, version=1, change=CHANGE_CREATED,
            owner_id="", actor_id=None, at=run.now, from_stage_id=None, to_stage_id=0, amount_base_minor=0,
            expected_close_on=date.min,
        )  # fmt: skip

    def take(self, session: Session, batch: list[tuple[int, dict[str, str]]]) -> None:
        if self.stages is None:
            self.stages = _Stages(stages_in(session, self.run.workspace.id))
        paired = with_customers(session, self.run, checked_lines(self.run, batch, self._check))
        rows = self._new_rows(session, paired)
        numbers = opportunity_store.take_numbers(
            session, workspace_id=self.run.workspace.id, name=opportunity_store.OPPORTUNITY_NUMBERS,
            count=len(rows),
        ) if rows else range(0)  # fmt: skip
        rows = [{**row, "id": number} for row, number in zip(rows, numbers, strict=True)]
        store.insert_rows(session=session, table=OPPORTUNITY, rows=rows)
        store.insert_rows(session=session, table=CHANGE, rows=[self._opened(row) for row in rows])
        if rows and not self.counted:
            opportunity_store.count_imported(session)
            self.counted = True
        tiers_store.refresh_stages(
            session=session, customer_ids={row["customer_id"] for row in rows}, rules=STAGE_RULES,
            today=local_today(self.run.now, self.run.workspace.timezone), now=self.run.now,
        )  # fmt: skip
        self.run.report.added += len(rows)

    def _check(self, line: int, values: dict[str, str]) -> Line:
        assert self.stages is not None
        ref = csv_rows.CustomerRef.of(values)
        owner = self.run.people.find(values["owner"], "owner") if values.get("owner") else None
        draft = OpportunityDraft(
            0, values.get("title", ""), values.get("amount", ""),
            csv_rows.parse_day(values.get("expected_close", ""), "expected_close"), values.get("currency", ""),
            values.get("rate", ""), self.stages.chosen(values.get("stage", "")), values.get("probability", ""),
            values.get("products", ""), values.get("next_step", ""),
        )  # fmt: skip
        base = self.run.workspace.currency
        timezone = owner.timezone if owner else self.run.workspace.timezone
        try:
            valid = validate_new(
                draft,
                self.stages.all,
                base_currency=base,
                today=local_today(self.run.now, timezone),
                new=False,
            )
        except InvalidInput as error:
            if error.field != "expected_close_on":
                raise
            raise InvalidInput(error.message, field="expected_close", **error.params) from None  # the column
        row = {
            **self.template, "title": valid.title, "currency": valid.currency, "rate": str(valid.rate),
            "amount_minor": money.to_minor(valid.amount, valid.currency),
            "amount_base_minor": money.convert_minor(valid.amount, valid.rate, base),
            "stage_id": valid.stage.id, "probability": valid.probability,
            "expected_close_on": valid.expected_close_on, "products": valid.products,
            "next_step": valid.next_step,
        }  # fmt: skip
        return Line(line, ref, row, owner)

    def _new_rows(self, session: Session, paired: list[tuple[Line, Any]]) -> list[dict[str, Any]]:
        """The lines' rows with their customer and owner; duplicates and ownerless lines reported."""
        already = opportunity_store.open_titles(
            session, workspace_id=self.run.workspace.id, customer_ids={customer.id for _, customer in paired}
        )
        there = {(customer_id, names.name_key(title)) for customer_id, title in already}
        rows: list[dict[str, Any]] = []
        for line, customer in paired:
            owner = line.author.user_id if line.author else customer.owner_id
            key = (customer.id, names.name_key(line.row["title"]))
            if owner is None:
                self.run.note(line.line, REJECTED, f"owner: #{customer.id} is in the pool; name who works it")
            elif key in there or key in self.seen:
                self.run.note(line.line, DUPLICATE, self._duplicate(customer, line, key))
            else:
                self.seen[key] = line.line
                rows.append({**line.row, "customer_id": customer.id, "owner_id": owner})
        return rows

    def _duplicate(self, customer: Any, line: Line, key: tuple[int, str]) -> str:
        where = f"line {self.seen[key]}" if key in self.seen else "the workspace"
        return f"{customer.name} already has an open opportunity {line.row['title']!r} ({where})"

    def _opened(self, row: dict[str, Any]) -> dict[str, Any]:
        """Version 1 of the opportunity's history: opened in its stage by Tidewater itself."""
        return {
            **self.opened, "opportunity_id": row["id"], "owner_id": row["owner_id"], "to_stage_id": row["stage_id"],
            "amount_base_minor": row["amount_base_minor"], "expected_close_on": row["expected_close_on"],
        }  # fmt: skip
