"""What the reservations, waitlist and guests API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from pos_service.core.allergens import Allergen, AllergenNote
from pos_service.core.schemas import Id
from pos_service.guests.schemas import GuestCheckRead, LoyaltyMovementRead
from pos_service.reservations.planning import Rules

__all__ = [
    "AvailabilityRead",
    "GuestExport",
    "GuestRead",
    "GuestVisit",
    "ReservationCreate",
    "ReservationRead",
    "Rules",
    "SeatRequest",
    "SlotRead",
    "WaitlistCreate",
    "WaitlistRead",
    "WaitlistSeat",
]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Phone = Annotated[str, msgspec.Meta(max_length=40)]
Email = Annotated[str, msgspec.Meta(max_length=254)]
PartySize = Annotated[int, msgspec.Meta(ge=1, le=99)]
Notes = Annotated[str, msgspec.Meta(max_length=500)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=20)]
TableIds = Annotated[list[Id], msgspec.Meta(min_length=1, max_length=8)]


class SlotRead(msgspec.Struct, kw_only=True):
    """A bookable start time (venue-local offset) and the tables best fit would take."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    table_ids: list[int]
    covers_left: int


class AvailabilityRead(msgspec.Struct, kw_only=True):
    date: dt.date
    party_size: int
    timezone: str
    slots: list[SlotRead]


class ReservationCreate(msgspec.Struct, kw_only=True):
    """Book a party. ``allergens`` (the 14 EU codes) and ``allergy_note`` are the party's
    allergies, carried onto the check when it is seated (an ``allergy:`` tag still adds
    one); ``tags`` like ``vip``, ``birthday``; ``table_ids`` is the host's choice (else
    best fit). Phone or email finds the guest's profile."""

    name: Name
    party_size: PartySize
    starts_at: dt.datetime
    phone: Phone | None = None
    email: Email | None = None
    notes: Notes = ""
    tags: Tags = []
    allergens: Annotated[list[Allergen], msgspec.Meta(max_length=14)] = []
    allergy_note: AllergenNote = ""
    table_ids: TableIds | None = None


class ReservationRead(msgspec.Struct, kw_only=True):
    id: int
    guest_id: int
    name: str
    phone: str | None
    email: str | None
    party_size: int
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_changed_at: dt.datetime | None
    tags: list[str]
    notes: str
    allergens: list[str]
    allergy_note: str
    table_ids: list[int]
    seated_at: dt.datetime | None
    check_id: int | None
    created_at: dt.datetime
    version: int = 1


class SeatRequest(msgspec.Struct, kw_only=True):
    """Seat a reservation, on other tables than booked if ``table_ids`` is given. The
    check is ``waiter_id``'s; without one the seater's if they wait tables, else the
    waiter of the table's section on duty now, else unassigned until a waiter adds a line."""

    table_ids: TableIds | None = None
    waiter_id: Id | None = None


class WaitlistCreate(msgspec.Struct, kw_only=True):
    name: Name
    party_size: PartySize
    phone: Phone | None = None
    notes: Notes = ""


class WaitlistSeat(msgspec.Struct, kw_only=True):
    """Seat a waiting party; the check is ``waiter_id``'s (else unassigned, as a seat)."""

    table_id: Id
    waiter_id: Id | None = None


class WaitlistRead(msgspec.Struct, kw_only=True):
    """An entry; while waiting, ``position`` and the live ``estimated_minutes`` (with the
    tables expected to free for it) are filled; ``quoted_minutes`` is what was told."""

    id: int
    name: str
    phone: str | None
    party_size: int
    notes: str
    status: str
    quoted_minutes: int | None
    created_at: dt.datetime
    position: int | None = None
    estimated_minutes: int | None = None
    estimated_at: dt.datetime | None = None
    expected_table_ids: list[int] = []
    ready_table_ids: list[int] | None = None
    seated_at: dt.datetime | None = None
    table_id: int | None = None
    check_id: int | None = None
    version: int = 1


class GuestVisit(msgspec.Struct, kw_only=True):
    reservation_id: int
    starts_at: dt.datetime
    party_size: int
    status: str
    tags: list[str]
    notes: str


class GuestRead(msgspec.Struct, kw_only=True):
    """A guest profile with every reservation and every linked check, newest first.
    ``visits`` counts the seated and completed reservations and the linked checks not
    opened by one of them; ``spent`` sums the totals of the linked checks that closed."""

    id: int
    name: str
    phone: str | None
    email: str | None
    tags: list[str]
    allergens: list[str]
    allergy_note: str
    marketing_consent: bool
    consent_changed_at: dt.datetime | None
    points: int
    notes: list[str]
    visits: int
    spent: int
    no_shows: int
    cancellations: int
    last_visit_at: dt.datetime | None
    history: list[GuestVisit]
    checks: list[GuestCheckRead]


class GuestExport(msgspec.Struct, kw_only=True):
    """Everything held about a guest: the profile with its history, the bookings and
    waitlist entries (with the contact data copied on them) and the points ledger."""

    exported_at: dt.datetime
    profile: GuestRead
    reservations: list[ReservationRead]
    waitlist: list[WaitlistRead]
    loyalty: list[LoyaltyMovementRead]
