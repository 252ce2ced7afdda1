"""The drawers API's bodies and answers; amounts in minor units."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

Money = Annotated[int, msgspec.Meta(ge=0, le=10**10)]
Amount = Annotated[int, msgspec.Meta(ge=1, le=10**10)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class SessionOpen(msgspec.Struct, kw_only=True):
    """Open a drawer session with the float counted into the drawer."""

    opening_float: Money


class CashMovement(msgspec.Struct, kw_only=True):
    """Cash put into (paid in) or taken out of (paid out) the drawer, and why."""

    amount: Amount
    reason: Reason


class NoSale(msgspec.Struct, kw_only=True):
    """Open the drawer without a sale, and why."""

    reason: Reason


class BlindCount(msgspec.Struct, kw_only=True):
    """The cash counted in the drawer at close, entered before the expected amount is seen."""

    counted: Money


class MovementRead(msgspec.Struct, kw_only=True):
    id: int
    kind: Literal["paid_in", "paid_out", "no_sale"]
    amount: int
    reason: str
    staff_id: int
    at: dt.datetime


class SessionRead(msgspec.Struct, kw_only=True):
    """A drawer session. While it is open, what the drawer should hold is not shown to
    the staff member counting it (``cash_sales``, ``cash_tips``, ``expected`` and
    ``over_short`` None; managers see the takings): the count at close is blind."""

    id: int
    staff_id: int
    staff_name: str
    device_id: int | None
    opened_at: dt.datetime
    opening_float: int
    cash_sales: int | None
    cash_tips: int | None
    paid_in: int
    paid_out: int
    no_sales: int
    closed_at: dt.datetime | None
    counted: int | None
    expected: int | None
    over_short: int | None
    movements: list[MovementRead] = []
