"""What the promotions API reads and writes.

Amounts are minor units, percentages basis points (1000 = 10 %), times venue-local.
Every change names the ``version`` it read (409 with the current row if stale).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from pos_service.core.schemas import UNSET_FIELD, Id, LocalTime, Unset
from pos_service.menu.schemas import IdList, Name, Price, Version

Kind = Literal["percent_off", "amount_off", "buy_n_get_m", "combo_price"]
Weekday = Annotated[int, msgspec.Meta(ge=1, le=7)]
PercentBp = Annotated[int, msgspec.Meta(ge=1, le=10000)]
Amount = Annotated[int, msgspec.Meta(ge=1, le=10**12)]
Count = Annotated[int, msgspec.Meta(ge=1, le=100)]


class WindowIn(msgspec.Struct, kw_only=True):
    """A weekly window in the venue's time: e.g. Monday to Friday 17:00 to 19:00. An end
    at or before the start runs past midnight (it belongs to the day it starts)."""

    weekdays: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)]
    starts: LocalTime
    ends: LocalTime


Windows = Annotated[list[WindowIn], msgspec.Meta(max_length=20)]


class ComponentIn(msgspec.Struct, kw_only=True):
    """One part of a combo: any of ``item_ids`` or any item of ``category_ids``."""

    item_ids: IdList = msgspec.field(default_factory=list)
    category_ids: IdList = msgspec.field(default_factory=list)


class PromotionCreate(msgspec.Struct, kw_only=True):
    """A promotion. By ``kind``: ``percent_off`` needs ``percent_bp``, ``amount_off``
    ``amount`` (off each unit), ``buy_n_get_m`` ``buy`` and ``get`` (2 for 1: buy 1, get
    1), all three on ``item_ids`` and/or ``category_ids``; ``combo_price`` needs ``price``
    and two or more ``components``. ``windows`` empty: all day; ``starts_on``/``ends_on``
    are business days (either may be left open)."""

    name: Name
    kind: Kind
    item_ids: IdList = msgspec.field(default_factory=list)
    category_ids: IdList = msgspec.field(default_factory=list)
    percent_bp: PercentBp | None = None
    amount: Amount | None = None
    buy: Count | None = None
    get: Count | None = None
    price: Price | None = None
    components: Annotated[list[ComponentIn], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    windows: Windows = msgspec.field(default_factory=list)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


class PromotionPatch(msgspec.Struct, kw_only=True):
    """Change what is given; the kind stays (end the promotion and make another)."""

    version: Version
    name: Name | Unset = UNSET_FIELD
    item_ids: IdList | Unset = UNSET_FIELD
    category_ids: IdList | Unset = UNSET_FIELD
    percent_bp: PercentBp | Unset = UNSET_FIELD
    amount: Amount | Unset = UNSET_FIELD
    buy: Count | Unset = UNSET_FIELD
    get: Count | Unset = UNSET_FIELD
    price: Price | Unset = UNSET_FIELD
    components: Annotated[list[ComponentIn], msgspec.Meta(max_length=10)] | Unset = UNSET_FIELD
    windows: Windows | Unset = UNSET_FIELD
    starts_on: dt.date | Unset | None = UNSET_FIELD
    ends_on: dt.date | Unset | None = UNSET_FIELD


class PromotionEnd(msgspec.Struct, kw_only=True):
    """End a promotion now: lines ordered from now on no longer get it."""

    version: Version


class PromotionRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    kind: Kind
    item_ids: list[int]
    category_ids: list[int]
    percent_bp: int | None
    amount: int | None
    buy: int | None
    get: int | None
    price: int | None
    components: list[ComponentIn]
    windows: list[WindowIn]
    starts_on: dt.date | None
    ends_on: dt.date | None
    active: bool
    ended_at: dt.datetime | None
    version: int
    created_at: dt.datetime


class DayPartPriceCreate(msgspec.Struct, kw_only=True):
    """``item_id`` costs ``price`` (before modifiers) when ordered within ``windows``."""

    item_id: Id
    name: Name
    price: Price
    windows: Annotated[list[WindowIn], msgspec.Meta(min_length=1, max_length=20)]


class DayPartPricePatch(msgspec.Struct, kw_only=True):
    version: Version
    name: Name | Unset = UNSET_FIELD
    price: Price | Unset = UNSET_FIELD
    windows: Annotated[list[WindowIn], msgspec.Meta(min_length=1, max_length=20)] | Unset = (
        UNSET_FIELD
    )


class DayPartPriceRead(msgspec.Struct, kw_only=True):
    id: int
    item_id: int
    name: str
    price: int
    windows: list[WindowIn]
    version: int


class PriceRemoved(msgspec.Struct, kw_only=True):
    id: int
    outcome: Literal["deleted"] = "deleted"
