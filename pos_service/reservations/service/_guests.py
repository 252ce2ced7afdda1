"""The guest book: profiles with their bookings and checks, export and erasure.

Profiles, contact normalisation and points live in :mod:`pos_service.guests`; this module
adds what only reservations hold: the bookings and waitlist entries of a guest, which
carry copies of the guest's name and contacts.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Invalid, NotFound
from pos_service.guests import service as guests
from pos_service.guests.models import Guest
from pos_service.guests.schemas import GuestCreate, GuestPatch
from pos_service.guests.service import normalise_email, normalise_phone, remember
from pos_service.reservations.models import Reservation, ReservationStatus, WaitlistEntry
from pos_service.reservations.schemas import GuestExport, GuestRead, GuestVisit
from pos_service.reservations.service._common import reservation_read
from pos_service.reservations.service._waitlist import entry_read
from pos_service.venues import service as venues

__all__ = [
    "create_guest",
    "erase_guest",
    "export_guest",
    "find_guests",
    "get_guest",
    "normalise_email",
    "normalise_phone",
    "patch_guest",
    "remember",
]

VISITED = (ReservationStatus.SEATED, ReservationStatus.COMPLETED)


async def _bookings(session: AsyncSession, guest: Guest) -> list[Reservation]:
    return list(
        (
            await session.execute(
                select(Reservation)
                .where(Reservation.venue_id == guest.venue_id, Reservation.guest_id == guest.id)
                .order_by(Reservation.starts_at.desc(), Reservation.id.desc())
            )
        ).scalars()
    )


async def _read(session: AsyncSession, guest: Guest) -> GuestRead:
    venue = await venues.get(session, guest.venue_id)
    history = await _bookings(session, guest)
    checks = await guests.visits(session, guest.venue_id, guest.id)
    visited = [r for r in history if r.status in VISITED]
    booked_checks = {r.check_id for r in visited}
    walk_ins = [c for c in checks if c.check_id not in booked_checks]
    notes = list(dict.fromkeys(r.notes for r in history if r.notes))
    tz = ZoneInfo(venue.timezone)
    last = max([r.starts_at for r in visited] + [c.linked_at for c in walk_ins], default=None)
    return GuestRead(
        id=guest.id,
        name=guest.name,
        phone=guest.phone,
        email=guest.email,
        tags=list(guest.tags),
        allergens=list(guest.allergens),
        allergy_note=guest.allergy_note,
        marketing_consent=guest.marketing_consent,
        consent_changed_at=guest.consent_changed_at,
        points=guest.points,
        notes=notes,
        visits=len(visited) + len(walk_ins),
        spent=sum(c.total or 0 for c in checks),
        no_shows=sum(r.status == ReservationStatus.NO_SHOW for r in history),
        cancellations=sum(r.status == ReservationStatus.CANCELLED for r in history),
        last_visit_at=last.astimezone(tz) if last else None,
        history=[
            GuestVisit(
                reservation_id=r.id,
                starts_at=r.starts_at.astimezone(tz),
                party_size=r.party_size,
                status=r.status,
                tags=list(r.tags),
                notes=r.notes,
            )
            for r in history
        ],
        checks=checks,
    )


async def find_guests(
    session: AsyncSession, caller: Caller, phone: str | None, email: str | None
) -> list[GuestRead]:
    """The profiles with this phone and/or email (normalised before matching)."""
    phone, email = normalise_phone(phone), normalise_email(email)
    if phone is None and email is None:
        raise Invalid("give a phone or an email", field="phone")
    conditions = [Guest.phone == phone] if phone else []
    conditions += [Guest.email == email] if email else []
    found = (
        await session.execute(
            select(Guest)
            .where(Guest.venue_id == caller.venue_id, or_(*conditions))
            .order_by(Guest.id)
        )
    ).scalars()
    return [await _read(session, g) for g in found]


async def get_guest(session: AsyncSession, caller: Caller, guest_id: int) -> GuestRead:
    """A guest profile with visit history."""
    guest = await session.get(Guest, (caller.venue_id, guest_id))
    if guest is None or guest.erased_at is not None:
        raise NotFound("no guest {guest_id}", guest_id=guest_id, field="guest_id")
    return await _read(session, guest)


async def create_guest(session: AsyncSession, caller: Caller, data: GuestCreate) -> GuestRead:
    """A new profile (409 naming the profile that has the phone or email already)."""
    return await _read(session, await guests.create(session, caller.venue_id, data))


async def patch_guest(
    session: AsyncSession, caller: Caller, guest_id: int, data: GuestPatch
) -> GuestRead:
    """Change a profile's name, contacts, marketing consent, tags or allergies."""
    return await _read(session, await guests.patch(session, caller.venue_id, guest_id, data))


async def _entries(session: AsyncSession, guest: Guest) -> list[WaitlistEntry]:
    return list(
        (
            await session.execute(
                select(WaitlistEntry)
                .where(WaitlistEntry.venue_id == guest.venue_id, WaitlistEntry.guest_id == guest.id)
                .order_by(WaitlistEntry.id.desc())
            )
        ).scalars()
    )


async def export_guest(session: AsyncSession, caller: Caller, guest_id: int) -> GuestExport:
    """Everything held about a guest, as one JSON document (a subject access request)."""
    guest = await guests.locked(session, caller.venue_id, guest_id)
    venue = await venues.get(session, caller.venue_id)
    now = now_utc()
    return GuestExport(
        exported_at=now,
        profile=await _read(session, guest),
        reservations=[reservation_read(r, venue.timezone) for r in await _bookings(session, guest)],
        waitlist=[entry_read(e, now) for e in await _entries(session, guest)],
        loyalty=await guests.movements(session, caller.venue_id, guest.id),
    )


async def erase_guest(session: AsyncSession, caller: Caller, guest_id: int) -> None:
    """Erase a guest on request: the profile is anonymised and detached from its checks
    and points (see :func:`pos_service.guests.service.erase`); the copies of the name,
    contacts, notes and allergies on its bookings and waitlist entries are blanked too."""
    guest = await guests.locked(session, caller.venue_id, guest_id)
    for r in await _bookings(session, guest):
        r.name, r.phone, r.email, r.notes, r.tags = guests.ERASED_NAME, None, None, "", []
        r.allergens, r.allergy_note = [], ""
    for e in await _entries(session, guest):
        e.name, e.phone, e.notes = guests.ERASED_NAME, None, ""
    await guests.erase(session, guest)
