"""What the table-ordering API and the venue's guest settings read and write."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from pos_service.core.allergens import Allergen
from pos_service.public.settings import GuestOrdering


class TableLinkRead(msgspec.Struct, kw_only=True):
    """A table's order link for its table tent: stable until rotated."""

    table_id: int
    table: str
    token: str
    url: str
    qr_svg: str


class Rotated(msgspec.Struct, kw_only=True):
    """Links made before this are dead (``table_id`` None: every table of the venue)."""

    table_id: int | None
    generation: int


class GuestOption(msgspec.Struct, kw_only=True):
    id: int
    name: str
    price_delta: int


class GuestGroup(msgspec.Struct, kw_only=True):
    id: int
    name: str
    min_choices: int
    max_choices: int
    options: list[GuestOption]


class GuestItem(msgspec.Struct, kw_only=True):
    id: int
    name: str
    description: str
    price: int
    allergens: list[str]
    modifier_groups: list[GuestGroup]


class GuestCategory(msgspec.Struct, kw_only=True):
    name: str
    items: list[GuestItem]


class TableMenuRead(msgspec.Struct, kw_only=True):
    """What the guest sees at the table: where they are, how ordering works, the menu."""

    venue: str
    table: str
    currency: str
    locale: str
    tax_inclusive: bool
    ordering: GuestOrdering
    categories: list[GuestCategory]


Quantity = Annotated[int, msgspec.Meta(ge=1, le=20)]
ItemId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]


class GuestOrderLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    item_id: ItemId
    quantity: Quantity = 1
    modifiers: Annotated[list[ItemId], msgspec.Meta(max_length=20)] = []
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""
    allergens: Annotated[list[Allergen], msgspec.Meta(max_length=14)] = []


class GuestOrderCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The guest's basket, sent at once."""

    lines: Annotated[list[GuestOrderLine], msgspec.Meta(min_length=1, max_length=30)]


class GuestOrderedLine(msgspec.Struct, kw_only=True):
    name: str
    quantity: int
    modifiers: list[str]
    amount: int


class GuestOrderRead(msgspec.Struct, kw_only=True):
    """The guest's order as taken: ``sent`` to the kitchen, or ``waiting`` for the waiter."""

    status: Literal["sent", "waiting"]
    lines: list[GuestOrderedLine]
