"""What the end-of-day API reads and writes. Amounts are minor units."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec


class DayCloseRequest(msgspec.Struct, kw_only=True):
    """Close the business day with the cash counted in the drawer. Open checks refuse the
    close (409 listing them) unless ``open_checks`` is ``"carry"``: they then belong to the
    next business day, and the Z report names them."""

    counted_cash: Annotated[int, msgspec.Meta(ge=0, le=10**12)]
    open_checks: Literal["refuse", "carry"] = "refuse"


class OpenCheckTotal(msgspec.Struct, kw_only=True):
    """A check still open: its bill so far and what is paid on it (not yet a sale)."""

    check_id: int
    table: str | None
    waiter: str
    opened_at: dt.datetime
    total: int
    paid: int


class MethodTotal(msgspec.Struct, kw_only=True):
    """Payments of one method net of refunds; ``tips`` on top."""

    method: str
    count: int
    amount: int
    tips: int


class RateTotal(msgspec.Struct, kw_only=True):
    rate_ppm: int
    base: int
    tax: int


class CategoryTotal(msgspec.Struct, kw_only=True):
    category: str
    quantity: int
    net: int


class StaffTotal(msgspec.Struct, kw_only=True):
    """Sales of the checks a waiter closed, payments and tips they took."""

    staff_id: int | None
    name: str
    checks: int
    sales: int
    payments: int
    tips: int


class Incident(msgspec.Struct, kw_only=True):
    """A void, discount, comp or refund, with its reason, who did it and who approved it."""

    kind: str
    check_id: int
    line_id: int | None
    name: str | None
    amount: int
    reason: str | None
    by: int | None
    approved_by: int | None
    at: dt.datetime
    by_name: str | None = None
    approved_by_name: str | None = None


class DrawerTotal(msgspec.Struct, kw_only=True):
    """A drawer session closed in the report's period: what it should have held
    (float + cash sales + cash tips + paid in - paid out), what was counted, and
    ``over_short = counted - expected`` (negative: short)."""

    session_id: int
    staff_id: int
    name: str
    opening_float: int
    cash_sales: int
    cash_tips: int
    paid_in: int
    paid_out: int
    expected: int
    counted: int
    over_short: int
    closed_at: dt.datetime


class ForgottenClockOut(msgspec.Struct, kw_only=True):
    """A shift still open at the day close, ended by it at its planned end (if passed)
    or at the close."""

    shift_id: int
    staff_id: int
    name: str
    clock_in: dt.datetime
    clock_out: dt.datetime


class Report(msgspec.Struct, kw_only=True):
    """An X report (running) or Z report (the closed day), from the journal entries
    ``from_seq`` to ``to_seq``. Sales are counted when checks close."""

    kind: Literal["X", "Z"]
    business_date: dt.date
    from_seq: int
    to_seq: int
    generated_at: dt.datetime
    currency: str
    checks: int
    covers: int
    subtotal: int
    discount_total: int
    service_charge: int
    sales_total: int
    taxes: list[RateTotal]
    by_method: list[MethodTotal]
    by_category: list[CategoryTotal]
    by_staff: list[StaffTotal]
    tips: int
    voids: list[Incident]
    discounts: list[Incident]
    comps: list[Incident]
    refunds: list[Incident]
    cash_expected: int
    counted_cash: int | None = None
    cash_difference: int | None = None
    closed_by: int | None = None
    open_checks: list[OpenCheckTotal] = []
    open_total: int = 0
    carried: list[int] = []
    paid_in: int = 0
    paid_out: int = 0
    drawers: list[DrawerTotal] = []
    drawer_over_short: int = 0
    labour_cost: int = 0
    """What the time clocked on the business day cost (managers' reports only)."""
    labour_seconds: int = 0
    forgotten_clock_outs: list[ForgottenClockOut] = []
    """Shifts nobody clocked out of: the day close ended them (Z report)."""
    returns: list[Incident] = []
    returns_total: int = 0


SalesGroup = Literal[
    "day", "hour", "item", "category", "staff", "table", "payment_method", "tax_rate"
]


class SalesRow(msgspec.Struct, kw_only=True):
    """Sales of one group (a day, an hour, an item ...). ``gross`` - ``discounts`` =
    ``net`` (the lines), + ``service_charge`` (+ ``tax`` when prices exclude it) =
    ``total``, what the guests paid. Rows of lines (item, category, tax rate) carry their
    share of the check's service charge and tax, so every grouping sums to the same
    totals. Rows of payment methods carry ``total`` (each sale's total split over the
    methods that paid it) and ``tips`` only. ``checks`` and ``covers`` count the checks
    in the row; ``tips`` are the tips paid on them (0 for rows of lines)."""

    key: str
    label: str
    checks: int = 0
    covers: int = 0
    quantity: int = 0
    gross: int = 0
    discounts: int = 0
    net: int = 0
    service_charge: int = 0
    tax: int = 0
    total: int = 0
    tips: int = 0
    average_check: int = 0


class PromotionSales(msgspec.Struct, kw_only=True):
    """What one promotion took off the sales: ``amount`` over ``lines`` lines of
    ``checks`` checks (it is part of the report's ``discounts``)."""

    promotion_id: int
    name: str
    checks: int = 0
    lines: int = 0
    amount: int = 0


class SalesReport(msgspec.Struct, kw_only=True):
    """Closed checks (journal ``sale`` entries) of the business days ``start`` to ``end``
    by the venue's cutoff. The totals are the journal's; the rows sum to them."""

    start: dt.date
    end: dt.date
    group: SalesGroup
    currency: str
    timezone: str
    checks: int
    covers: int
    gross: int
    discounts: int
    net: int
    service_charge: int
    tax: int
    total: int
    tips: int
    average_check: int
    average_cover: int
    rows: list[SalesRow]
    promotions: list[PromotionSales] = msgspec.field(default_factory=list)
    """The discounts of promotions, per promotion (docs/promotions.md)."""


class VenueSales(msgspec.Struct, kw_only=True):
    venue_id: int
    slug: str
    name: str
    report: SalesReport


class CurrencyTotal(msgspec.Struct, kw_only=True):
    """The venues of one currency summed (amounts of different currencies never mix)."""

    currency: str
    venues: int
    checks: int
    covers: int
    net: int
    tax: int
    total: int
    tips: int
    average_check: int


class GroupSalesRow(msgspec.Struct, kw_only=True):
    """A row of one venue's sales report, for the group's CSV."""

    venue: str
    currency: str
    key: str
    label: str
    checks: int
    covers: int
    quantity: int
    gross: int
    discounts: int
    net: int
    service_charge: int
    tax: int
    total: int
    tips: int
    average_check: int


class GroupSalesReport(msgspec.Struct, kw_only=True):
    """Every venue of the group, each by its own timezone and cutoff, and the sums."""

    start: dt.date
    end: dt.date
    group: SalesGroup
    venues: list[VenueSales]
    totals: list[CurrencyTotal]


class ExceptionRow(msgspec.Struct, kw_only=True):
    """A void after send, a discount, a comp or a refund, with who did and who approved."""

    kind: str
    at: dt.datetime
    check_id: int
    line_id: int | None
    name: str | None
    amount: int
    reason: str | None
    by_id: int | None
    by: str | None
    approved_by_id: int | None
    approved_by: str | None


class ExceptionTotal(msgspec.Struct, kw_only=True):
    kind: str
    count: int
    amount: int


class ExceptionsReport(msgspec.Struct, kw_only=True):
    start: dt.date
    end: dt.date
    currency: str
    totals: list[ExceptionTotal]
    rows: list[ExceptionRow]


class TurnRow(msgspec.Struct, kw_only=True):
    """Checks of one table closed in the period: seated (check opened) to closed."""

    table_id: int
    table: str
    turns: int
    covers: int
    average_seconds: int
    longest_seconds: int


class TurnsReport(msgspec.Struct, kw_only=True):
    start: dt.date
    end: dt.date
    turns: int
    average_seconds: int
    rows: list[TurnRow]


class HoursRow(msgspec.Struct, kw_only=True):
    """One member's shifts that began on one business day; an open shift counts to now."""

    business_date: dt.date
    staff_id: int
    name: str
    shifts: int
    seconds: int
    open: bool


class HoursReport(msgspec.Struct, kw_only=True):
    start: dt.date
    end: dt.date
    seconds: int
    rows: list[HoursRow]


class TipShareRead(msgspec.Struct, kw_only=True):
    staff_id: int
    name: str
    weight: int
    amount: int


class DayTips(msgspec.Struct, kw_only=True):
    """The card and cash tips of a closed day and each pooled member's share; the
    shares and ``unallocated`` sum to ``card_tips + cash_tips`` exactly."""

    business_date: dt.date
    mode: str
    card_tips: int
    cash_tips: int
    unallocated: int
    shares: list[TipShareRead]


class GroupVenue(msgspec.Struct, kw_only=True):
    id: int
    slug: str
    name: str
    currency: str
    timezone: str


class VenueGroupRead(msgspec.Struct, kw_only=True):
    """A venue group and its venues, by id."""

    id: int
    name: str
    venues: list[GroupVenue]


class HourSales(msgspec.Struct, kw_only=True):
    """Sales of one hour of the open period (the venue's clock): ``closed`` of checks
    closed in it, ``open`` of the checks opened in it and still open (not yet sales)."""

    hour: int
    closed: int
    open: int


class LiveCheck(msgspec.Struct, kw_only=True):
    """An open check as the live figures keep it: its covers, the hour it opened (the
    venue's clock), its bill so far, and the amounts of its lines not voided (by line
    id), from which the page follows the check's line events (docs/live.md)."""

    check_id: int
    covers: int
    hour: int
    total: int
    lines: dict[int, int]


class LiveSales(msgspec.Struct, kw_only=True):
    """The manager's live figures of the open period: closed sales, tips, the open
    checks' bills so far, and both by hour. Amounts in minor units of ``currency``. The
    page applies the ``orders`` and ``payments`` events to it from ``seq`` on (the
    snapshot's last event); ``open`` and ``timezone`` are what it needs for that."""

    at: dt.datetime
    business_date: dt.date
    currency: str
    sales_total: int
    checks: int
    open_checks: int
    open_total: int
    open_covers: int
    by_hour: list[HourSales]
    tips: int = 0
    timezone: str = "UTC"
    open: list[LiveCheck] = msgspec.field(default_factory=list)
    seq: int = 0
