"""What the checks API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from pos_service.core.allergens import Allergen, AllergenNote
from pos_service.core.schemas import UNSET_FIELD, Id, Unset

Quantity = Annotated[int, msgspec.Meta(ge=1, le=99, description="1 to 99")]
Seat = Annotated[int, msgspec.Meta(ge=0, le=99)]
Covers = Annotated[int, msgspec.Meta(ge=1, le=99)]
Version = Annotated[int, msgspec.Meta(ge=1, le=2**31)]
Course = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Note = Annotated[str, msgspec.Meta(max_length=200)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Allergens = Annotated[list[Allergen], msgspec.Meta(max_length=14)]


class CheckOpen(msgspec.Struct, kw_only=True):
    """Open a check; ``allergens`` and ``allergy_note`` are the table's allergies (the
    band every kitchen station shows on the check's tickets)."""

    table_id: Id
    covers: Covers
    allergens: Allergens = []
    allergy_note: AllergenNote = ""
    notes: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class AllergiesSet(msgspec.Struct, kw_only=True):
    """The table's allergies as they now are (replacing what the check carried)."""

    allergens: Allergens = []
    allergy_note: AllergenNote = ""
    version: Version | None = None


class LineAdd(msgspec.Struct, kw_only=True):
    """Add an item. ``modifiers`` are option ids; ``version``, if given, must be current."""

    item_id: Id
    quantity: Quantity = 1
    modifiers: Annotated[list[Id], msgspec.Meta(max_length=30)] = []
    seat: Seat | None = None
    course: Course | None = None
    note: Note | None = None
    allergens: Allergens = []
    version: Version | None = None


class LinePatch(msgspec.Struct, kw_only=True):
    """Change a line that has not been sent; ``modifiers`` (option ids) replace the
    line's options, checked against the item's groups as when it was added."""

    quantity: Quantity | Unset = UNSET_FIELD
    modifiers: Annotated[list[Id], msgspec.Meta(max_length=30)] | Unset = UNSET_FIELD
    seat: Seat | Unset | None = UNSET_FIELD
    course: Course | Unset = UNSET_FIELD
    note: Note | Unset | None = UNSET_FIELD
    allergens: Allergens | Unset = UNSET_FIELD
    version: Version | None = None


class CheckWrite(msgspec.Struct, kw_only=True):
    """A write on the whole check (send); ``version``, if given, must be current."""

    version: Version | None = None


class VoidRequest(msgspec.Struct, kw_only=True):
    reason: Reason
    approval: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    version: Version | None = None


class TransferRequest(msgspec.Struct, kw_only=True):
    table_id: Id
    version: Version | None = None


class MergeRequest(msgspec.Struct, kw_only=True):
    check_id: Id
    version: Version | None = None


class FavouritesRead(msgspec.Struct, kw_only=True):
    """The venue's most ordered items of the last weeks, most ordered first."""

    item_ids: list[int]


class ModifierRead(msgspec.Struct, kw_only=True):
    option_id: int
    group: str
    name: str
    price_delta: int


class LineRead(msgspec.Struct, kw_only=True):
    id: int
    item_id: int
    name: str
    quantity: int
    unit_price: int
    amount: int
    tax_rate_ppm: int
    modifiers: list[ModifierRead]
    seat: int | None
    course: str
    note: str | None
    allergens: list[str]
    station_id: int | None
    state: str
    added_by: int
    added_at: dt.datetime
    sent_at: dt.datetime | None
    voided_at: dt.datetime | None
    voided_by: int | None
    void_reason: str | None
    void_approved_by: int | None


class CheckRead(msgspec.Struct, kw_only=True):
    id: int
    table_id: int | None
    covers: int
    waiter_id: int | None
    status: str
    version: int
    allergens: list[str]
    allergy_note: str
    notes: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    merged_into: int | None
    subtotal: int
    lines: list[LineRead]
    kind: str = "dine_in"
