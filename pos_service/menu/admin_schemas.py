"""What the menu administration API reads and writes: creating and changing
categories, items, modifier groups and options, schedules, stations and courses, and
the menu's import and export.

Every change names the ``version`` it read (409 with the current row if stale). Tax
rates are parts per million (``tax_rate_ppm``, 8.875 % = 88750).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from pos_service.core.allergens import Allergen
from pos_service.core.schemas import UNSET_FIELD, Id, LocalTime, Unset
from pos_service.menu.schemas import (
    CourseName,
    Description,
    IdList,
    Name,
    Position,
    PrepMinutes,
    Price,
    PriceDelta,
    TaxPpm,
    Version,
)

Minutes = Annotated[int, msgspec.Meta(ge=1, le=600)]
StationKind = Literal["kitchen", "bar"]
Weekday = Annotated[int, msgspec.Meta(ge=1, le=7)]
Weekdays = Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)]


class CategoryCreate(msgspec.Struct, kw_only=True):
    """A menu section; its station and course are the defaults of its items."""

    name: Name
    default_course: CourseName
    station_id: Id | None = None
    position: Position = 0
    schedule_ids: IdList = msgspec.field(default_factory=list)


class CategoryPatch(msgspec.Struct, kw_only=True):
    version: Version
    name: Name | Unset = UNSET_FIELD
    default_course: CourseName | Unset = UNSET_FIELD
    station_id: Id | Unset | None = UNSET_FIELD
    position: Position | Unset = UNSET_FIELD
    schedule_ids: IdList | Unset = UNSET_FIELD
    archived: bool | Unset = UNSET_FIELD


class ItemCreate(msgspec.Struct, kw_only=True):
    """A sellable item. ``station_id`` and ``default_course`` left out take the
    category's; ``allergens`` are the EU codes (see ``core.allergens``)."""

    category_id: Id
    name: Name
    price: Price
    tax_rate_ppm: TaxPpm
    description: Description = ""
    station_id: Id | None = None
    default_course: CourseName | None = None
    prep_minutes: PrepMinutes = 0
    allergens: list[Allergen] = msgspec.field(default_factory=list)
    position: Position = 0
    modifier_group_ids: IdList = msgspec.field(default_factory=list)
    schedule_ids: IdList = msgspec.field(default_factory=list)
    gift_card: bool = False


class OptionCreate(msgspec.Struct, kw_only=True):
    name: Name
    price_delta: PriceDelta = 0
    position: Position = 0


class OptionPatch(msgspec.Struct, kw_only=True):
    version: Version
    name: Name | Unset = UNSET_FIELD
    price_delta: PriceDelta | Unset = UNSET_FIELD
    position: Position | Unset = UNSET_FIELD


class GroupCreate(msgspec.Struct, kw_only=True):
    """A modifier group, e.g. "Cooking" (min 1, max 1), with its options."""

    name: Name
    min_choices: Annotated[int, msgspec.Meta(ge=0, le=50)] = 0
    max_choices: Annotated[int, msgspec.Meta(ge=1, le=50)] = 1
    options: Annotated[list[OptionCreate], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )


class GroupPatch(msgspec.Struct, kw_only=True):
    version: Version
    name: Name | Unset = UNSET_FIELD
    min_choices: Annotated[int, msgspec.Meta(ge=0, le=50)] | Unset = UNSET_FIELD
    max_choices: Annotated[int, msgspec.Meta(ge=1, le=50)] | Unset = UNSET_FIELD


class ScheduleCreate(msgspec.Struct, kw_only=True):
    """E.g. "Lunch": weekdays [1, 2, 3, 4, 5], 11:30 to 15:00 (venue time)."""

    name: Name
    weekdays: Weekdays
    starts: LocalTime
    ends: LocalTime


class SchedulePatch(msgspec.Struct, kw_only=True):
    version: Version
    name: Name | Unset = UNSET_FIELD
    weekdays: Weekdays | Unset = UNSET_FIELD
    starts: LocalTime | Unset = UNSET_FIELD
    ends: LocalTime | Unset = UNSET_FIELD


class StationCreate(msgspec.Struct, kw_only=True):
    """A kitchen or bar station; tickets of its items go to its screen and printers."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[\w-]+$")]
    kind: StationKind = "kitchen"
    warn_minutes: Minutes = 10
    late_minutes: Minutes = 20


class StationPatch(msgspec.Struct, kw_only=True):
    version: Version
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[\w-]+$")] | Unset = (
        UNSET_FIELD
    )
    kind: StationKind | Unset = UNSET_FIELD
    warn_minutes: Minutes | Unset = UNSET_FIELD
    late_minutes: Minutes | Unset = UNSET_FIELD


class CoursesPut(msgspec.Struct, kw_only=True):
    """The venue's courses in firing order, replacing the list of ``version``."""

    courses: Annotated[list[CourseName], msgspec.Meta(min_length=1, max_length=20)]
    version: Annotated[int, msgspec.Meta(ge=0)]


class CoursesRead(msgspec.Struct, kw_only=True):
    courses: list[str]
    version: int


class Removed(msgspec.Struct, kw_only=True):
    """What a delete did: ``archived`` when checks or sales name the row (it is kept,
    hidden from the menu), else ``deleted``."""

    id: int
    outcome: Literal["deleted", "archived"]


# --- import and export


class ImportOption(msgspec.Struct, kw_only=True):
    name: Name
    price_delta: PriceDelta = 0


class ImportGroup(msgspec.Struct, kw_only=True):
    name: Name
    min_choices: Annotated[int, msgspec.Meta(ge=0, le=50)] = 0
    max_choices: Annotated[int, msgspec.Meta(ge=1, le=50)] = 1
    options: Annotated[list[ImportOption], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )


class ImportSchedule(msgspec.Struct, kw_only=True):
    name: Name
    weekdays: Weekdays
    starts: LocalTime
    ends: LocalTime


class MenuRow(msgspec.Struct, kw_only=True):
    """One item of an import or export (one CSV line): names, not ids, so a file moves
    between venues. Lists (``allergens``, ``modifier_groups``, ``schedules``) are
    separated by ``|`` in CSV. ``station`` and ``course`` empty take the category's."""

    category: str
    name: str
    price: int
    tax_rate_ppm: int
    description: str = ""
    station: str = ""
    course: str = ""
    prep_minutes: int = 0
    allergens: list[str] = msgspec.field(default_factory=list)
    modifier_groups: list[str] = msgspec.field(default_factory=list)
    schedules: list[str] = msgspec.field(default_factory=list)
    position: int = 0


class ImportStation(msgspec.Struct, kw_only=True):
    name: str
    kind: str = "kitchen"


class ImportCategory(msgspec.Struct, kw_only=True):
    name: str
    course: str = ""
    station: str = ""
    position: int = 0
    schedules: list[str] = msgspec.field(default_factory=list)


class MenuFile(msgspec.Struct, kw_only=True):
    """The JSON form of a menu: stations, modifier groups, schedules and categories by
    name, then the items. The CSV form is the items alone (one line each); the stations,
    groups and schedules it names must exist, and a category it names is created if new."""

    stations: list[ImportStation] = msgspec.field(default_factory=list)
    modifier_groups: list[ImportGroup] = msgspec.field(default_factory=list)
    schedules: list[ImportSchedule] = msgspec.field(default_factory=list)
    categories: list[ImportCategory] = msgspec.field(default_factory=list)
    items: list[MenuRow] = msgspec.field(default_factory=list)


class Rejected(msgspec.Struct, kw_only=True):
    """A row the import refuses: its line (CSV, after the header: 2 is the first item) or
    index (JSON, from 1), the field and why."""

    row: int
    name: str
    field: str
    reason: str


class ImportChange(msgspec.Struct, kw_only=True):
    name: str
    fields: list[str]


class ImportResult(msgspec.Struct, kw_only=True):
    """What an import did, or (``dry_run``) would do; ``rejected`` lists every bad row,
    and an import with any is refused whole."""

    dry_run: bool
    applied: bool
    created: list[str]
    changed: list[ImportChange]
    unchanged: int
    categories_created: list[str]
    groups_created: list[str]
    schedules_created: list[str]
    rejected: list[Rejected]
