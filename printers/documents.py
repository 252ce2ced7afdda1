"""What gets printed: kitchen tickets, pre-bills and receipts, independent of the database.

Amounts are integers in the currency's minor unit (cents; yen; fils for KWD). A bill's
``locale`` (the venue's, e.g. "en", "nl-NL", "de-DE") decides how its money and rates
are written, by Babel (CLDR), with the currency's own decimals. Datetimes are
timezone-aware; times print in the datetime's own timezone, so pass them in the venue's
timezone.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Literal

import msgspec
from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_percent, get_currency_precision

from printers.codepages import find_code_page

# CLDR's currency spacing (a code against a digit gets a space); and paper has no
# no-break, narrow or direction marks, only spaces
_CURRENCY_SPACING = re.compile(r"(?<=[A-Za-z])(?=[\d-])|(?<=\d)(?=[A-Za-z])")
_PAPER = str.maketrans({"\xa0": " ", "\u202f": " ", "\u200e": None, "\u200f": None})


@cache
def _locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError) as exc:
        raise ValueError(f"not a known locale: {tag!r}") from exc


def format_money(minor: int, currency: str, locale: str = "en") -> str:
    """An amount in minor units as printed, with the currency's decimals: ``€12.50``,
    ``-€3.05``, ``CHF 7.00``, ``¥1,250``, ``KWD 1.250``; ``12,50 €`` in ``de-DE``."""
    major = Decimal(minor).scaleb(-int(get_currency_precision(currency)))
    text = format_currency(major, currency, locale=_locale(locale))
    return _CURRENCY_SPACING.sub(" ", text).translate(_PAPER)


def format_rate(rate_ppm: int, locale: str = "en") -> str:
    """A tax rate in parts per million as printed: ``8.875%``, ``21%``; ``8,875 %`` in de."""
    text = format_percent(
        Decimal(rate_ppm).scaleb(-6), locale=_locale(locale), decimal_quantization=False
    )
    return str(text).translate(_PAPER)


def _require_aware(moment: datetime) -> None:
    if moment.utcoffset() is None:
        raise ValueError("created_at must be timezone-aware")


class TicketItem(msgspec.Struct, frozen=True):
    """One line of a kitchen ticket: ``2 x Ribeye`` with its seat, course and modifiers."""

    quantity: int
    name: str
    seat: int | None = None
    course: str | None = None
    modifiers: list[str] = []
    note: str | None = None
    allergens: list[str] = []
    voided: bool = False


class KitchenTicket(msgspec.Struct, frozen=True, kw_only=True):
    """The items of one send (or void, or fire) for one station."""

    venue: str
    station: str
    ticket_number: int
    table: str
    waiter: str
    covers: int
    created_at: datetime
    items: list[TicketItem]
    allergies: list[str] = []
    notes: list[str] = []
    kind: Literal["new", "void", "fire", "moved"] = "new"
    course_fired: str | None = None
    held: list[str] = []
    """Courses of a new ticket held until they are fired (printed as HOLD lines)."""

    def __post_init__(self) -> None:
        _require_aware(self.created_at)


class BillLine(msgspec.Struct, frozen=True):
    """One line of a bill; ``amount_minor`` is the line total."""

    quantity: int
    name: str
    amount_minor: int
    modifiers: list[str] = []


class TaxLine(msgspec.Struct, frozen=True):
    """Tax at one rate (parts per million: 100_000 = 10%, 88_750 = 8.875%) on
    ``base_minor``; ``label`` names the tax ("VAT", "Sales tax"), the rate is printed
    after it."""

    rate_ppm: int
    label: str
    tax_minor: int
    base_minor: int


class Discount(msgspec.Struct, frozen=True):
    """A discount taken off the bill; ``amount_minor`` is positive."""

    label: str
    amount_minor: int


class Payment(msgspec.Struct, frozen=True):
    """A payment on a receipt; ``amount_minor`` excludes ``tip_minor``."""

    method: str
    amount_minor: int
    tip_minor: int = 0
    brand: str | None = None
    last4: str | None = None


class _Bill(msgspec.Struct, frozen=True, kw_only=True):
    venue: str
    table: str
    check_id: str
    waiter: str
    created_at: datetime
    currency: str
    lines: list[BillLine]
    subtotal_minor: int
    taxes: list[TaxLine] = []
    discounts: list[Discount] = []
    service_charge_minor: int = 0
    total_minor: int
    paid_minor: int = 0
    due_minor: int
    tax_inclusive: bool
    qr_url: str | None = None
    locale: str = "en"

    def __post_init__(self) -> None:
        _require_aware(self.created_at)
        _locale(self.locale)


class PreBill(_Bill, frozen=True, kw_only=True):
    """The bill brought to the table before payment."""


class Receipt(_Bill, frozen=True, kw_only=True):
    """The bill after payment, with the payments taken and the change given."""

    payments: list[Payment] = []
    change_minor: int = 0


class DrawerPulse(msgspec.Struct, frozen=True, kw_only=True):
    """Open a cash drawer wired to the printer: ``ESC p m t1 t2`` on connector pin ``pin``
    (0: pin 2, 1: pin 5), on for ``on_ms`` and off for ``off_ms`` (2 ms steps)."""

    pin: Literal[0, 1] = 0
    on_ms: int = 100
    off_ms: int = 200
    reason: str = ""

    def __post_init__(self) -> None:
        if not (2 <= self.on_ms <= 510 and 2 <= self.off_ms <= 510):
            raise ValueError("a drawer pulse lasts 2 to 510 ms")


class PrinterProfile(msgspec.Struct, frozen=True):
    """What a printer can do: columns of font A, code page, red ink, buzzer, cutter."""

    width: Literal[32, 42, 48] = 42
    code_page: str = "CP858"
    two_colour: bool = False
    buzzer: bool = False
    cut: bool = True
    language: str = "en"
    """The language its kitchen tickets are printed in (``en``, ``nl``, ``de``); bills
    and receipts are printed in their venue's (``locale``)."""

    def __post_init__(self) -> None:
        find_code_page(self.code_page)
