"""Reading what people type after a slash command."""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.numbers import list_currencies

_SEPARATOR = re.compile(r"[:：]")
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


# The words a one-line visit may name its type with (`/visit Acme: meeting: agreed the renewal`), in
# either language, by the type they mean.
VISIT_TYPE_WORDS = {
    "call": "call", "phone": "call", "电话": "call",
    "on-site visit": "on_site", "on-site": "on_site", "visit": "on_site", "上门拜访": "on_site", "拜访": "on_site",
    "email": "email", "e-mail": "email", "邮件": "email",
    "message": "message", "消息": "message",
    "meeting": "meeting", "会议": "meeting",
}  # fmt: skip
# A one-line order's currency: an ISO 4217 code (as Babel knows them) typed in capitals, or one of the
# common ones in any case ("500 cup holders" is cups, "500 usd" dollars).
CURRENCY_CODES = frozenset(list_currencies())
COMMON_CODES = frozenset({"CNY", "USD", "EUR", "HKD", "JPY", "GBP", "SGD", "TWD", "KRW", "AUD", "CAD"})
CODE_ALIASES = {"RMB": "CNY"}  # what people in China write for the yuan
_AMOUNT = re.compile(r"^([\d][\d,]*(?:\.\d+)?)(?:\s+|$)(.*)$", re.S)


@dataclass(frozen=True)
class OneLineVisit:
    customer_query: str
    note: str
    kind: str | None = None  # named before a second colon; None: the default, a call


def split_one_line_visit(text: str) -> OneLineVisit | None:
    """`Acme: called about the renewal`, or `Acme: meeting: agreed the renewal` with the visit's type
    (ASCII or full-width colons). None without a colon."""
    parts = _split(text)
    if parts is None:
        return None
    query, rest = parts
    inner = _split(rest)
    if inner is not None and inner[0].casefold() in VISIT_TYPE_WORDS:
        return OneLineVisit(query, inner[1], VISIT_TYPE_WORDS[inner[0].casefold()])
    return OneLineVisit(query, rest)


@dataclass(frozen=True)
class OneLineOrder:
    customer_query: str
    amount: str  # as typed; empty when the text after the colon does not start with one
    currency: str  # upper case; empty when not given (the workspace's currency)
    product: str


def split_one_line_order(text: str) -> OneLineOrder | None:
    """`Acme: 12800 dyed yarn` or `Acme: 5,000 USD boxes`: the amount, an optional currency code, then
    the product. None without a colon."""
    parts = _split(text)
    if parts is None:
        return None
    query, rest = parts
    amount = _AMOUNT.match(rest)
    if amount is None:
        return OneLineOrder(query, "", "", rest)
    words_after = amount[2].split(maxsplit=1)
    code = words_after[0] if words_after else ""
    known = CODE_ALIASES.get(code.upper(), code.upper())
    if (code.isupper() and known in CURRENCY_CODES) or known in COMMON_CODES:
        return OneLineOrder(query, amount[1], known, words_after[1] if len(words_after) > 1 else "")
    return OneLineOrder(query, amount[1], "", amount[2].strip())


def _split(text: str) -> tuple[str, str] | None:
    match = _SEPARATOR.search(text)
    if not match:
        return None
    return text[: match.start()].strip(), text[match.end() :].strip()


def mentioned_users(text: str) -> list[str]:
    """User ids from escaped mentions (`<@U123|mei>`), in order, without repeats."""
    seen: list[str] = []
    for user_id in _USER_MENTION.findall(text):
        if user_id not in seen:
            seen.append(user_id)
    return seen


def words(text: str) -> list[str]:
    return text.split()
