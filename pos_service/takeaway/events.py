"""Events of takeaway orders.

``pickup.changed`` goes on ``pickup`` (the pickup screen: order numbers and states, no
names, no staff) and on ``check:<id>`` (the guest's own order page)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pos_service.core.events import DomainEvent


class PickupChanged(DomainEvent, frozen=True, kw_only=True):
    """A takeaway order was placed, started cooking, is ready or was collected. Carries
    its number of the day, its state and pickup time: nothing about who ordered it."""

    type: ClassVar[str] = "pickup.changed"
    order_id: int
    number: int | None
    state: str
    pickup_at: dt.datetime


class TakeawayPlaced(DomainEvent, frozen=True, kw_only=True):
    """A takeaway order was placed (staff at the counter or phone, or the public page).
    Carries the check, the number, the channel and pickup time (on ``orders``)."""

    type: ClassVar[str] = "takeaway.placed"
    order_id: int
    check_id: int
    number: int | None
    channel: str
    pickup_at: dt.datetime
