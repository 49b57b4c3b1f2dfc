"""Safe text for Slack: escaping, clipping, mentions and dates.

Every user or database string is escaped once on the way out (only `&`, `<`, `>`, as Slack asks), so a
customer called `Acme <!channel>` renders as typed and never pings. Text the bot builds itself
(mentions of people) is marked `Mrkdwn` and left as is.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date

from bot.i18n import Lang, format_moment

ELLIPSIS = "…"


class Mrkdwn(str):
    """Text that is already safe mrkdwn (built by the bot, not typed by a person)."""

    __slots__ = ()


def escape(text: object) -> str:
    """Escape Slack's three control characters; already-safe Mrkdwn passes through."""
    if isinstance(text, Mrkdwn):
        return text
    value = "" if text is None else str(text)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_slack(text: str) -> str:
    """Decode the three entities Slack applies to text it sends us (command text, message echoes)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int) -> str:
    """Shorten to at most `limit` characters, ending with … when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def safe(text: object, limit: int | None = None) -> str:
    """Escape user text for Slack, clipped so that the escaped form fits `limit` characters."""
    value = "" if text is None else str(text)
    escaped = escape(value)
    if limit is None or len(escaped) <= limit:
        return escaped
    cut = len(value)
    while cut and len(escape(clip(value, cut))) > limit:
        cut -= max(1, (len(escape(clip(value, cut))) - limit) // 4)
    return escape(clip(value, cut))


def mention(user_id: str) -> Mrkdwn:
    return Mrkdwn(f"<@{user_id}>")


def day(value: date | None, lang: Lang) -> str:
    """A date in the reader's language: "2 Dec 2026" / "2026年12月2日"."""
    if value is None:
        return "—"
    return _medium_day(value, lang)


@lru_cache(maxsize=4096)
def _medium_day(value: date, lang: Lang) -> str:
    """Once per day and language: a job's messages show the same few days thousands of times."""
    return format_date(value, format="medium", locale=lang.babel)


def plain_html_free(text: str) -> str:
    """Unescape HTML entities some clients paste into messages (used for shortcut note text)."""
    return html.unescape(text)


def say(lang: Lang, message: str, **params: object) -> Mrkdwn:
    """A translated sentence as safe mrkdwn: the sentence and each value escaped, mentions kept."""
    translated = _escaped_sentence(lang, message)
    if not params:
        return Mrkdwn(translated)
    for name, value in params.items():
        params[name] = escape(value)  # params is this call's own dict
    return Mrkdwn(translated % params)


@lru_cache(maxsize=2048)
def _escaped_sentence(lang: Lang, message: str) -> str:
    """Translated and escaped once per language: a job says the same few sentences thousands of times."""
    return escape(lang.gettext(message))


def listed(lang: Lang, items: Sequence[str]) -> str:
    """A list as the reader's language writes one: "a, b" / "a、b"; "—" for none."""
    return ("、" if lang.babel.language == "zh" else ", ").join(items) or "—"


def say_n(lang: Lang, singular: str, plural: str, count: int, **params: object) -> Mrkdwn:
    """`say` for a sentence about `count` things, in the reader's plural form ("1 visit", "2 visits")."""
    translated = escape(lang.ngettext(singular, plural, count))
    return Mrkdwn(translated % {k: escape(v) for k, v in {"count": count, **params}.items()})


def moment(value: datetime, timezone: str, lang: Lang, *, with_time: bool = True) -> str:
    return format_moment(value, timezone, lang, with_time=with_time)
