"""Jinja2 text templates for mrkdwn bodies.

Every `{{ value }}` passes through `escape` on its way out (the environment's finalize hook), so a
template cannot forget to escape user text. Values built by the bot (mentions) are `Mrkdwn` and pass.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.i18n import Lang
from bot.i18n import lang as lang_for
from bot.views.text import day, escape, mention


def _finalize(value: Any) -> str:
    return escape(value)


@cache
def _environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("bot.views", "templates"),
        extensions=["jinja2.ext.i18n"],
        finalize=_finalize,
        # HTML escaping would be wrong for Slack: every value is escaped for mrkdwn by _finalize instead.
        autoescape=False,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    language = lang_for(locale)
    env.install_gettext_callables(language.gettext, language.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["mention"] = mention
    env.filters["day"] = lambda value: day(value, language)
    return env


def render(template: str, lang: Lang, **values: Any) -> str:
    """Render a text template in the reader's language; the result is safe mrkdwn."""
    return _environment(lang.locale).get_template(template).render(**values).strip()
