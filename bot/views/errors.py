"""Wording a domain error for the person who met it, in their language."""

from __future__ import annotations

from typing import Any

from bot.errors import Person, UserError, Word
from bot.i18n import Lang, Moment
from bot.views.text import Mrkdwn, mention, say


def _in_language(value: Any, lang: Lang) -> Any:
    if isinstance(value, Moment):
        return value.format_for(lang)
    if isinstance(value, Word):
        return lang.gettext(value)
    if isinstance(value, Person):
        return mention(value)
    return value


def _params(error: UserError, lang: Lang) -> dict[str, Any]:
    return {name: _in_language(value, lang) for name, value in error.params.items()}


def plain(error: UserError, lang: Lang) -> str:
    """Plain text (modal field errors): mentions would show raw, so messages for modals use names."""
    translated = lang.gettext(error.message)
    return translated % _params(error, lang) if error.params else translated


def mrkdwn(error: UserError, lang: Lang) -> Mrkdwn:
    """Safe mrkdwn: the message and each value escaped, except values the bot built (mentions)."""
    return say(lang, error.message, **_params(error, lang))
