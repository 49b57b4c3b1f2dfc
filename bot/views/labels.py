"""Translated names of the CRM's fixed values."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal

from bot.i18n import N_, Lang
from bot.rules.money import from_minor
from bot.views.text import Mrkdwn, mention

KINDS = {
    "call": N_("call"),
    "on_site": N_("on-site visit"),
    "email": N_("email"),
    "message": N_("message"),
    "meeting": N_("meeting"),
}
LEVELS = {"A": N_("A · key"), "B": N_("B · regular"), "C": N_("C · low priority")}
STAGES = {
    "prospect": N_("prospect"),
    "interested": N_("interested"),
    "new": N_("new"),
    "active": N_("active"),
    "at_risk": N_("at risk"),
    "dormant": N_("dormant"),
    "won_back": N_("won back"),
    "lost": N_("lost"),
}

BANDS = {"none": N_("no risk"), "watch": N_("watch"), "at_risk": N_("at risk"), "critical": N_("critical")}

RELEASE_REASONS = {
    "not_interested": N_("Not interested"),
    "wrong_contact": N_("Wrong contact details"),
    "duplicate": N_("Duplicate of another customer"),
    "handed_over": N_("Handed over to a colleague"),
    "other": N_("Other"),
}
RECYCLE_REASONS = {
    "no_visit": N_("no visit in time"),
    "no_order": N_("no first order in time"),
}


def reason(value: str, lang: Lang) -> str:
    text = RELEASE_REASONS.get(value) or RECYCLE_REASONS.get(value) or value
    return lang.gettext(text) if text else ""


def kind(value: str, lang: Lang) -> str:
    return lang.gettext(KINDS.get(value, value))


def level(value: str, lang: Lang) -> str:
    return lang.gettext(LEVELS.get(value, value))


def stage(value: str, lang: Lang) -> str:
    return lang.gettext(STAGES.get(value, value))


def band(value: str, lang: Lang) -> str:
    """A churn band (bot.rules.churn)."""
    return lang.gettext(BANDS.get(value, value))


def owner(owner_id: str | None, lang: Lang) -> str:
    """The owner as a mention, or "in the pool"."""
    if owner_id is None:
        return lang.gettext("in the pool")
    return mention(owner_id)


def owner_mrkdwn(owner_id: str | None, lang: Lang) -> Mrkdwn:
    return Mrkdwn(owner(owner_id, lang)) if owner_id else Mrkdwn(lang.gettext("in the pool"))


def amount(minor: int, currency: str, lang: Lang) -> str:
    return format_currency(from_minor(minor, currency), currency, locale=lang.babel)


# Symbols that name one currency only, for when two currencies stand side by side (US$5,000.00 ≈
# CN¥35,617.28): "$" and "¥" alone say which dollar or yuan only to a reader who already knows.
UNAMBIGUOUS_SYMBOLS = {
    "USD": "US$", "CNY": "CN¥", "JPY": "JP¥", "HKD": "HK$", "TWD": "NT$", "SGD": "S$", "AUD": "A$",
    "CAD": "CA$", "NZD": "NZ$", "KRW": "₩", "EUR": "€", "GBP": "£",
}  # fmt: skip


def unambiguous_amount(minor: int, currency: str, lang: Lang) -> str:
    """The amount with a symbol no other currency shares, digits as the reader's language writes them."""
    symbol = UNAMBIGUOUS_SYMBOLS.get(currency, currency + " ")
    number = format_decimal(from_minor(minor, currency), format="#,##0.00", locale=lang.babel)
    return f"{symbol}{number}"


def rough_amount(minor: int, currency: str, lang: Lang) -> str:
    """An estimate to three significant figures, without cents (about CN¥5,250,000): an estimate's
    last digits would claim a precision it does not have."""
    value = from_minor(minor, currency)
    if value:
        digits = 3 - value.adjusted() - 1
        value = value.quantize(Decimal(1)) if digits >= 0 else round(value, digits)
    return format_currency(value, currency, format="¤#,##0", currency_digits=False, locale=lang.babel)


def decimal_amount(value: Decimal, currency: str, lang: Lang) -> str:
    return format_currency(value, currency, locale=lang.babel)
