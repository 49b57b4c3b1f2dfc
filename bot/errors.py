"""Named domain errors. Services raise them; the edge (`bot.views.errors`) words them.

Each error carries an untranslated message (marked with N_ so it is extracted into the catalogs) and
the values to fill into it after translation, plus, for modals, the input block the error belongs to.
People, moments and fixed words are values (`Person`, `bot.i18n.Moment`, `Word`), worded in the
reader's language where the error is shown, so no service formats text for Slack.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.i18n import N_


class Word(str):
    """A fixed word (marked with N_) used as a value: translated with the message."""


class Person(str):
    """A Slack user id used as a value: shown as a mention of that person."""


class UserError(Exception):
    """Something the person can fix or needs to know; never a bug."""

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params


class InvalidInput(UserError):
    """A value typed by the person is wrong; nothing was written."""


class InvalidFields(InvalidInput):
    """Several values typed are wrong: a form flags each at once (`problems`); nothing was written."""

    def __init__(self, problems: list[InvalidInput]) -> None:
        first = problems[0]
        super().__init__(first.message, field=first.field, **first.params)
        self.problems = problems


class Checks:
    """What is wrong with a form's values, gathered so that every wrong field is flagged at once:
    each check runs in `with checks.field():`, and `done()` raises what was found."""

    def __init__(self) -> None:
        self.problems: list[InvalidInput] = []

    @contextmanager
    def field(self) -> Iterator[None]:
        try:
            yield
        except InvalidInput as problem:
            self.problems.append(problem)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def done(self) -> None:
        if len(self.problems) == 1:
            raise self.problems[0]
        if self.problems:
            raise InvalidFields(self.problems)


class NotFound(UserError):
    """What the person named does not exist in this workspace."""


class NotAllowed(UserError):
    """The person may not do this; nothing was written."""


class ChangedMeanwhile(UserError):
    """What the person acted on was changed by someone else since they saw it; nothing was written."""


class GuestRefused(NotAllowed):
    """Guests (restricted users) do not use the CRM."""


TOO_LONG = N_("This is too long: at most %(limit)s characters.")


def required_text(text: str, *, field: str, missing: str, limit: int, one_line: bool = False) -> str:
    """What the person wrote, stripped (`one_line`: its spaces and line breaks made single spaces):
    refused when empty, saying `missing`, or longer than `limit`."""
    clean = " ".join(text.split()) if one_line else text.strip()
    if not clean:
        raise InvalidInput(missing, field=field)
    if len(clean) > limit:
        raise InvalidInput(TOO_LONG, field=field, limit=limit)
    return clean
