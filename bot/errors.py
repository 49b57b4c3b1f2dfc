"""Named domain errors. Services raise them; one place in the handlers turns them into friendly text.

Each error carries an untranslated message (marked with N_ so it is extracted into the catalogs) and
the values to fill into it after translation, plus, for modals, the input block the error belongs to.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import Lang, Moment
from bot.views.text import Mrkdwn, say


class Word(str):
    """A fixed word (marked with N_) used as a value: translated with the message."""


def _in_language(value: Any, lang: Lang) -> Any:
    if isinstance(value, Moment):
        return value.format_for(lang)
    if isinstance(value, Word):
        return lang.gettext(value)
    return value


class UserError(Exception):
    """Something the person can fix or needs to know; never a bug."""

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params

    def _params(self, lang: Lang) -> dict[str, Any]:
        return {k: _in_language(v, lang) for k, v in self.params.items()}

    def text(self, lang: Lang) -> str:
        """Plain text (modal field errors): mentions would show raw, so messages for modals use names."""
        translated = lang.gettext(self.message)
        return translated % self._params(lang) if self.params else translated

    def mrkdwn(self, lang: Lang) -> Mrkdwn:
        """Safe mrkdwn: the message and each value escaped, except values the bot built (mentions)."""
        return say(lang, self.message, **self._params(lang))


class InvalidInput(UserError):
    """A value typed by the person is wrong; nothing was written."""


class NotFound(UserError):
    """What the person named does not exist in this workspace."""


class NotAllowed(UserError):
    """The person may not do this; nothing was written."""


class GuestRefused(NotAllowed):
    """Guests (restricted users) do not use the CRM."""
