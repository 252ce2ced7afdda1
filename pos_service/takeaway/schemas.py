"""What the takeaway API and the public order page read and write."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from pos_service.core.schemas import Id, LocalTime
from pos_service.orders.schemas import CheckRead, Note, Quantity

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Phone = Annotated[str, msgspec.Meta(max_length=40, pattern=r"^\+?[0-9][0-9 ()/-]{4,38}$")]
Email = Annotated[
    str, msgspec.Meta(max_length=254, pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
]
PickupAt = Annotated[dt.datetime, msgspec.Meta(tz=True, description="with a UTC offset")]


class OrderLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An item of a takeaway order; ``modifiers`` are option ids."""

    item_id: Id
    quantity: Quantity = 1
    modifiers: Annotated[list[Id], msgspec.Meta(max_length=30)] = []
    note: Note | None = None


Lines = Annotated[list[OrderLine], msgspec.Meta(max_length=50)]


class TakeawayCreate(msgspec.Struct, kw_only=True):
    """A counter or phone order taken by staff. With ``lines`` and ``send``, the order
    goes to the kitchen at once (held until pickup minus prep time); else lines are
    added and sent through the check's own calls, as at a table."""

    channel: Literal["counter", "phone"] = "counter"
    name: Name
    phone: Phone | None = None
    email: Email | None = None
    pickup_at: PickupAt
    notes: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    lines: Lines = []
    send: bool = False


class PublicOrderCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An order from the public page: a phone number or an e-mail is needed."""

    name: Name
    phone: Phone | None = None
    email: Email | None = None
    pickup_at: PickupAt
    lines: Annotated[list[OrderLine], msgspec.Meta(min_length=1, max_length=50)]
    payment: Literal["card", "at_pickup"] = "at_pickup"


class TakeawayRead(msgspec.Struct, kw_only=True):
    """A takeaway order as staff see it, with its check."""

    id: int
    check_id: int
    number: int | None
    business_day: dt.date
    channel: str
    state: str
    customer_name: str
    customer_phone: str | None
    customer_email: str | None
    pickup_at: dt.datetime
    fire_at: dt.datetime | None
    fired_at: dt.datetime | None
    ready_at: dt.datetime | None
    collected_at: dt.datetime | None
    payment: str
    check: CheckRead


class TakeawayList(msgspec.Struct, kw_only=True):
    orders: list[TakeawayRead]


class PickupEntry(msgspec.Struct, kw_only=True):
    """One order on the pickup screen: its number and state, nothing else."""

    order_id: int
    number: int | None
    state: str
    pickup_at: dt.datetime


class PickupBoard(msgspec.Struct, kw_only=True):
    orders: list[PickupEntry]


class PublicOption(msgspec.Struct, kw_only=True):
    id: int
    name: str
    price_delta: int


class PublicGroup(msgspec.Struct, kw_only=True):
    id: int
    name: str
    min_choices: int
    max_choices: int
    options: list[PublicOption]


class PublicItem(msgspec.Struct, kw_only=True):
    id: int
    name: str
    description: str
    price: int
    allergens: list[str]
    available: bool
    schedule_ids: list[int]
    modifier_groups: list[PublicGroup]


class PublicCategory(msgspec.Struct, kw_only=True):
    id: int
    name: str
    schedule_ids: list[int]
    items: list[PublicItem]


class PublicWindow(msgspec.Struct, kw_only=True):
    """ISO weekdays and venue-local times (an end at or before the start: past midnight)."""

    weekdays: list[int]
    starts: dt.time
    ends: dt.time


class PublicSchedule(PublicWindow, kw_only=True):
    id: int


class PublicMenu(msgspec.Struct, kw_only=True):
    """The public order page's menu: what can be ordered, when, and the venue's hours."""

    venue: str
    slug: str
    currency: str
    locale: str
    timezone: str
    tax_inclusive: bool
    opening_hours: list[PublicWindow]
    schedules: list[PublicSchedule]
    categories: list[PublicCategory]
    slot_minutes: int
    lead_minutes: int


class Slot(msgspec.Struct, kw_only=True):
    starts: dt.datetime
    left: int


class SlotList(msgspec.Struct, kw_only=True):
    date: dt.date
    slots: list[Slot]


class PublicLine(msgspec.Struct, kw_only=True):
    name: str
    quantity: int
    modifiers: list[str]
    amount: int


class PublicOrderRead(msgspec.Struct, kw_only=True):
    """The guest's order: its number, state and pickup time, what it holds and its
    total; ``token`` opens it (and pays it by card) and nothing else."""

    venue: str
    currency: str
    timezone: str
    """The venue's: the pickup time is shown in it."""
    check_id: int
    number: int | None
    state: str
    pickup_at: dt.datetime
    payment: str
    total: int
    paid: int
    lines: list[PublicLine]
    token: str
    status_url: str


Weekday = Annotated[int, msgspec.Meta(ge=1, le=7)]


class OpeningWindow(msgspec.Struct, kw_only=True):
    """ISO weekdays (1 = Monday) and venue-local times; an end at or before the start
    runs past midnight."""

    weekdays: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)]
    starts: LocalTime
    ends: LocalTime


class TakeawaySettings(msgspec.Struct, kw_only=True):
    """The venue's takeaway rules: whether its public order page is open, its opening
    hours (none: always open), the pickup slot length, how many open orders one slot
    takes, and how far ahead of pickup the public page takes an order at the least."""

    online: bool = False
    opening_hours: Annotated[list[OpeningWindow], msgspec.Meta(max_length=28)] = []
    slot_minutes: Annotated[int, msgspec.Meta(ge=5, le=120)] = 15
    slot_cap: Annotated[int, msgspec.Meta(ge=1, le=500)] = 10
    lead_minutes: Annotated[int, msgspec.Meta(ge=0, le=24 * 60)] = 20
