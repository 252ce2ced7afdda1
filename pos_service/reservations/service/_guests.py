"""Guest profiles: found by normalised phone or email, with their reservations."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.errors import Invalid, NotFound
from pos_service.reservations.models import Guest, Reservation, ReservationStatus
from pos_service.reservations.schemas import GuestRead, GuestVisit
from pos_service.venues import service as venues

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
VISITED = (ReservationStatus.SEATED, ReservationStatus.COMPLETED)


def normalise_phone(raw: str | None) -> str | None:
    """Digits only, with ``+`` for an international prefix (``+``/``00``); blank is ``None``."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        digits = "+" + digits
    elif digits.startswith("00"):
        digits = "+" + digits[2:]
    if len(digits.lstrip("+")) < 5 or len(digits) > 20:
        raise Invalid(f"{raw!r} is not a phone number", field="phone")
    return digits


def normalise_email(raw: str | None) -> str | None:
    """Trimmed and lower-cased; blank is ``None``."""
    if raw is None or not raw.strip():
        return None
    email = raw.strip().lower()
    if not _EMAIL.match(email):
        raise Invalid(f"{raw!r} is not an email address", field="email")
    return email


async def _by(
    session: AsyncSession, venue_id: int, *, phone: str | None, email: str | None
) -> Guest | None:
    """The profile with this phone, else with this email, locked for the transaction."""
    for column, value in ((Guest.phone, phone), (Guest.email, email)):
        if value is None:
            continue
        guest = (
            await session.execute(
                select(Guest).where(Guest.venue_id == venue_id, column == value).with_for_update()
            )
        ).scalar_one_or_none()
        if guest is not None:
            return guest
    return None


async def remember(
    session: AsyncSession,
    venue_id: int,
    name: str,
    phone: str | None,
    email: str | None,
    tags: list[str],
) -> Guest:
    """The guest's profile (created if new), with the latest name, any contact it lacked
    and the new tags added. Contacts must already be normalised."""
    guest = await _by(session, venue_id, phone=phone, email=email)
    if guest is None:
        created = await session.scalar(
            insert(Guest)
            .values(venue_id=venue_id, name=name, phone=phone, email=email, tags=sorted(set(tags)))
            .on_conflict_do_nothing()
            .returning(Guest.id)
        )
        found = (
            await session.get(Guest, (venue_id, created))
            if created is not None
            else await _by(session, venue_id, phone=phone, email=email)
        )
        assert found is not None
        return found
    guest.name = name
    if (
        guest.phone is None
        and phone is not None
        and await _by(session, venue_id, phone=phone, email=None) is None
    ):
        guest.phone = phone
    if (
        guest.email is None
        and email is not None
        and await _by(session, venue_id, phone=None, email=email) is None
    ):
        guest.email = email
    guest.tags = sorted(set(guest.tags) | set(tags))
    return guest


async def _read(session: AsyncSession, guest: Guest) -> GuestRead:
    venue = await venues.get(session, guest.venue_id)
    history = list(
        (
            await session.execute(
                select(Reservation)
                .where(Reservation.venue_id == guest.venue_id, Reservation.guest_id == guest.id)
                .order_by(Reservation.starts_at.desc(), Reservation.id.desc())
            )
        ).scalars()
    )
    visited = [r for r in history if r.status in VISITED]
    notes = list(dict.fromkeys(r.notes for r in history if r.notes))
    tz = ZoneInfo(venue.timezone)
    return GuestRead(
        id=guest.id,
        name=guest.name,
        phone=guest.phone,
        email=guest.email,
        tags=list(guest.tags),
        notes=notes,
        visits=len(visited),
        no_shows=sum(r.status == ReservationStatus.NO_SHOW for r in history),
        cancellations=sum(r.status == ReservationStatus.CANCELLED for r in history),
        last_visit_at=visited[0].starts_at.astimezone(tz) if visited else None,
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
    if guest is None:
        raise NotFound(f"no guest {guest_id}", field="guest_id")
    return await _read(session, guest)
