"""What the menu API reads and writes."""

from __future__ import annotations

from typing import Annotated, ClassVar

import msgspec

from pos_service.core.allergens import Allergen
from pos_service.core.schemas import UNSET_FIELD, Id, LocalTime, Unset

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S")]
Description = Annotated[str, msgspec.Meta(max_length=500)]
Price = Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]
"""A price in minor units; never negative."""
PriceDelta = Annotated[int, msgspec.Meta(ge=-100_000_000, le=100_000_000)]
TaxPpm = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
"""A tax rate in parts per million (8.875 % = 88750)."""
CourseName = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"\S")]
PrepMinutes = Annotated[int, msgspec.Meta(ge=0, le=600)]
Position = Annotated[int, msgspec.Meta(ge=0, le=100_000)]
Version = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
IdList = Annotated[list[Id], msgspec.Meta(max_length=50)]


class OptionRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    price_delta: int
    position: int = 0
    version: int = 1


class ModifierGroupRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    min_choices: int
    max_choices: int
    options: list[OptionRead]
    version: int = 1


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
    version: int = 1
    position: int = 0
    schedule_ids: list[int] = msgspec.field(default_factory=list)
    archived: bool = False


class CategoryRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    items: list[ItemRead]
    position: int = 0
    station_id: int | None = None
    default_course: str = ""
    schedule_ids: list[int] = msgspec.field(default_factory=list)
    version: int = 1
    archived: bool = False


class StationRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    kind: str
    warn_minutes: int = 10
    late_minutes: int = 20
    version: int = 1


class ScheduleRead(msgspec.Struct, kw_only=True):
    """When linked items and categories can be ordered: ISO weekdays (1 = Monday) and
    local times in the venue's timezone; ``ends`` at or before ``starts`` runs past midnight."""

    id: int
    name: str
    weekdays: list[int]
    starts: LocalTime
    ends: LocalTime
    version: int


class MenuRead(msgspec.Struct, kw_only=True):
    currency: str
    tax_inclusive: bool
    courses: list[str]
    stations: list[StationRead]
    categories: list[CategoryRead]
    timezone: str = "UTC"
    courses_version: int = 0
    schedules: list[ScheduleRead] = msgspec.field(default_factory=list)
    modifier_groups: list[ModifierGroupRead] = msgspec.field(default_factory=list)
    """Every modifier group of the venue, offered by an item or not (the editor's list)."""


class ItemPatch(msgspec.Struct, kw_only=True):
    """Set an item (un)available, or give it a remaining count (null: not counted);
    managers may make it sell gift cards of its price (``gift_card``), and change what it
    is (the other fields), naming the ``version`` they read."""

    available: bool | Unset = UNSET_FIELD
    gift_card: bool | Unset = UNSET_FIELD
    remaining: Annotated[int, msgspec.Meta(ge=0, le=100000)] | Unset | None = UNSET_FIELD
    version: Version | Unset = UNSET_FIELD
    category_id: Id | Unset = UNSET_FIELD
    name: Name | Unset = UNSET_FIELD
    description: Description | Unset = UNSET_FIELD
    price: Price | Unset = UNSET_FIELD
    tax_rate_ppm: TaxPpm | Unset = UNSET_FIELD
    station_id: Id | Unset | None = UNSET_FIELD
    default_course: CourseName | Unset | None = UNSET_FIELD
    prep_minutes: PrepMinutes | Unset = UNSET_FIELD
    allergens: list[Allergen] | Unset = UNSET_FIELD
    position: Position | Unset = UNSET_FIELD
    modifier_group_ids: IdList | Unset = UNSET_FIELD
    schedule_ids: IdList | Unset = UNSET_FIELD
    archived: bool | Unset = UNSET_FIELD

    DEFINITION: ClassVar[tuple[str, ...]] = (
        "category_id",
        "name",
        "description",
        "price",
        "tax_rate_ppm",
        "station_id",
        "default_course",
        "prep_minutes",
        "allergens",
        "position",
        "modifier_group_ids",
        "schedule_ids",
        "archived",
    )


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
