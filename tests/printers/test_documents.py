"""Documents refuse what would print wrong; money prints the way a guest reads it."""

from __future__ import annotations

from datetime import datetime

import pytest

from printers.documents import PrinterProfile, format_money
from tests.printers.conftest import make_ticket


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (1250, "EUR", "€12.50"),
        (5, "EUR", "€0.05"),
        (-305, "EUR", "-€3.05"),
        (0, "GBP", "£0.00"),
        (123456, "USD", "$1234.56"),
        (700, "CHF", "CHF 7.00"),
        (-1, "CHF", "-CHF 0.01"),
    ],
)
def test_format_money(minor: int, currency: str, text: str) -> None:
    assert format_money(minor, currency) == text


def test_a_ticket_needs_a_timezone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_ticket(created_at=datetime(2025, 3, 1, 19, 42))


def test_a_profile_needs_a_supported_code_page() -> None:
    assert PrinterProfile(code_page="cp1252").code_page == "cp1252"
    with pytest.raises(ValueError, match="CP858"):
        PrinterProfile(code_page="UTF-8")
