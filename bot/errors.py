"""Named domain errors. Services raise them; the edge (`bot.views.errors`) words them.

Each error carries an untranslated message (marked with N_ so it is extracted into the catalogs) and
the values to fill into it after translation, plus, for modals, the input block the error belongs to.
People, moments and fixed words are values (`Person`, `bot.i18n.Moment`, `Word`), worded in the
reader's language where the error is shown, so no service formats text for Slack.
"""

from __future__ import annotations

from typing import Any


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


class NotFound(UserError):
    """What the person named does not exist in this workspace."""


class NotAllowed(UserError):
    """The person may not do this; nothing was written."""


class GuestRefused(NotAllowed):
    """Guests (restricted users) do not use the CRM."""
