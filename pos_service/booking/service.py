"""The public booking page's use cases, over the reservations service (the same planner,
day lock, events and confirmation e-mail as the host stand's bookings).

The guest is a caller of kind ``guest`` with no check: ``booked_by`` is 0. A change is one
transaction: the new booking is made and the old one cancelled, or neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.booking.schemas import (
    BookingChange,
    BookingCreate,
    BookingRead,
    BookingVenueRead,
    OpenSlot,
    OpenSlots,
)
from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, Invalid, NotFound, Term
from pos_service.public.settings import guest_settings
from pos_service.reservations import service as reservations
from pos_service.reservations.models import Reservation
from pos_service.reservations.schemas import ReservationCreate, ReservationRead
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

Link = Callable[[int], str]
"""The manage link of a reservation id (``<base>/book/manage/<token>``)."""


async def venue_id_of(session: AsyncSession, _caller: Caller, slug: str) -> int:
    """The venue of a booking page's slug (404 if none)."""
    venue_id = await session.scalar(select(Venue.id).where(Venue.slug == slug))
    if venue_id is None:
        raise NotFound("no such venue", field="venue")
    return int(venue_id)


async def _cap(session: AsyncSession, venue: Venue) -> int:
    rules = await reservations.get_rules(session, Caller(kind="guest", venue_id=venue.id))
    return min(guest_settings(venue.settings).booking_max_party, rules.max_party_size)


async def _check_size(session: AsyncSession, venue: Venue, party_size: int) -> None:
    cap = await _cap(session, venue)
    if party_size > cap:
        raise Invalid(
            "we take bookings online for up to {max_party}; please call us for larger parties",
            field="party_size",
            max_party=cap,
        )


async def venue_info(session: AsyncSession, caller: Caller) -> BookingVenueRead:
    venue = await venues.get(session, caller.venue_id)
    return BookingVenueRead(
        name=venue.name,
        slug=venue.slug,
        timezone=venue.timezone,
        locale=venue.locale,
        max_party=await _cap(session, venue),
    )


async def open_slots(
    session: AsyncSession, caller: Caller, date: dt.date, party_size: int
) -> OpenSlots:
    """The day's start times with room for the party (no tables, no other bookings)."""
    venue = await venues.get(session, caller.venue_id)
    await _check_size(session, venue, party_size)
    free = await reservations.availability(session, caller, date, party_size)
    return OpenSlots(
        date=date,
        party_size=party_size,
        timezone=free.timezone,
        slots=[OpenSlot(starts_at=s.starts_at) for s in free.slots],
    )


async def _read(
    session: AsyncSession, venue: Venue, r: ReservationRead | Reservation, url: str
) -> BookingRead:
    return BookingRead(
        venue=venue.name,
        slug=venue.slug,
        timezone=venue.timezone,
        max_party=await _cap(session, venue),
        name=r.name,
        party_size=r.party_size,
        starts_at=r.starts_at,
        status=str(r.status),
        allergens=list(r.allergens),
        allergy_note=r.allergy_note,
        notes=r.notes,
        manage_url=url,
    )


async def book(
    session: AsyncSession,
    caller: Caller,
    data: BookingCreate,
    link: Link,
    language: str | None = None,
) -> BookingRead:
    """Book from the public page; the confirmation e-mail carries the manage link and,
    like the reminder, is written in ``language``, the page's (None: the venue's)."""
    venue = await venues.get(session, caller.venue_id)
    await _check_size(session, venue, data.party_size)
    made = await reservations.book(
        session,
        caller,
        ReservationCreate(
            name=data.name.strip() or data.name,
            party_size=data.party_size,
            starts_at=data.starts_at,
            email=data.email,
            phone=data.phone or None,
            notes=data.notes,
            allergens=data.allergens,
            allergy_note=data.allergy_note,
        ),
        manage_url=link,
        language=language,
    )
    return await _read(session, venue, made, link(made.id))


async def _own(session: AsyncSession, caller: Caller, reservation_id: int) -> Reservation:
    r = await session.get(Reservation, (caller.venue_id, reservation_id))
    if r is None:
        raise NotFound("no such booking", field="token")
    return r


async def get_booking(
    session: AsyncSession, caller: Caller, reservation_id: int, link: Link
) -> BookingRead:
    venue = await venues.get(session, caller.venue_id)
    return await _read(
        session, venue, await _own(session, caller, reservation_id), link(reservation_id)
    )


def _changeable(r: Reservation) -> None:
    if r.status not in ("booked", "confirmed"):
        raise Conflict(
            "this booking is {state}; it can no longer change", state=Term(r.status), field="token"
        )


async def cancel(
    session: AsyncSession, caller: Caller, reservation_id: int, link: Link
) -> BookingRead:
    """The guest cancels; the host stand sees it at once."""
    _changeable(await _own(session, caller, reservation_id))
    venue = await venues.get(session, caller.venue_id)
    cancelled = await reservations.cancel(session, caller, reservation_id)
    return await _read(session, venue, cancelled, link(reservation_id))


async def change(
    session: AsyncSession,
    caller: Caller,
    reservation_id: int,
    data: BookingChange,
    link: Link,
    language: str | None = None,
) -> BookingRead:
    """Move the booking: a new one at the new time (its own confirmation and link), the
    old one cancelled, in one transaction. The new one speaks ``language`` (the page's
    of the change), else the old one's."""
    old = await _own(session, caller, reservation_id)
    _changeable(old)
    venue = await venues.get(session, caller.venue_id)
    await _check_size(session, venue, data.party_size)
    keep = ReservationCreate(
        name=old.name,
        party_size=data.party_size,
        starts_at=data.starts_at,
        email=old.email,
        phone=old.phone,
        notes=old.notes,
        allergens=list(old.allergens),  # type: ignore[arg-type]
        allergy_note=old.allergy_note,
    )
    await reservations.cancel(session, caller, reservation_id)
    made = await reservations.book(
        session, caller, keep, manage_url=link, language=language or old.language
    )
    return await _read(session, venue, made, link(made.id))
