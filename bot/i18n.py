"""Translations: gettext catalogs compiled from the .po files at start, and the language precedence.

Precedence (PRODUCT.md): the person's own choice, then the workspace's, then the Slack user's locale,
then English.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
ENGLISH = "en"
CHINESE = "zh_CN"
SUPPORTED = (ENGLISH, CHINESE)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet."""
    return message


def normalize_locale(value: str | None) -> str | None:
    """Map Slack's and people's spellings ("zh-CN", "zh", "en-US", "中文") to a supported locale."""
    if not value:
        return None
    lowered = value.strip().replace("-", "_").lower()
    if lowered.startswith("zh") or lowered in {"中文", "cn", "chinese"}:
        return CHINESE
    if lowered.startswith("en") or lowered == "english":
        return ENGLISH
    return None


def resolve_locale(*, chosen: str | None, workspace: str | None, slack: str | None) -> str:
    for candidate in (chosen, workspace, slack):
        locale = normalize_locale(candidate)
        if locale:
            return locale
    return ENGLISH


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog for a locale; English is the source language and needs none."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == ENGLISH or not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Lang:
    """A locale with its gettext functions, handed to views and error messages."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._translations = translations(locale)
        self.gettext = self._translations.gettext
        self.ngettext = self._translations.ngettext
        # Parsed once: Babel parses a locale name on every format call otherwise (a hot spot when a
        # job renders thousands of dates).
        self.babel = Locale.parse(self.locale)

    @property
    def is_chinese(self) -> bool:
        return self.locale == CHINESE


@cache
def lang(locale: str) -> Lang:
    return Lang(locale if locale in SUPPORTED else ENGLISH)


def preload() -> None:
    """Read every catalog and Babel's data for each language now (a worker's start), not in the first
    job that shows a sentence or a date (about 50 ms of parsing)."""
    for locale in SUPPORTED:
        _month_day(date(2000, 1, 1), lang(locale))


@dataclass(frozen=True)
class Moment:
    """An instant to show in a reader's language and time zone: "Dec 9 10:00", "12月9日 10:00"."""

    at: datetime
    timezone: str
    with_time: bool = True

    def format_for(self, reader: Lang) -> str:
        return format_moment(self.at, self.timezone, reader, with_time=self.with_time)


def format_moment(at: datetime, timezone: str, reader: Lang, *, with_time: bool = True) -> str:
    """`Moment(...).format_for(reader)` without building a Moment (a job formats thousands)."""
    # As Babel does: a naive instant is UTC, shown in the reader's zone.
    local = (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(_zone(timezone))
    shown = _month_day(local.date(), reader)
    if with_time:
        shown += f" {local.hour:02d}:{local.minute:02d}"  # Babel's "HH:mm": the same in every locale
    return shown


@lru_cache(maxsize=4096)
def _month_day(day: date, reader: Lang) -> str:
    """The month and day ("Dec 9" / "12月9日"), once per day and language: Babel matches the skeleton
    to the locale's patterns on every call, the hot spot of a job that shows thousands of dates.
    Keyed by the Lang (hashed by identity), not its Babel Locale (hashed field by field)."""
    return format_skeleton("MMMd", day, locale=reader.babel)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
