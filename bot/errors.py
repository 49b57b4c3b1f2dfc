"""Named domain errors. Services raise them; one place in the handlers turns them into friendly text.

Each error carries an untranslated message (marked with N_ so it is extracted into the catalogs) and
the values to fill into it after translation, plus, for modals, the input block the error belongs to.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import Lang


class UserError(Exception):
    """Something the person can fix or needs to know; never a bug."""

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params

    def text(self, lang: Lang) -> str:
        translated = lang.gettext(self.message)
        return translated % self.params if self.params else translated


class InvalidInput(UserError):
    """A value typed by the person is wrong; nothing was written."""


class NotFound(UserError):
    """What the person named does not exist in this workspace."""


class NotAllowed(UserError):
    """The person may not do this; nothing was written."""


class GuestRefused(NotAllowed):
    """Guests (restricted users) do not use the CRM."""
