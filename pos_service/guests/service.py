"""Guest profiles (normalised contacts), the checks linked to them, loyalty points.

Points: a venue earns ``earn_per`` minor units -> one point and redeems a point for
``point_value`` minor units (``venue.settings["loyalty"]``; absent = no loyalty). Points
are credited in the transaction that closes a linked check and spent by a conditional
``UPDATE ... WHERE points >= :n``, so two redemptions racing for the same points never
take the balance below zero: the second sees what the first left. Locking order: the
check row first (the caller's), then the guest row.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound
from pos_service.core.money import round_div
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.guests.events import GuestLinked
from pos_service.guests.models import Guest, GuestCheck, LoyaltyKind, LoyaltyMovement
from pos_service.guests.schemas import (
    CheckGuestRead,
    GuestCheckRead,
    GuestCreate,
    GuestLink,
    GuestPatch,
    LoyaltyMovementRead,
    LoyaltySettings,
)
from pos_service.orders import service as orders
from pos_service.orders.models import Check
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ERASED_NAME = "(erased)"


def normalise_phone(raw: str | None) -> str | None:
    """Digits only, with ``+`` for an international prefix (``+``/``00``); blank is ``None``."""
    if raw is None or not raw.strip():
        return None
    text_ = raw.strip()
    digits = re.sub(r"\D", "", text_)
    if text_.startswith("+"):
        digits = "+" + digits
    elif digits.startswith("00"):
        digits = "+" + digits[2:]
    if len(digits.lstrip("+")) < 5 or len(digits) > 20:
        raise Invalid("{raw!r} is not a phone number", raw=raw, field="phone")
    return digits


def normalise_email(raw: str | None) -> str | None:
    """Trimmed and lower-cased; blank is ``None``."""
    if raw is None or not raw.strip():
        return None
    email = raw.strip().lower()
    if not _EMAIL.match(email):
        raise Invalid("{raw!r} is not an email address", raw=raw, field="email")
    return email


async def by_contact(
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
    guest = await by_contact(session, venue_id, phone=phone, email=email)
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
            else await by_contact(session, venue_id, phone=phone, email=email)
        )
        assert found is not None
        return found
    guest.name = name
    if (
        guest.phone is None
        and phone is not None
        and await by_contact(session, venue_id, phone=phone, email=None) is None
    ):
        guest.phone = phone
    if (
        guest.email is None
        and email is not None
        and await by_contact(session, venue_id, phone=None, email=email) is None
    ):
        guest.email = email
    guest.tags = sorted(set(guest.tags) | set(tags))
    return guest


async def locked(session: AsyncSession, venue_id: int, guest_id: int) -> Guest:
    """The profile, locked; 404 if there is none (or it was erased)."""
    guest = await session.get(Guest, (venue_id, guest_id), with_for_update=True)
    if guest is None or guest.erased_at is not None:
        raise NotFound("no guest {guest_id}", guest_id=guest_id, field="guest_id")
    return guest


async def _taken(session: AsyncSession, guest: Guest, phone: str | None, email: str | None) -> None:
    other = await by_contact(session, guest.venue_id, phone=phone, email=None)
    other = other or await by_contact(session, guest.venue_id, phone=None, email=email)
    if other is not None and other.id != guest.id:
        field = "phone" if phone is not None and other.phone == phone else "email"
        raise Conflict("guest {guest_id} has this {field}", field=field, guest_id=other.id)


async def create(session: AsyncSession, venue_id: int, data: GuestCreate) -> Guest:
    """A new profile; 409 naming the profile that already has the phone or email."""
    phone, email = normalise_phone(data.phone), normalise_email(data.email)
    if phone is None and email is None:
        raise Invalid("give a phone or an email", field="phone")
    existing = await by_contact(session, venue_id, phone=phone, email=email)
    if existing is not None:
        raise Conflict("guest {guest_id} has this contact", field="phone", guest_id=existing.id)
    guest = Guest(
        venue_id=venue_id,
        name=data.name,
        phone=phone,
        email=email,
        tags=sorted(set(data.tags)),
        allergens=orders.ordered(data.allergens),
        allergy_note=data.allergy_note.strip(),
        marketing_consent=data.marketing_consent,
        consent_changed_at=now_utc() if data.marketing_consent else None,
    )
    session.add(guest)
    await session.flush()
    return guest


async def patch(session: AsyncSession, venue_id: int, guest_id: int, data: GuestPatch) -> Guest:
    """Change a profile's name, contacts, consent, tags or allergies."""
    guest = await locked(session, venue_id, guest_id)
    phone = guest.phone if data.phone is UNSET else normalise_phone(data.phone)
    email = guest.email if data.email is UNSET else normalise_email(data.email)
    if phone is None and email is None:
        raise Invalid("a profile keeps a phone or an email", field="phone")
    await _taken(session, guest, phone, email)
    guest.phone, guest.email = phone, email
    if data.name is not UNSET:
        guest.name = data.name
    if data.marketing_consent is not UNSET and data.marketing_consent != guest.marketing_consent:
        guest.marketing_consent = data.marketing_consent
        guest.consent_changed_at = now_utc()
    if data.tags is not UNSET:
        guest.tags = sorted(set(data.tags))
    if data.allergens is not UNSET:
        guest.allergens = orders.ordered(data.allergens)
    if data.allergy_note is not UNSET:
        guest.allergy_note = data.allergy_note.strip()
    await session.flush()
    return guest


async def _find_or_create(
    session: AsyncSession, venue_id: int, data: GuestLink
) -> tuple[Guest, bool]:
    if data.guest_id is not None:
        return await locked(session, venue_id, data.guest_id), False
    phone, email = normalise_phone(data.phone), normalise_email(data.email)
    if phone is None and email is None:
        raise Invalid("give a guest_id, a phone or an email", field="guest_id")
    found = await by_contact(session, venue_id, phone=phone, email=email)
    if found is not None:
        return found, False
    guest = await remember(session, venue_id, data.name or "Guest", phone, email, [])
    return guest, True


async def link(
    session: AsyncSession, venue_id: int, check_id: int, guest: Guest, actor: int
) -> None:
    """Link an open check (locked by the caller) to ``guest``, replacing another guest;
    the guest's allergies are added to the check's (the band on its kitchen tickets)."""
    await session.execute(
        insert(GuestCheck)
        .values(venue_id=venue_id, check_id=check_id, guest_id=guest.id, linked_by=actor)
        .on_conflict_do_update(
            index_elements=["venue_id", "check_id"],
            set_={"guest_id": guest.id, "linked_by": actor},
        )
    )
    events.record(
        session,
        venue_id,
        orders.ORDERS_TOPIC,
        GuestLinked(
            check_id=check_id,
            guest_id=guest.id,
            points=guest.points,
            allergens=list(guest.allergens),
            allergy_note=guest.allergy_note,
        ),
    )
    check = await session.get(Check, (venue_id, check_id))
    assert check is not None
    await orders.add_allergies(session, check, guest.allergens, guest.allergy_note)


async def link_check(
    session: AsyncSession, caller: Caller, check_id: int, data: GuestLink
) -> CheckGuestRead:
    """Say whom an open check is for: by id, or by phone/email (creating the profile)."""
    check = await orders.load_for_write(session, caller.venue_id, check_id, None)
    guest, created = await _find_or_create(session, caller.venue_id, data)
    await link(session, caller.venue_id, check.id, guest, caller.actor)
    return CheckGuestRead(
        check_id=check.id,
        guest_id=guest.id,
        name=guest.name,
        points=guest.points,
        tags=list(guest.tags),
        allergens=list(guest.allergens),
        allergy_note=guest.allergy_note,
        created=created,
    )


def loyalty_settings(venue: Venue) -> LoyaltySettings:
    """The venue's loyalty rule (``settings["loyalty"]``)."""
    raw = venue.settings.get("loyalty") or {}
    return LoyaltySettings(earn_per=raw.get("earn_per"), point_value=raw.get("point_value"))


async def get_loyalty_settings(session: AsyncSession, caller: Caller) -> LoyaltySettings:
    return loyalty_settings(await venues.get(session, caller.venue_id))


async def set_loyalty_settings(
    session: AsyncSession, caller: Caller, data: LoyaltySettings
) -> LoyaltySettings:
    """Replace the venue's loyalty rule (managers)."""
    venue = await venues.get(session, caller.venue_id)
    venue.settings = {
        **venue.settings,
        "loyalty": {"earn_per": data.earn_per, "point_value": data.point_value},
    }
    await session.flush()
    return loyalty_settings(venue)


async def guest_of_check(session: AsyncSession, venue_id: int, check_id: int) -> int | None:
    """The id of the guest a check is linked to."""
    return await session.scalar(
        select(GuestCheck.guest_id).where(
            GuestCheck.venue_id == venue_id, GuestCheck.check_id == check_id
        )
    )


async def _move(
    session: AsyncSession,
    venue_id: int,
    guest_id: int,
    kind: LoyaltyKind,
    points: int,
    check_id: int,
    amount: int,
) -> int | None:
    """Move the guest's points by ``points`` unless that goes below zero; the new balance."""
    balance: int | None = await session.scalar(
        text(
            "UPDATE guests SET points = points + :p "
            "WHERE venue_id = :v AND id = :g AND erased_at IS NULL AND points + :p >= 0 "
            "RETURNING points"
        ),
        {"p": points, "v": venue_id, "g": guest_id},
    )
    if balance is not None:
        session.add(
            LoyaltyMovement(
                venue_id=venue_id,
                guest_id=guest_id,
                kind=kind,
                points=points,
                balance=balance,
                check_id=check_id,
                amount=amount,
            )
        )
    return balance


async def credit_on_close(
    session: AsyncSession, venue: Venue, check_id: int, total: int, earning: int
) -> None:
    """The closing check's visit: its ``total``, and the points ``earning`` (the total
    without gift cards sold) earns its guest."""
    link_row = (
        await session.execute(
            select(GuestCheck).where(
                GuestCheck.venue_id == venue.id, GuestCheck.check_id == check_id
            )
        )
    ).scalar_one_or_none()
    if link_row is None:
        return
    rule = loyalty_settings(venue)
    points = earning // rule.earn_per if rule.earn_per and earning > 0 else 0
    link_row.closed_at, link_row.total = now_utc(), total
    if points and await _move(
        session, venue.id, link_row.guest_id, LoyaltyKind.EARN, points, check_id, total
    ):
        link_row.points = points
    await session.flush()


async def spend(session: AsyncSession, venue: Venue, check_id: int, points: int) -> tuple[int, int]:
    """Take ``points`` from the guest of the (locked) check: (guest id, value in minor
    units). 409 if the check has no guest or the guest has fewer points."""
    rule = loyalty_settings(venue)
    if not rule.point_value:
        raise Conflict("this venue has no loyalty rewards", field="points")
    guest_id = await guest_of_check(session, venue.id, check_id)
    if guest_id is None:
        raise Conflict(
            "check {check_id} is not linked to a guest", check_id=check_id, field="check_id"
        )
    value = points * rule.point_value
    if (
        await _move(session, venue.id, guest_id, LoyaltyKind.REDEEM, -points, check_id, value)
        is None
    ):
        held = await session.scalar(
            select(Guest.points).where(Guest.venue_id == venue.id, Guest.id == guest_id)
        )
        raise Conflict(
            "the guest holds {points} points, fewer than {points2}",
            points2=points,
            field="points",
            points=held,
        )
    return guest_id, value


async def visits(session: AsyncSession, venue_id: int, guest_id: int) -> list[GuestCheckRead]:
    """The checks linked to the guest, newest first."""
    rows = (
        await session.execute(
            select(GuestCheck)
            .where(GuestCheck.venue_id == venue_id, GuestCheck.guest_id == guest_id)
            .order_by(GuestCheck.id.desc())
        )
    ).scalars()
    return [
        GuestCheckRead(
            check_id=r.check_id,
            linked_at=r.created_at,
            closed_at=r.closed_at,
            total=r.total,
            points=r.points,
        )
        for r in rows
    ]


async def movements(
    session: AsyncSession, venue_id: int, guest_id: int
) -> list[LoyaltyMovementRead]:
    """The guest's points earned and redeemed, newest first."""
    rows = (
        await session.execute(
            select(LoyaltyMovement)
            .where(LoyaltyMovement.venue_id == venue_id, LoyaltyMovement.guest_id == guest_id)
            .order_by(LoyaltyMovement.id.desc())
        )
    ).scalars()
    return [
        LoyaltyMovementRead(
            id=m.id,
            kind=m.kind,
            points=m.points,
            balance=m.balance,
            check_id=m.check_id,
            amount=m.amount,
            at=m.created_at,
        )
        for m in rows
    ]


async def erase(session: AsyncSession, guest: Guest) -> None:
    """Anonymise the (locked) profile and detach it from its checks and points.

    The row keeps its id (bookings still point at it) and nothing personal: name,
    contacts, tags, allergies, consent and points go, with the check links and the
    points ledger. Checks, payments, discounts and the journal are financial records
    and stay as they are; none of them holds the guest's name or contacts.
    """
    venue_id = guest.venue_id
    await session.execute(
        delete(GuestCheck).where(GuestCheck.venue_id == venue_id, GuestCheck.guest_id == guest.id)
    )
    await session.execute(
        delete(LoyaltyMovement).where(
            LoyaltyMovement.venue_id == venue_id, LoyaltyMovement.guest_id == guest.id
        )
    )
    guest.name = ERASED_NAME
    guest.phone = guest.email = None
    guest.tags = []
    guest.allergens = []
    guest.allergy_note = ""
    guest.marketing_consent = False
    guest.consent_changed_at = None
    guest.points = 0
    guest.erased_at = now_utc()
    await session.flush()


async def take_back(
    session: AsyncSession, venue: Venue, check_id: int, returned_before: int, returned_now: int
) -> int:
    """A return of ``returned_now`` (after ``returned_before``) of the closed check takes
    its share of the points the check earned back from its guest: cumulative, so the
    returns of a whole check take back exactly what it earned; never below zero (points
    already spent stay spent). The points taken back."""
    link_row = (
        await session.execute(
            select(GuestCheck).where(
                GuestCheck.venue_id == venue.id, GuestCheck.check_id == check_id
            )
        )
    ).scalar_one_or_none()
    if link_row is None or not link_row.points or not link_row.total:
        return 0
    earned, total = link_row.points, link_row.total
    after = min(returned_before + returned_now, total)
    back = round_div(earned * after, total) - round_div(earned * returned_before, total)
    if back <= 0:
        return 0
    held = await session.scalar(
        select(Guest.points).where(Guest.venue_id == venue.id, Guest.id == link_row.guest_id)
    )
    back = min(back, held or 0)
    if not back:
        return 0
    moved = await _move(
        session, venue.id, link_row.guest_id, LoyaltyKind.RETURN, -back, check_id, -returned_now
    )
    return 0 if moved is None else back
