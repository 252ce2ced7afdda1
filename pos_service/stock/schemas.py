"""What the stock API reads and writes. Quantities are integers in the item's unit."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from pos_service.core.schemas import UNSET_FIELD, Id, Unset

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Unit = Annotated[str, msgspec.Meta(min_length=1, max_length=16, description="e.g. pcs, g, ml")]
Level = Annotated[int, msgspec.Meta(ge=0, le=10**12)]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=10**9)]
Note = Annotated[str, msgspec.Meta(max_length=200)]


class StockItemCreate(msgspec.Struct, kw_only=True):
    name: Name
    unit: Unit
    on_hand: Level = 0
    low_at: Level = 0


class StockItemPatch(msgspec.Struct, kw_only=True):
    """Rename, change the unit or the alert level (what is on hand changes by counts)."""

    name: Name | Unset = UNSET_FIELD
    unit: Unit | Unset = UNSET_FIELD
    low_at: Level | Unset = UNSET_FIELD


class StockItemRead(msgspec.Struct, kw_only=True):
    """A stock item; ``low`` when at or below ``low_at``; ``item_ids``: the menu items
    whose recipes use it."""

    id: int
    name: str
    unit: str
    on_hand: int
    low_at: int
    low: bool
    item_ids: list[int]


class RecipeLineWrite(msgspec.Struct, kw_only=True):
    stock_item_id: Id
    quantity: Quantity


class RecipeWrite(msgspec.Struct, kw_only=True):
    """What one portion of the item takes; an empty list stops tracking its stock. A
    whole item kept in stock (a bottle, a cake) is a stock item with quantity 1."""

    lines: Annotated[list[RecipeLineWrite], msgspec.Meta(max_length=50)]


class RecipeLineRead(msgspec.Struct, kw_only=True):
    stock_item_id: int
    name: str
    unit: str
    quantity: int


class RecipeRead(msgspec.Struct, kw_only=True):
    item_id: int
    lines: list[RecipeLineRead]


class Counted(msgspec.Struct, kw_only=True):
    stock_item_id: Id
    on_hand: Level


class StockCount(msgspec.Struct, kw_only=True):
    """What was counted; each item's difference to the book is logged as a movement."""

    counts: Annotated[list[Counted], msgspec.Meta(min_length=1, max_length=500)]
    note: Note = ""


class StockMovementRead(msgspec.Struct, kw_only=True):
    id: int
    stock_item_id: int
    kind: str
    quantity: int
    on_hand: int
    check_id: int | None
    staff_id: int | None
    note: str
    at: dt.datetime
