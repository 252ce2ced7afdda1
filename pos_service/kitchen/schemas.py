"""What the kitchen API reads and writes: screens, expo, counts and course firing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from pos_service.core.schemas import UNSET_FIELD, Unset
from pos_service.kitchen.screen import ItemStatus
from pos_service.orders.schemas import Course, Version

Minutes = Annotated[int, msgspec.Meta(ge=1, le=240)]


class FireRequest(msgspec.Struct, kw_only=True):
    """Fire a held course of a check; ``version``, if given, must be current."""

    course: Course
    version: Version | None = None


class RecallRequest(msgspec.Struct, kw_only=True):
    """Bring back the station's most recently bumped ticket."""

    station: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class StationPatch(msgspec.Struct, kw_only=True):
    """Change a station's timer thresholds (``late_minutes`` must exceed ``warn_minutes``)."""

    warn_minutes: Minutes | Unset = UNSET_FIELD
    late_minutes: Minutes | Unset = UNSET_FIELD


class StationRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    kind: str
    warn_minutes: int
    late_minutes: int


class TicketItemRead(msgspec.Struct, kw_only=True):
    """An item on a screen. ``status`` is ``held`` (greyed), ``waiting`` (starts at
    ``release_at``), ``released`` (start now), ``started``, ``bumped`` or ``voided``."""

    id: int
    line_id: int
    item_id: int
    name: str
    quantity: int
    seat: int | None
    course: str
    modifiers: list[str]
    note: str | None
    allergens: list[str]
    allergy_flags: list[str]
    prep_minutes: int
    status: ItemStatus
    fired_at: dt.datetime | None
    release_at: dt.datetime | None
    released_at: dt.datetime | None
    started_at: dt.datetime | None
    bumped_at: dt.datetime | None
    voided_at: dt.datetime | None
    void_reason: str | None


class TicketRead(msgspec.Struct, kw_only=True):
    """A ticket as a station's screen shows it. Its timer runs from ``fired_at``."""

    id: int
    number: int
    business_day: dt.date
    station_id: int
    station: str
    check_id: int
    table_id: int | None
    table: str | None
    waiter_id: int
    waiter: str
    covers: int
    allergies: list[str]
    state: str
    created_at: dt.datetime
    fired_at: dt.datetime | None
    started_at: dt.datetime | None
    bumped_at: dt.datetime | None
    late_at: dt.datetime | None
    items: list[TicketItemRead]
    moved: str | None = None
    """``"moved to table 5"`` or ``"merged into 12"`` once its check moved."""


class TicketsRead(msgspec.Struct, kw_only=True):
    """A screen's tickets, the stations' timer thresholds and the server's clock."""

    at: dt.datetime
    stations: list[StationRead]
    tickets: list[TicketRead]


CourseState = Literal["held", "fired", "ready", "pickup", "served"]
"""Held (sent, waiting to be fired), fired (cooking), ready (every station bumped it),
pickup (the pass called the waiter to take it), served."""


class CourseRead(msgspec.Struct, kw_only=True):
    """A course of a check and its state (``CourseState``)."""

    course: str
    state: CourseState
    fired_at: dt.datetime | None
    ready_at: dt.datetime | None
    pickup_at: dt.datetime | None = None
    served_at: dt.datetime | None = None


class CoursesRead(msgspec.Struct, kw_only=True):
    check_id: int
    version: int
    courses: list[CourseRead]


class ExpoItem(msgspec.Struct, kw_only=True):
    id: int
    ticket_id: int
    number: int
    station: str
    name: str
    quantity: int
    seat: int | None
    status: ItemStatus


class ExpoCourse(msgspec.Struct, kw_only=True):
    course: str
    state: CourseState
    fired_at: dt.datetime | None
    ready_at: dt.datetime | None
    pickup_at: dt.datetime | None = None
    served_at: dt.datetime | None = None
    items: list[ExpoItem]


class ExpoTicket(msgspec.Struct, kw_only=True):
    """A ticket of an order on the pass and where it is on its station's screen."""

    id: int
    state: str


class ExpoOrder(msgspec.Struct, kw_only=True):
    """One check across all stations, course by course in the venue's order;
    ``allergies`` is the band of its latest ticket; ``tickets`` are its tickets with their
    states (the pass keeps an order while one of them is live, or, until it is paid,
    while a course of it is ready and not served)."""

    check_id: int
    table_id: int | None
    table: str | None
    waiter: str
    covers: int
    allergies: list[str]
    courses: list[ExpoCourse]
    tickets: list[ExpoTicket] = msgspec.field(default_factory=list)
    closed: bool = False
    """The check is paid (it stays on the pass while one of its tickets is live)."""


class ExpoRead(msgspec.Struct, kw_only=True):
    """The pass: its orders, and the venue's courses in their order (the order a page
    puts a course in when an event brings one)."""

    at: dt.datetime
    orders: list[ExpoOrder]
    courses: list[str] = msgspec.field(default_factory=list)


class AllDayItem(msgspec.Struct, kw_only=True):
    """Outstanding portions of an item; ``held`` of them are in courses not fired yet."""

    name: str
    quantity: int
    held: int


class AllDayModifier(msgspec.Struct, kw_only=True):
    item: str
    modifier: str
    quantity: int


class AllDayRead(msgspec.Struct, kw_only=True):
    station: str | None
    items: list[AllDayItem]
    modifiers: list[AllDayModifier]


class PrepTimeRow(msgspec.Struct, kw_only=True):
    """Seconds from fired to bumped of one item at one station."""

    station: str
    item: str
    count: int
    avg_seconds: float
    p90_seconds: float


class PrepTimesRead(msgspec.Struct, kw_only=True):
    start: dt.date
    end: dt.date
    rows: list[PrepTimeRow]


class PassRequest(msgspec.Struct, kw_only=True):
    """The course of the check the pass calls up for pickup or marks served."""

    course: Course
