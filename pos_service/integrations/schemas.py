"""What the webhooks API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from pos_service.core.schemas import UNSET_FIELD, Unset

EventType = Literal[
    "check.opened",
    "check.allergies_changed",
    "check.transferred",
    "check.merged",
    "check.guest_linked",
    "check.closed",
    "line.added",
    "line.changed",
    "line.voided",
    "order.sent",
    "ticket.created",
    "ticket.fired",
    "ticket.item_released",
    "ticket.started",
    "ticket.item_bumped",
    "ticket.bumped",
    "ticket.recalled",
    "ticket.item_voided",
    "ticket.late",
    "ticket.allergies_changed",
    "course.fired",
    "course.ready",
    "bill.adjusted",
    "bill.split",
    "bill.requested",
    "payment.changed",
    "gift_card.issued",
    "day.closed",
    "table.status_changed",
    "reservation.booked",
    "reservation.confirmed",
    "reservation.arrived",
    "reservation.seated",
    "reservation.completed",
    "reservation.cancelled",
    "reservation.no_show",
    "waitlist.added",
    "waitlist.seated",
    "waitlist.cancelled",
    "waitlist.table_ready",
    "menu.item_changed",
    "menu.copied",
    "stock.low",
    "stock.counted",
    "staff.clocked_in",
    "staff.clocked_out",
]
"""The event catalogue of webhooks (docs/integrations.md): what the screens receive,
without the sign-in alerts and the print queue's own traffic."""
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


Scope = Literal[
    "menu:read",
    "menu:write",
    "orders:read",
    "orders:write",
    "sales:read",
    "guests:read",
    "reservations:read",
    "reservations:write",
    "stock:read",
    "webhooks",
]
Scopes = Annotated[list[Scope], msgspec.Meta(min_length=1, max_length=10)]
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
