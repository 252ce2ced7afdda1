"""What the end-of-day API reads and writes. Amounts are minor units."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec


class DayCloseRequest(msgspec.Struct, kw_only=True):
    """Close the business day with the cash counted in the drawer."""

    counted_cash: Annotated[int, msgspec.Meta(ge=0, le=10**12)]


class MethodTotal(msgspec.Struct, kw_only=True):
    """Payments of one method net of refunds; ``tips`` on top."""

    method: str
    count: int
    amount: int
    tips: int


class RateTotal(msgspec.Struct, kw_only=True):
    rate_bp: int
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
