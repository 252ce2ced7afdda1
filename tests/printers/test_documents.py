"""Documents refuse what would print wrong; money prints the way a guest reads it."""

from __future__ import annotations

from datetime import datetime

import pytest

from printers.documents import PrinterProfile, format_money, format_rate
from tests.printers.conftest import make_ticket


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "text"),
    [
        (1250, "EUR", "en", "€12.50"),
        (5, "EUR", "en", "€0.05"),
        (-305, "EUR", "en", "-€3.05"),
        (0, "GBP", "en", "£0.00"),
        (123456, "USD", "en", "$1,234.56"),
        (700, "CHF", "en", "CHF 7.00"),
        (-1, "CHF", "en", "-CHF 0.01"),
        (1250, "JPY", "en", "¥1,250"),  # no minor unit: 1250 is 1250 yen
        (1250, "KWD", "en", "KWD 1.250"),  # three decimals
        (-1005, "BHD", "en", "-BHD 1.005"),
        (123456, "EUR", "de-DE", "1.234,56 €"),
        (123456, "EUR", "nl-NL", "€ 1.234,56"),
        (1250, "JPY", "de-DE", "1.250 ¥"),
    ],
)
def test_format_money(minor: int, currency: str, locale: str, text: str) -> None:
    assert format_money(minor, currency, locale) == text


@pytest.mark.parametrize(
    ("rate_ppm", "locale", "text"),
    [
        (88_750, "en", "8.875%"),
        (55_000, "en", "5.5%"),
        (90_000, "nl-NL", "9%"),
        (210_000, "nl-NL", "21%"),
        (88_750, "de-DE", "8,875 %"),
        (0, "en", "0%"),
    ],
)
def test_format_rate(rate_ppm: int, locale: str, text: str) -> None:
    assert format_rate(rate_ppm, locale) == text


def test_a_ticket_needs_a_timezone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_ticket(created_at=datetime(2025, 3, 1, 19, 42))


def test_a_profile_needs_a_supported_code_page() -> None:
    assert PrinterProfile(code_page="cp1252").code_page == "cp1252"
    with pytest.raises(ValueError, match="CP858"):
        PrinterProfile(code_page="UTF-8")
