"""Adding a line: the facts it is decided from and the rule, pure (no I/O).

``line_open`` (migration 0036) locks the check and returns, in one JSON value, the
check and its lines as stored, the item, its category, their schedules, the item's
modifier groups and options, its day-part prices and the venue's timezone and courses,
or the reason it refuses. msgspec decodes them into the structs below, which carry the
models' attribute names, so the one mapper (``orders.service.line_read`` and
``check_answer``) reads them as it reads ORM rows. :func:`plan` is the rule: it judges
the facts and computes the line to write, raising the refusals with their texts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Literal, Protocol

import msgspec

from pos_service.core.allergens import ALLERGENS
from pos_service.core.errors import Conflict, Invalid
from pos_service.menu import schedules
from pos_service.orders.schemas import LineAdd
from pos_service.promotions import service as promotions
from pos_service.promotions.engine import WindowSpec


class CheckRow(msgspec.Struct):
    """A ``checks`` row as stored (``Check``'s attribute names)."""

    id: int
    table_id: int | None
    kind: str
    covers: int
    waiter_id: int | None
    status: str
    version: int
    allergens: list[str]
    allergy_note: str
    notes: str
    merged_into: int | None
    closed_at: dt.datetime | None
    created_at: dt.datetime


class LineRow(msgspec.Struct):
    """A ``check_lines`` row as stored (``CheckLine``'s attribute names)."""

    id: int
    item_id: int
    name: str
    quantity: int
    unit_price: int
    tax_rate_ppm: int
    modifiers: list[dict[str, Any]]
    seat: int | None
    course: str
    note: str | None
    allergens: list[str]
    station_id: int | None
    state: str
    added_by: int
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
    voided_at: dt.datetime | None = None
    voided_by: int | None = None
    void_reason: str | None = None
    void_approved_by: int | None = None


class ItemFacts(msgspec.Struct):
    id: int
    name: str
    category_id: int
    price: int
    tax_rate_ppm: int
    station_id: int | None
    default_course: str | None
    available: bool
    remaining: int | None
    archived: bool


class CategoryFacts(msgspec.Struct):
    station_id: int | None
    default_course: str


class ScheduleFacts(msgspec.Struct):
    name: str
    weekdays: list[int]
    starts: dt.time
    ends: dt.time


class GroupFacts(msgspec.Struct):
    id: int
    name: str
    min_choices: int
    max_choices: int


class OptionFacts(msgspec.Struct):
    id: int
    group_id: int
    name: str
    price_delta: int
    position: int


class DayPartFacts(msgspec.Struct):
    price: int
    windows: list[WindowSpec]


class VenueFacts(msgspec.Struct):
    timezone: str
    courses: list[str]


Refusal = Literal["missing", "not_open", "stale", "no_item"]


class Opened(msgspec.Struct):
    """What ``line_open`` read; ``refused`` and the check (for a 409) if it said no."""

    refused: Refusal | None = None
    check: CheckRow | None = None
    lines: list[LineRow] = []
    item: ItemFacts | None = None
    category: CategoryFacts | None = None
    item_schedules: list[ScheduleFacts] = []
    category_schedules: list[ScheduleFacts] = []
    groups: list[GroupFacts] = []
    options: list[OptionFacts] = []
    prices: list[DayPartFacts] = []
    venue: VenueFacts | None = None


OPENED = msgspec.json.Decoder(Opened)


class NewLine(msgspec.Struct, kw_only=True):
    """The line to write, with ``check_lines``' column names."""

    item_id: int
    name: str
    quantity: int
    unit_price: int
    tax_rate_ppm: int
    modifiers: list[dict[str, Any]]
    seat: int | None
    course: str
    note: str | None
    allergens: list[str]
    station_id: int | None
    added_by: int
    created_at: dt.datetime

    def written(self, line_id: int) -> LineRow:
        """The row as written with ``line_id`` (pending, not sent, not voided)."""
        return LineRow(id=line_id, state="pending", **msgspec.structs.asdict(self))


class Group(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def min_choices(self) -> int: ...

    @property
    def max_choices(self) -> int: ...


class Option(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def group_id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def price_delta(self) -> int: ...

    @property
    def position(self) -> int: ...


def modifiers(
    item: str, groups: Sequence[Group], options: Iterable[Option], chosen: list[int]
) -> list[dict[str, Any]]:
    """The chosen options checked against the item's ``groups`` (in the item's order) and
    their ``options``; the chosen ones in the groups' order, then by position."""
    by_group = {g.id: g for g in groups}
    order = {g.id: n for n, g in enumerate(groups)}
    offered = {o.id: o for o in options}
    if len(set(chosen)) != len(chosen):
        raise Invalid("an option is chosen twice", field="modifiers")
    for option_id in chosen:
        if option_id not in offered:
            raise Invalid(
                "option {option_id} is not offered for {item}",
                option_id=option_id,
                item=item,
                field="modifiers",
            )
    for group in groups:
        count = sum(1 for o in chosen if offered[o].group_id == group.id)
        if count < group.min_choices:
            raise Invalid(
                "{group!r} needs at least {min_choices} choice(s)",
                min_choices=group.min_choices,
                field="modifiers",
                group=group.name,
            )
        if count > group.max_choices:
            raise Invalid(
                "{group!r} allows at most {max_choices} choice(s)",
                max_choices=group.max_choices,
                field="modifiers",
                group=group.name,
            )
    return [
        {
            "option_id": o.id,
            "group": by_group[o.group_id].name,
            "name": o.name,
            "price_delta": o.price_delta,
        }
        for o in sorted(
            (offered[i] for i in chosen), key=lambda o: (order[o.group_id], o.position, o.id)
        )
    ]


def course(courses: Sequence[str], wanted: str) -> str:
    """``wanted`` if it is one of the venue's courses (422 naming them if not)."""
    if wanted not in courses:
        raise Invalid(
            "unknown course {course!r}; one of {courses}",
            course=wanted,
            courses=list(courses),
            field="course",
        )
    return wanted


def plan(
    opened: Opened, data: LineAdd, added_by: int, at: dt.datetime, when: dt.datetime
) -> NewLine:
    """The line ``data`` adds to the open check, ordered at ``at``, its schedules judged at
    ``when`` (a takeaway order's pickup, else ``at``): 409 naming the item if it is off
    the menu, unavailable or short; 422 if its schedules do not cover ``when``, for an
    option or a course that is not offered."""
    item, category, venue = opened.item, opened.category, opened.venue
    assert item is not None
    assert category is not None
    assert venue is not None
    if item.archived:
        raise Conflict("{item} is no longer on the menu", field="item_id", item=item.name)
    schedules.refuse_outside(
        item.name, opened.item_schedules, opened.category_schedules, venue.timezone, when
    )
    if not item.available or (item.remaining is not None and item.remaining < data.quantity):
        if item.remaining is None:
            raise Conflict("{item} is not available", field="item_id", item=item.name)
        raise Conflict(
            "{item} is not available ({remaining} left)",
            remaining=item.remaining,
            field="item_id",
            item=item.name,
        )
    chosen = modifiers(item.name, opened.groups, opened.options, data.modifiers)
    return NewLine(
        item_id=item.id,
        name=item.name,
        quantity=data.quantity,
        unit_price=promotions.price_at(item.price, opened.prices, venue.timezone, at)
        + sum(m["price_delta"] for m in chosen),
        tax_rate_ppm=item.tax_rate_ppm,
        modifiers=chosen,
        seat=data.seat,
        course=course(venue.courses, data.course or item.default_course or category.default_course),
        note=data.note or None,
        allergens=ordered(data.allergens),
        station_id=item.station_id if item.station_id is not None else category.station_id,
        added_by=added_by,
        created_at=at,
    )


def ordered(allergens: Iterable[str]) -> list[str]:
    """Allergen codes without repeats, in the regulation's order."""
    wanted = set(allergens)
    return [a for a in ALLERGENS if a in wanted]
