"""Money: integer minor units, one rounding rule, one allocation rule.

- An amount is an ``int`` in the currency's minor unit (cents for EUR and USD, yen for
  JPY). No floats anywhere, no Decimal at the API.
- Tax rates are integers in parts per million: 88_750 ppm = 8.875 %, 210_000 = 21 %.
  Other percentages (discounts, the service charge) are basis points: 1 bp = 0.01 %,
  2000 bp = 20 %.
- Every division that yields an amount goes through :func:`round_div`, which rounds half
  away from zero (commercial rounding): 2.5 -> 3 and -2.5 -> -3, so a refund rounds
  exactly like the sale it reverses.
- Every split of an amount into parts goes through :func:`allocate` (largest remainder),
  so the parts always sum to the amount exactly.
- A currency's decimals (0 for JPY, 2 for EUR, 3 for KWD) and the way an amount is
  written (symbol, separators) come from Babel (CLDR), by the venue's locale.
"""

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_percent, get_currency_precision

BP_SCALE = 10_000
PPM_SCALE = 1_000_000

DEFAULT_LOCALE = "en"
# a venue's tax rounding rule (settings["tax_rounding"]): once per rate on the bill's
# total, or per line and then summed per rate
TAX_ROUNDING = ("total", "line")

# CLDR's currency spacing: a currency code written against a digit gets a no-break space
_CURRENCY_SPACING = re.compile(r"(?<=[A-Za-z])(?=[\d-])|(?<=\d)(?=[A-Za-z])")


def round_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half away from zero, exact for any signs."""
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def apply_bp(amount: int, basis_points: int) -> int:
    """``amount x basis_points / 10000``, rounded with :func:`round_div`."""
    return round_div(amount * basis_points, BP_SCALE)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by the largest-remainder rule.

    Each part is its exact share rounded down (towards zero for a negative total); the
    cents left over go one each to the parts with the largest remainders, ties to the
    lowest index. So the parts sum to ``total`` exactly, each is within one unit of its
    exact share, a zero weight gets 0, and ``allocate(-t, w) == [-p for p in
    allocate(t, w)]``.
    """
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must be non-negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("at least one weight must be positive")
    magnitude = abs(total)
    parts = [magnitude * weight // weight_sum for weight in weights]
    remainders = [magnitude * weight % weight_sum for weight in weights]
    left = magnitude - sum(parts)
    for index in sorted(range(len(parts)), key=lambda i: -remainders[i])[:left]:
        parts[index] += 1
    return parts if total >= 0 else [-part for part in parts]


def split_evenly(total: int, n: int) -> list[int]:
    """``total`` in ``n`` parts as equal as possible, the larger parts first."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return allocate(total, [1] * n)


def apply_ppm(amount: int, ppm: int) -> int:
    """``amount x ppm / 1_000_000``, rounded with :func:`round_div`."""
    return round_div(amount * ppm, PPM_SCALE)


def tax_included(gross: int, rate_ppm: int) -> int:
    """The tax contained in a tax-inclusive ``gross``: gross x rate / (1 + rate)."""
    _check_rate(rate_ppm)
    return round_div(gross * rate_ppm, PPM_SCALE + rate_ppm)


def tax_added(net: int, rate_ppm: int) -> int:
    """The tax to add on top of a tax-exclusive ``net``: net x rate."""
    _check_rate(rate_ppm)
    return apply_ppm(net, rate_ppm)


@cache
def locale_of(tag: str) -> Locale:
    """A locale tag ("en", "nl-NL", "de_DE") as a Babel locale; ValueError if unknown."""
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError) as exc:
        raise ValueError(f"not a known locale: {tag!r}") from exc


def minor_exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit (ISO 4217, from CLDR: JPY 0, KWD 3)."""
    if len(currency) != 3 or not currency.isalpha():
        raise ValueError(f"not an ISO 4217 currency code: {currency!r}")
    return int(get_currency_precision(currency.upper()))


def to_major(amount: int, currency: str) -> Decimal:
    """Minor units as an exact decimal of major units: ``to_major(1250, "EUR") == 12.50``."""
    return Decimal(amount).scaleb(-minor_exponent(currency))


def format_minor(amount: int, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """``amount`` (minor units) written for ``locale``: ``format_minor(1250, "EUR") ==
    "€12.50"``, ``"12,50\xa0€"`` in ``de-DE``, ``"¥1,250"`` for 1250 JPY."""
    text = format_currency(to_major(amount, currency), currency.upper(), locale=locale_of(locale))
    return _CURRENCY_SPACING.sub("\xa0", text)


def format_rate_percent(rate_ppm: int, locale: str = DEFAULT_LOCALE) -> str:
    """A rate in ppm as a percentage for ``locale``: 88_750 -> "8.875%" ("8,875\xa0%" in de)."""
    return str(
        format_percent(
            Decimal(rate_ppm).scaleb(-6), locale=locale_of(locale), decimal_quantization=False
        )
    )


def tax_rounding(settings: Mapping[str, object]) -> Literal["total", "line"]:
    """The venue's tax rounding rule, ``settings["tax_rounding"]``: "line" rounds each
    line's tax, anything else (the default "total") each rate's tax on the bill once.
    Whoever writes the setting checks it against :data:`TAX_ROUNDING`."""
    return "line" if settings.get("tax_rounding") == "line" else "total"


def _check_rate(rate_ppm: int) -> None:
    if rate_ppm < 0:
        raise ValueError(f"a tax rate cannot be negative: {rate_ppm} ppm")
