from decimal import Decimal

import pytest

from bot.rules import money


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1200", "1200"), ("1,200.50", "1200.50"), ("１２００", "1200"), ("¥99.5", "99.5"), (" 7 ", "7")],
)
def test_amounts_people_type_are_read(typed, expected):
    assert money.parse_amount(typed, "CNY") == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("-5", "not_positive"),
        ("0", "not_positive"),
        ("abc", "not_a_number"),
        ("", "not_a_number"),
        ("NaN", "not_a_number"),
        ("Infinity", "not_a_number"),
        ("1.234", "too_many_decimals"),
        ("1e20", "too_large"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(typed, reason):
    with pytest.raises(money.AmountError) as refused:
        money.parse_amount(typed, "CNY")
    assert refused.value.reason == reason


def test_yen_has_no_decimals():
    with pytest.raises(money.AmountError):
        money.parse_amount("10.5", "JPY")
    assert money.to_minor(Decimal("1050"), "JPY") == 1050


def test_minor_units_and_conversion_are_exact():
    assert money.to_minor(Decimal("1200.50"), "CNY") == 120050
    assert money.from_minor(120050, "CNY") == Decimal("1200.50")
    assert money.convert_minor(Decimal("100"), Decimal("7.1234"), "CNY") == 71234
