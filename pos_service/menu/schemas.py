"""What the menu API reads and writes."""

from __future__ import annotations

from typing import Annotated

import msgspec

from pos_service.core.schemas import UNSET_FIELD, Unset


class OptionRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    price_delta: int


class ModifierGroupRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    min_choices: int
    max_choices: int
    options: list[OptionRead]


class ItemRead(msgspec.Struct, kw_only=True):
    id: int
    category_id: int
    name: str
    description: str
    price: int
    tax_rate_ppm: int
    station_id: int | None
    default_course: str
    prep_minutes: int
    allergens: list[str]
    available: bool
    remaining: int | None
    gift_card: bool
    modifier_groups: list[ModifierGroupRead]


class CategoryRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    items: list[ItemRead]


class StationRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    kind: str


class MenuRead(msgspec.Struct, kw_only=True):
    currency: str
    tax_inclusive: bool
    courses: list[str]
    stations: list[StationRead]
    categories: list[CategoryRead]


class ItemPatch(msgspec.Struct, kw_only=True):
    """Set an item (un)available, or give it a remaining count (null: not counted);
    managers may make it sell gift cards of its price (``gift_card``)."""

    available: bool | Unset = UNSET_FIELD
    gift_card: bool | Unset = UNSET_FIELD
    remaining: Annotated[int, msgspec.Meta(ge=0, le=100000)] | Unset | None = UNSET_FIELD


Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class MenuCopy(msgspec.Struct, kw_only=True):
    """Copy the menu of ``from_venue`` into ``to_venue`` (slugs of the owner's group)."""

    from_venue: Slug
    to_venue: Slug


class MenuCopyResult(msgspec.Struct, kw_only=True):
    """What the copy created in the target venue (stations of the same name are reused)."""

    from_venue: str
    to_venue: str
    stations: int
    categories: int
    items: int
    modifier_groups: int
    options: int
    links: int
