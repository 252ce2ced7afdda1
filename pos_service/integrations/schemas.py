"""What the webhooks API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from pos_service.core.schemas import UNSET_FIELD, Unset

EventType = Literal["order.sent", "payment.changed", "day.closed"]
Url = Annotated[
    str, msgspec.Meta(pattern=r"^https?://[^\s/]+(/\S*)?$", max_length=500, description="http(s)")
]
EventTypes = Annotated[list[EventType], msgspec.Meta(min_length=1, max_length=3)]
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
