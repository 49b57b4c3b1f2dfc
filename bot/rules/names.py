"""Name keys for the duplicate check and search terms for the type-ahead.

normalized key = NFKC (which also unifies full- and half-width forms), case-folded, punctuation and
spaces removed, company suffixes removed. Two names are duplicates when their keys are equal or one
starts with the other (keys of at least MIN_PREFIX_KEY characters, so "A" does not match everything).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

KEY_LIMIT = 64
TERM_LIMIT = 16
MIN_PREFIX_KEY = 2

# Longest first, so 股份有限公司 is removed whole rather than leaving 股份.
COMPANY_SUFFIXES = tuple(
    sorted(
        (
            "股份有限公司",
            "有限责任公司",
            "有限公司",
            "集团公司",
            "公司",
            "coltd",
            "companylimited",
            "colimited",
            "corporation",
            "company",
            "limited",
            "corp",
            "inc",
            "llc",
            "ltd",
            "gmbh",
            "plc",
            "co",
        ),
        key=len,
        reverse=True,
    )
)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3400 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FFFF
        or 0x3040 <= code <= 0x30FF  # kana
        or 0xAC00 <= code <= 0xD7AF  # hangul
    )


def is_cjk_start(text: str) -> bool:
    return bool(text) and _is_cjk(text[0])


def name_key(name: str) -> str:
    """The normalized key of a customer name (empty when nothing meaningful is left)."""
    compact = "".join(_WORD.findall(_fold(name)))
    stripped = _strip_suffixes(compact)
    return (stripped or compact)[:KEY_LIMIT]


def _strip_suffixes(key: str) -> str:
    changed = True
    while changed and key:
        changed = False
        for suffix in COMPANY_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                changed = True
                break
    return key


def is_duplicate_key(candidate: str, existing: str) -> bool:
    if not candidate or not existing:
        return False
    if candidate == existing:
        return True
    shorter, longer = sorted((candidate, existing), key=len)
    return len(shorter) >= MIN_PREFIX_KEY and longer.startswith(shorter)


def key_prefixes(key: str) -> list[str]:
    """Every key that the given key starts with (and is long enough to count as a duplicate)."""
    return [key[:end] for end in range(MIN_PREFIX_KEY, len(key) + 1)]


def search_terms(name: str) -> set[str]:
    """Index terms: every Latin word (matched by prefix), every suffix of each CJK run (so any
    part of a Chinese name is the prefix of some term), and the whole normalized key."""
    terms: set[str] = set()
    for word in _WORD.findall(_fold(name)):
        for run in _split_scripts(word):
            if _is_cjk(run[0]):
                terms.update(run[start:][:TERM_LIMIT] for start in range(len(run)))
            else:
                terms.add(run[:TERM_LIMIT])
    key = name_key(name)
    if key:
        terms.add(key[:TERM_LIMIT])
    return terms


def _split_scripts(word: str) -> list[str]:
    """Split "acme华东" into ["acme", "华东"]: CJK and other letters index differently."""
    runs: list[str] = []
    for char in word:
        if runs and _is_cjk(char) == _is_cjk(runs[-1][-1]):
            runs[-1] += char
        else:
            runs.append(char)
    return runs


def query_terms(query: str) -> list[str]:
    """The terms of what a person typed, each to be matched as a prefix (longest first)."""
    terms: list[str] = []
    for word in _WORD.findall(_fold(query)):
        terms.extend(run[:TERM_LIMIT] for run in _split_scripts(word))
    return sorted(terms, key=len, reverse=True)


def query_key(query: str) -> str:
    """What a person typed, normalized like a name key but with company suffixes kept."""
    return "".join(_WORD.findall(_fold(query)))[:KEY_LIMIT]


def phone_key(phone: str, country: str) -> str | None:
    """E.164 digits of a phone number, reading numbers without a country code as `country`'s."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 5:
        return None
    try:
        parsed = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException:
        return digits[:32]
    return f"{parsed.country_code}{parsed.national_number}"[:32]
