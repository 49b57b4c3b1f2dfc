"""Reading what people type after a slash command."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATOR = re.compile(r"[:：]")
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class OneLineVisit:
    customer_query: str
    note: str


def split_one_line_visit(text: str) -> OneLineVisit | None:
    """`Acme: called about the renewal` (ASCII or full-width colon). None without a colon."""
    match = _SEPARATOR.search(text)
    if not match:
        return None
    return OneLineVisit(text[: match.start()].strip(), text[match.end() :].strip())


def mentioned_users(text: str) -> list[str]:
    """User ids from escaped mentions (`<@U123|mei>`), in order, without repeats."""
    seen: list[str] = []
    for user_id in _USER_MENTION.findall(text):
        if user_id not in seen:
            seen.append(user_id)
    return seen


def words(text: str) -> list[str]:
    return text.split()
