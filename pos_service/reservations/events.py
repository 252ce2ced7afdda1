"""Events of reservations and the waitlist, recorded on the ``reservations`` topic.

A reservation event carries the whole reservation as it now is (``ReservationRead``, with
its ``version``, which every change bumps); a waitlist event the whole entry
(``WaitlistRead`` with its ``version``). A page applies an event whose version is newer
than its copy and drops an older one (docs/live.md). Table changes that come with it are
recorded on ``floor`` by ``tables.service``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pos_service.core.events import DomainEvent


class _ReservationEvent(DomainEvent, frozen=True, kw_only=True):
    reservation: dict[str, Any]


class ReservationBooked(_ReservationEvent, frozen=True, kw_only=True):
    """A reservation was booked on tables. Carries the reservation."""

    type: ClassVar[str] = "reservation.booked"


class ReservationConfirmed(_ReservationEvent, frozen=True, kw_only=True):
    """The guest confirmed the booking. Carries the reservation."""

    type: ClassVar[str] = "reservation.confirmed"


class ReservationArrived(_ReservationEvent, frozen=True, kw_only=True):
    """The party arrived at the host stand. Carries the reservation."""

    type: ClassVar[str] = "reservation.arrived"


class ReservationSeated(_ReservationEvent, frozen=True, kw_only=True):
    """The party was seated and its check opened. Carries the reservation (tables, check)."""

    type: ClassVar[str] = "reservation.seated"


class ReservationCompleted(_ReservationEvent, frozen=True, kw_only=True):
    """The party left; tables other than the check's were freed. Carries the reservation."""

    type: ClassVar[str] = "reservation.completed"


class ReservationCancelled(_ReservationEvent, frozen=True, kw_only=True):
    """The booking was cancelled and its tables released. Carries the reservation."""

    type: ClassVar[str] = "reservation.cancelled"


class ReservationNoShow(_ReservationEvent, frozen=True, kw_only=True):
    """The party did not come (marked by the host, or released by the scheduler
    ``no_show_minutes`` after its time); its tables were released. Carries the reservation."""

    type: ClassVar[str] = "reservation.no_show"


class ReminderDue(DomainEvent, frozen=True, kw_only=True):
    """``reminder_hours`` before a booked or confirmed reservation; the notifier was called.
    Carries the reservation id, the guest's name and contact, party size and time."""

    type: ClassVar[str] = "reservation.reminder_due"
    reservation_id: int
    name: str
    phone: str | None
    email: str | None
    party_size: int
    starts_at: dt.datetime


class _WaitlistEvent(DomainEvent, frozen=True, kw_only=True):
    entry: dict[str, Any]


class WaitlistAdded(_WaitlistEvent, frozen=True, kw_only=True):
    """A walk-in party joined the waitlist. Carries the entry with its quoted wait."""

    type: ClassVar[str] = "waitlist.added"


class WaitlistSeated(_WaitlistEvent, frozen=True, kw_only=True):
    """A waiting party was seated and its check opened. Carries the entry."""

    type: ClassVar[str] = "waitlist.seated"


class WaitlistCancelled(_WaitlistEvent, frozen=True, kw_only=True):
    """A waiting party left the list. Carries the entry."""

    type: ClassVar[str] = "waitlist.cancelled"


class WaitlistTableReady(DomainEvent, frozen=True, kw_only=True):
    """Free tables suit a waiting party (the first in the queue they suit). Fires once per
    entry and set of tables. Carries the entry, party and the tables, and the entry's new
    ``version`` (its ``ready_table_ids`` are now ``table_ids``)."""

    type: ClassVar[str] = "waitlist.table_ready"
    entry_id: int
    name: str
    party_size: int
    table_ids: list[int]
    table_names: list[str]
    version: int = 1
