"""Amounts: parsing what people type, minor units, and conversion to the workspace currency."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_precision

MAX_AMOUNT = Decimal("1000000000000")  # one trillion: anything larger is a typo
COMMON_CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP", "SGD", "TWD", "KRW", "AUD")

_GROUPING = re.compile(r"(?<=\d)[,_ ](?=\d{3}\b)")


class AmountError(ValueError):
    """Why a typed amount was refused; `reason` is one of the keys below."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_amount(text: str, currency: str) -> Decimal:
    """A positive amount with no more decimals than the currency has ("1,200.50", "１２００")."""
    cleaned = _GROUPING.sub("", unicodedata.normalize("NFKC", text).strip())
    cleaned = cleaned.removeprefix("¥").removeprefix("$").removeprefix("€").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise AmountError("not_a_number") from None
    if not amount.is_finite():
        raise AmountError("not_a_number")
    if amount <= 0:
        raise AmountError("not_positive")
    if amount > MAX_AMOUNT:
        raise AmountError("too_large")
    if -amount.as_tuple().exponent > precision(currency):  # type: ignore[operator]
        raise AmountError("too_many_decimals")
    return amount


def parse_rate(text: str) -> Decimal:
    """A positive exchange rate (units of the workspace currency per unit of the order's)."""
    try:
        rate = Decimal(unicodedata.normalize("NFKC", text).strip())
    except InvalidOperation:
        raise AmountError("not_a_number") from None
    if not rate.is_finite() or rate <= 0:
        raise AmountError("not_positive")
    if rate > Decimal("100000"):
        raise AmountError("too_large")
    return rate


def precision(currency: str) -> int:
    return int(get_currency_precision(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    return int((amount * (10 ** precision(currency))).to_integral_value(ROUND_HALF_UP))


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(minor) / Decimal(10 ** precision(currency))


def plain_amount(minor: int, currency: str) -> str:
    """An amount as a spreadsheet cell: digits and the currency's decimals, "12800.00" (no symbol)."""
    return f"{from_minor(minor, currency):.{precision(currency)}f}"


def convert_minor(amount: Decimal, rate: Decimal, base_currency: str) -> int:
    return to_minor(amount * rate, base_currency)


def is_currency_code(code: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{3}", code))
