"""What every bulk import shares: its options, its report, the run it is, the workspace's people a
file may name, and the errors that stop it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session, SQLModel

from bot.errors import InvalidInput
from bot.rules import csv_rows
from bot.rules.csv_rows import RowError
from store.models import Person, Workspace

KINDS, EXPORTS, ON_DUPLICATE = csv_rows.KINDS, csv_rows.EXPORTS, csv_rows.ON_DUPLICATE
BATCH_SIZE = 5000
# Written as created_by (and an order's author when the file names none and the customer has no
# owner): rows that came from a file, not from someone in Slack.
IMPORTED_BY = "import"
REJECTED, DUPLICATE, MERGED = "rejected", "duplicate", "merged"
Progress = Callable[[int, int], None]  # bytes read, file size


class BulkError(Exception):
    """The whole command failed and nothing was written; the message says why."""


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
class Run:
    """One import: where it goes, when it happens, whom it may name, and what it reports."""

    workspace: Workspace
    now: datetime
    options: ImportOptions
    report: ImportReport
    people: People

    def note(self, line: int, status: str, reason: str) -> None:
        self.report.outcomes.append(Outcome(line, status, reason))


class People:
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


class Importer(Protocol):
    def take(self, session: Session, batch: list[tuple[int, dict[str, str]]]) -> None: ...


def template(model: type[SQLModel], **required: Any) -> dict[str, Any]:
    """Every column of a new row with the model's defaults (future columns included), for Core inserts."""
    row = model(**required).model_dump(exclude={"id"})
    return {name: value for name, value in row.items() if name in model.__table__.columns}  # type: ignore[attr-defined]


def reason(error: InvalidInput) -> str:
    return f"{error.field}: {error}" if error.field else str(error)
