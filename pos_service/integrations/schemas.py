"""What the webhooks API reads and writes."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from pos_service.core.schemas import UNSET_FIELD, Unset


class EventType(enum.StrEnum):
    """The event catalogue of webhooks (docs/integrations.md): what the screens receive,
    without the sign-in alerts and the print queue's own traffic."""

    CHECK_OPENED = "check.opened"
    CHECK_ALLERGIES_CHANGED = "check.allergies_changed"
    CHECK_TRANSFERRED = "check.transferred"
    CHECK_MERGED = "check.merged"
    CHECK_GUEST_LINKED = "check.guest_linked"
    CHECK_CLOSED = "check.closed"
    LINE_ADDED = "line.added"
    LINE_CHANGED = "line.changed"
    LINE_VOIDED = "line.voided"
    ORDER_SENT = "order.sent"
    TICKET_CREATED = "ticket.created"
    TICKET_FIRED = "ticket.fired"
    TICKET_ITEM_RELEASED = "ticket.item_released"
    TICKET_STARTED = "ticket.started"
    TICKET_ITEM_BUMPED = "ticket.item_bumped"
    TICKET_BUMPED = "ticket.bumped"
    TICKET_RECALLED = "ticket.recalled"
    TICKET_ITEM_VOIDED = "ticket.item_voided"
    TICKET_LATE = "ticket.late"
    TICKET_ALLERGIES_CHANGED = "ticket.allergies_changed"
    COURSE_FIRED = "course.fired"
    COURSE_READY = "course.ready"
    BILL_ADJUSTED = "bill.adjusted"
    BILL_SPLIT = "bill.split"
    BILL_REQUESTED = "bill.requested"
    PAYMENT_CHANGED = "payment.changed"
    GIFT_CARD_ISSUED = "gift_card.issued"
    DAY_CLOSED = "day.closed"
    TABLE_STATUS_CHANGED = "table.status_changed"
    RESERVATION_BOOKED = "reservation.booked"
    RESERVATION_CONFIRMED = "reservation.confirmed"
    RESERVATION_ARRIVED = "reservation.arrived"
    RESERVATION_SEATED = "reservation.seated"
    RESERVATION_COMPLETED = "reservation.completed"
    RESERVATION_CANCELLED = "reservation.cancelled"
    RESERVATION_NO_SHOW = "reservation.no_show"
    WAITLIST_ADDED = "waitlist.added"
    WAITLIST_SEATED = "waitlist.seated"
    WAITLIST_CANCELLED = "waitlist.cancelled"
    WAITLIST_TABLE_READY = "waitlist.table_ready"
    MENU_ITEM_CHANGED = "menu.item_changed"
    MENU_COPIED = "menu.copied"
    STOCK_LOW = "stock.low"
    STOCK_COUNTED = "stock.counted"
    STAFF_CLOCKED_IN = "staff.clocked_in"
    STAFF_CLOCKED_OUT = "staff.clocked_out"


Url = Annotated[
    str, msgspec.Meta(pattern=r"^https?://[^\s/]+(/\S*)?$", max_length=500, description="http(s)")
]
EventTypes = Annotated[list[EventType], msgspec.Meta(min_length=1, max_length=64)]
Description = Annotated[str, msgspec.Meta(max_length=200)]


class WebhookCreate(msgspec.Struct, kw_only=True):
    """Subscribe ``url`` to the venue's events of these types, from now on."""

    url: Url
    events: EventTypes
    description: Description = ""


class WebhookPatch(msgspec.Struct, kw_only=True):
    url: Url | Unset = UNSET_FIELD
    events: EventTypes | Unset = UNSET_FIELD
    description: Description | Unset = UNSET_FIELD
    active: bool | Unset = UNSET_FIELD


class WebhookReplay(msgspec.Struct, kw_only=True):
    """Deliver again the subscription's events from ``from_seq`` on (or from the first
    event at or after ``since``), as far as the event log still keeps them."""

    from_seq: Annotated[int, msgspec.Meta(ge=1)] | None = None
    since: dt.datetime | None = None


class WebhookRead(msgspec.Struct, kw_only=True):
    """A subscription; ``cursor`` is the last event seq turned into deliveries."""

    id: int
    url: str
    events: list[str]
    description: str
    active: bool
    cursor: int
    created_at: dt.datetime


class WebhookCreated(WebhookRead, kw_only=True):
    """The new subscription with its signing secret, shown this once."""

    secret: str


class DeliveryRead(msgspec.Struct, kw_only=True):
    id: int
    subscription_id: int
    event_seq: int
    event_type: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: dt.datetime | None


class ApiKeyScope(enum.StrEnum):
    """What an API key may reach (docs/integrations.md)."""

    MENU_READ = "menu:read"
    MENU_WRITE = "menu:write"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    SALES_READ = "sales:read"
    GUESTS_READ = "guests:read"
    RESERVATIONS_READ = "reservations:read"
    RESERVATIONS_WRITE = "reservations:write"
    STOCK_READ = "stock:read"
    WEBHOOKS = "webhooks"


Scopes = Annotated[list[ApiKeyScope], msgspec.Meta(min_length=1, max_length=10)]
KeyName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Rate = Annotated[int, msgspec.Meta(ge=1, le=6000, description="calls a minute")]


class ApiKeyCreate(msgspec.Struct, kw_only=True):
    """A key for one integration, allowed what its scopes allow."""

    name: KeyName
    scopes: Scopes
    rate_per_minute: Rate = 600


class ApiKeyRead(msgspec.Struct, kw_only=True):
    """A key without its secret: ``prefix`` tells keys apart; ``last_used_at`` is its
    latest call."""

    id: int
    name: str
    prefix: str
    scopes: list[str]
    rate_per_minute: int
    created_by: int
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    rotated_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiKeyCreated(ApiKeyRead, kw_only=True):
    """The key with its secret, shown this once (``Authorization: Bearer <key>``)."""

    key: str
