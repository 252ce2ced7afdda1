from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_service.core.money import (
    allocate,
    apply_bp,
    format_minor,
    format_rate_percent,
    minor_exponent,
    round_div,
    split_evenly,
    tax_added,
    tax_included,
    tax_rounding,
)

amounts = st.integers(min_value=-(10**9), max_value=10**9)
weight_lists = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(
    any
)


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (5, 2, 3),  # 2.5 rounds away from zero
        (-5, 2, -3),  # -2.5 rounds away from zero too
        (5, -2, -3),
        (-5, -2, 3),
        (7, 3, 2),  # 2.33
        (-7, 3, -2),
        (8, 3, 3),  # 2.67
        (-8, 3, -3),
        (0, 7, 0),
    ],
)
def test_round_div_rounds_half_away_from_zero(
    numerator: int, denominator: int, expected: int
) -> None:
    assert round_div(numerator, denominator) == expected


@given(amounts, st.integers(min_value=1, max_value=10**6), st.booleans())
def test_round_div_is_nearest_with_ties_away_from_zero(
    numerator: int, magnitude: int, flip: bool
) -> None:
    denominator = -magnitude if flip else magnitude
    exact = Fraction(numerator, denominator)
    result = round_div(numerator, denominator)
    assert abs(result - exact) <= Fraction(1, 2)
    if abs(result - exact) == Fraction(1, 2):
        assert abs(result) > abs(exact)
    assert round_div(-numerator, denominator) == -result


def test_apply_bp() -> None:
    assert apply_bp(2696, 1000) == 270  # 269.6
    assert apply_bp(1250, 2000) == 250
    assert apply_bp(5, 1000) == 1  # 0.5 -> 1
    assert apply_bp(-5, 1000) == -1


def test_tax_helpers_hand_calculated() -> None:
    assert tax_included(2500, 200_000) == 417  # 2500 x 20 / 120 = 416.67
    assert tax_included(400, 100_000) == 36  # 400 x 10 / 110 = 36.36
    assert tax_included(1, 200_000) == 0  # 0.17
    assert tax_added(2426, 82_500) == 200  # 2426 x 0.0825 = 200.145
    assert tax_added(1000, 82_500) == 83  # 82.5 -> 83
    assert tax_added(2295, 88_750) == 204  # 8.875 %: 203.68
    assert tax_added(1000, 88_750) == 89  # 88.75
    assert tax_added(200, 55_000) == 11  # 5.5 %: 11.0
    assert tax_included(1210, 210_000) == 210  # 21 %: exactly 2.10 of 12.10
    assert tax_included(1090, 90_000) == 90  # 9 %
    assert tax_included(-2500, 200_000) == -417
    with pytest.raises(ValueError, match="negative"):
        tax_added(100, -1)


def test_allocate_examples() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(1, [1, 1, 1]) == [1, 0, 0]  # one cent over three: lowest index wins the tie
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]  # a refund mirrors the sale
    assert allocate(-1, [1, 1, 1]) == [-1, 0, 0]
    assert allocate(10, [0, 3, 0, 1]) == [0, 8, 0, 2]  # 7.5 and 2.5: tie to the lower index
    assert allocate(5, [1, 0]) == [5, 0]
    assert allocate(0, [1, 2]) == [0, 0]
    assert split_evenly(1000, 3) == [334, 333, 333]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_allocate_rejects_bad_weights(weights: list[int]) -> None:
    with pytest.raises(ValueError, match="weight"):
        allocate(100, weights)


def test_split_evenly_needs_a_part() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        split_evenly(100, 0)


@given(amounts, weight_lists)
def test_allocate_sums_to_total_and_stays_within_one_of_each_share(
    total: int, weights: list[int]
) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - Fraction(total * weight, sum(weights))) < 1
        if weight == 0:
            assert part == 0


@given(amounts, weight_lists)
def test_allocate_is_symmetric_for_refunds(total: int, weights: list[int]) -> None:
    assert allocate(-total, weights) == [-part for part in allocate(total, weights)]


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (1250, "EUR", "en", "€12.50"),
        (5, "usd", "en", "$0.05"),
        (-1250, "EUR", "en", "-€12.50"),
        (-5, "EUR", "en", "-€0.05"),
        (0, "EUR", "en", "€0.00"),
        (1250, "JPY", "en", "¥1,250"),
        (1250, "KWD", "en", "KWD\xa01.250"),
        (-1250, "BHD", "en", "-BHD\xa01.250"),
        (123456, "EUR", "de-DE", "1.234,56\xa0€"),
        (123456, "EUR", "nl_NL", "€\xa01.234,56"),
    ],
)
def test_format_minor(amount: int, currency: str, locale: str, expected: str) -> None:
    assert format_minor(amount, currency, locale) == expected


@pytest.mark.parametrize(
    ("currency", "digits"), [("EUR", 2), ("usd", 2), ("JPY", 0), ("KWD", 3), ("BHD", 3)]
)
def test_minor_exponent_is_the_currency_s_decimals(currency: str, digits: int) -> None:
    assert minor_exponent(currency) == digits


def test_rates_are_written_by_the_locale() -> None:
    assert format_rate_percent(88_750) == "8.875%"
    assert format_rate_percent(55_000, "nl-NL") == "5,5%"
    assert format_rate_percent(88_750, "de-DE") == "8,875\xa0%"
    with pytest.raises(ValueError, match="locale"):
        format_rate_percent(1, "xx-nowhere")


def test_the_tax_rounding_rule_defaults_to_the_total() -> None:
    assert tax_rounding({}) == "total"
    assert tax_rounding({"tax_rounding": "line"}) == "line"
    assert tax_rounding({"tax_rounding": "total"}) == "total"


def test_format_minor_rejects_a_bad_code() -> None:
    with pytest.raises(ValueError, match="ISO 4217"):
        format_minor(100, "EURO")
