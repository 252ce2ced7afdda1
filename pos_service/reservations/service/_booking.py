"""Booking rules, availability, booking, the status flow and seating of reservations."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.allergens import ALLERGENS, Allergen
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound, Term
from pos_service.guests.service import normalise_email, normalise_phone, remember
from pos_service.i18n import N_
from pos_service.orders import service as orders
from pos_service.orders.schemas import CheckOpen
from pos_service.reservations.events import (
    ReservationArrived,
    ReservationBooked,
    ReservationCancelled,
    ReservationCompleted,
    ReservationConfirmed,
    ReservationNoShow,
    ReservationSeated,
)
from pos_service.reservations.models import (
    HOLDING,
    JobKind,
    Reservation,
    ReservationJob,
    ReservationStatus,
)
from pos_service.reservations.notifiers import Reminder, send_confirmation
from pos_service.reservations.planning import (
    Rules,
    ServicePeriod,
    best_fit,
    free_tables,
    overlaps,
    peak_held,
    slots,
    walk_in_kept,
)
from pos_service.reservations.schemas import (
    AvailabilityRead,
    ReservationCreate,
    ReservationRead,
    SeatRequest,
    SlotRead,
)
from pos_service.reservations.service._common import (
    RULES_KEY,
    TOPIC,
    FloorState,
    check_choice,
    link_booked_guest,
    load_floor,
    lock_day,
    not_free,
    refresh_next,
    reservation_read,
    table_free,
    venue_rules,
)
from pos_service.tables import service as tables
from pos_service.tables.models import TableStatus
from pos_service.tables.schemas import OpenCheckRead
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

S = ReservationStatus
ALLOWED_FROM: dict[ReservationStatus, tuple[ReservationStatus, ...]] = {
    S.CONFIRMED: (S.BOOKED,),
    S.ARRIVED: (S.BOOKED, S.CONFIRMED),
    S.SEATED: HOLDING,
    S.COMPLETED: (S.SEATED,),
    S.CANCELLED: HOLDING,
    S.NO_SHOW: (S.BOOKED, S.CONFIRMED),
}
_TAG = re.compile(r"^[a-z0-9][a-z0-9 _-]*(:[a-z0-9][a-z0-9 ,._-]*)?$")
ALLERGY = "allergy:"

DEMO_RULES = Rules(
    periods=[
        ServicePeriod(name="lunch", start=dt.time(12, 0), end=dt.time(15, 0)),
        ServicePeriod(name="dinner", start=dt.time(18, 0), end=dt.time(23, 0)),
    ],
    slot_minutes=15,
    max_covers_per_slot=16,
    walk_in_percent=20,
    reminder_hours=24,
    no_show_minutes=15,
)


async def get_rules(session: AsyncSession, caller: Caller) -> Rules:
    """The venue's booking rules."""
    return (await venue_rules(session, caller.venue_id))[1]


async def set_rules(session: AsyncSession, caller: Caller, rules: Rules) -> Rules:
    """Replace the venue's booking rules (service periods, pacing, turn times, shares)."""
    if any(p.start == p.end for p in rules.periods):
        raise Invalid("a service period needs different start and end", field="periods")
    sizes = [t.party_size for t in rules.turn_times]
    if len(set(sizes)) != len(sizes):
        raise Invalid("one turn time per party size", field="turn_times")
    venue = await venues.get(session, caller.venue_id)
    venue.settings = {**venue.settings, RULES_KEY: msgspec.to_builtins(rules)}
    return rules


async def seed_demo_rules(session: AsyncSession, venue_id: int) -> None:
    """Give the demo venue lunch and dinner services (called by ``demo.seed``)."""
    venue = await venues.get(session, venue_id)
    venue.settings = {**venue.settings, RULES_KEY: msgspec.to_builtins(DEMO_RULES)}


def normalise_tags(tags: list[str]) -> list[str]:
    """Lower-cased, trimmed, unique tags such as ``allergy:peanuts``, ``vip``, ``birthday``."""
    out = [" ".join(t.lower().split()).replace(": ", ":") for t in tags]
    for tag in out:
        if not _TAG.match(tag):
            raise Invalid(
                "{tag!r} is not a tag (like vip, birthday, allergy:peanuts)", tag=tag, field="tags"
            )
    return list(dict.fromkeys(out))


def _check_party(rules: Rules, party_size: int) -> None:
    if not 1 <= party_size <= rules.max_party_size:
        raise Invalid(
            "party size must be 1 to {max_party_size}; call the venue",
            max_party_size=rules.max_party_size,
            field="party_size",
        )


def _covers_starting(rules: Rules, state: FloorState, start: dt.datetime) -> int:
    return sum(p for at, p in state.starting if start <= at < start + rules.slot)


def _option(
    rules: Rules, state: FloorState, party_size: int, start: dt.datetime
) -> tuple[int, ...] | str:
    """The tables best fit gives the party at ``start``, or why it cannot book then."""
    if _covers_starting(rules, state, start) + party_size > rules.max_covers_per_slot:
        return N_("the kitchen's pacing for that slot is full")
    want = (start, start + rules.turn(party_size))
    fit = best_fit(free_tables(state.specs, state.busy, want), party_size)
    if fit is None:
        return N_("no free table or combination seats the party then")
    limit = len(state.specs) - walk_in_kept(len(state.specs), rules.walk_in_percent)
    if peak_held(state.holds, want) + len(fit) > limit:
        return N_("the tables left then are kept for walk-ins")
    return fit


async def availability(
    session: AsyncSession, caller: Caller, date: dt.date, party_size: int
) -> AvailabilityRead:
    """The bookable slots of a day for a party, with the tables best fit would take."""
    venue, rules = await venue_rules(session, caller.venue_id)
    _check_party(rules, party_size)
    now = now_utc()
    starts = [s for s in slots(rules, date, venue.timezone) if s > now]
    out: list[SlotRead] = []
    if starts:
        state = await load_floor(
            session, venue.id, rules, (starts[0], starts[-1] + rules.max_turn), now
        )
        for start in starts:
            option = _option(rules, state, party_size, start)
            if isinstance(option, tuple):
                out.append(
                    SlotRead(
                        starts_at=start,
                        ends_at=start + rules.turn(party_size),
                        table_ids=list(option),
                        covers_left=rules.max_covers_per_slot
                        - _covers_starting(rules, state, start),
                    )
                )
    return AvailabilityRead(date=date, party_size=party_size, timezone=venue.timezone, slots=out)


def _slot_start(rules: Rules, venue: Venue, at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """``at`` in UTC if it is a future slot of a service period; else 422."""
    if at.tzinfo is None:
        raise Invalid("starts_at needs a UTC offset", field="starts_at")
    if at <= now:
        raise Invalid("starts_at is in the past", field="starts_at")
    local = at.astimezone(ZoneInfo(venue.timezone))
    day = local.date()
    if not any(
        local == s
        for d in (day, day - dt.timedelta(days=1))
        for s in slots(rules, d, venue.timezone)
    ):
        raise Invalid(
            "{local:%H:%M} is not a slot of a service period", local=local, field="starts_at"
        )
    return at.astimezone(dt.UTC)


def _schedule(venue: Venue, rules: Rules, r: Reservation, now: dt.datetime) -> list[ReservationJob]:
    """The reminder, no-show release and start-of-day floor refresh of a new reservation."""
    day_start = dt.datetime.combine(r.day, venue.day_cutoff, ZoneInfo(venue.timezone))
    due = [
        (JobKind.NO_SHOW, r.starts_at + dt.timedelta(minutes=rules.no_show_minutes)),
        (JobKind.FLOOR, day_start),
    ]
    if rules.reminder_hours:
        due.append((JobKind.REMINDER, r.starts_at - dt.timedelta(hours=rules.reminder_hours)))
    return [
        ReservationJob(venue_id=r.venue_id, reservation_id=r.id, kind=kind, due_at=at)
        for kind, at in due
        if at > now
    ]


async def book(
    session: AsyncSession,
    caller: Caller,
    data: ReservationCreate,
    *,
    manage_url: Callable[[int], str] | None = None,
    language: str | None = None,
) -> ReservationRead:
    """Book a party on the host's tables or by best fit; 409 if the slot has no room.
    Takes the venue's day lock before looking at the tables (docs/reservations.md).
    ``manage_url`` makes the guest's change-or-cancel link of a reservation id (the
    public booking page's), put in the confirmation; ``language`` is the guest's (the
    public page's), which the reservation's e-mails are written in (None: the venue's)."""
    venue, rules = await venue_rules(session, caller.venue_id)
    now = now_utc()
    _check_party(rules, data.party_size)
    starts_at = _slot_start(rules, venue, data.starts_at, now)
    tags = normalise_tags(data.tags)
    phone, email = normalise_phone(data.phone), normalise_email(data.email)
    day = venues.business_day(venue, starts_at)
    await lock_day(session, venue.id, day)
    want = (starts_at, starts_at + rules.turn(data.party_size))
    state = await load_floor(session, venue.id, rules, want, now)
    if data.table_ids:
        table_ids = check_choice(state, data.table_ids, data.party_size)
        taken = [i for i in table_ids if any(overlaps(want, b) for b in state.busy.get(i, ()))]
        if taken:
            raise Conflict("a chosen table is taken then", field="table_ids", table_ids=taken)
    else:
        option = _option(rules, state, data.party_size, starts_at)
        if isinstance(option, str):
            raise Conflict(option, field="starts_at")
        table_ids = list(option)
    guest = await remember(session, venue.id, data.name, phone, email, tags)
    r = Reservation(
        venue_id=venue.id,
        guest_id=guest.id,
        name=data.name,
        phone=phone,
        email=email,
        party_size=data.party_size,
        day=day,
        starts_at=starts_at,
        ends_at=want[1],
        status=S.BOOKED,
        status_changed_at=now,
        tags=tags,
        notes=data.notes,
        allergens=orders.ordered(data.allergens),
        allergy_note=data.allergy_note.strip(),
        table_ids=table_ids,
        booked_by=caller.actor,
        language=language,
    )
    session.add(r)
    await session.flush()
    await session.refresh(r)
    session.add_all(_schedule(venue, rules, r, now))
    read = reservation_read(r, venue.timezone)
    events.record(
        session, venue.id, TOPIC, ReservationBooked(reservation=msgspec.to_builtins(read))
    )
    if day == venues.business_day(venue, now):
        await refresh_next(session, venue, table_ids, now)
    await send_confirmation(
        session,
        Reminder(
            venue_id=venue.id,
            reservation_id=r.id,
            name=r.name,
            phone=phone,
            email=email,
            party_size=r.party_size,
            starts_at=r.starts_at,
            manage_url=manage_url(r.id) if manage_url else None,
            language=language,
        ),
    )
    return read


async def list_reservations(
    session: AsyncSession, caller: Caller, date: dt.date
) -> list[ReservationRead]:
    """The reservations of a business day, in time order (every status)."""
    venue = await venues.get(session, caller.venue_id)
    rows = (
        await session.execute(
            select(Reservation)
            .where(Reservation.venue_id == venue.id, Reservation.day == date)
            .order_by(Reservation.starts_at, Reservation.id)
        )
    ).scalars()
    return [reservation_read(r, venue.timezone) for r in rows]


async def get_reservation(
    session: AsyncSession, caller: Caller, reservation_id: int
) -> ReservationRead:
    venue = await venues.get(session, caller.venue_id)
    r = await session.get(Reservation, (venue.id, reservation_id))
    if r is None:
        raise NotFound(
            "no reservation {reservation_id}", reservation_id=reservation_id, field="reservation_id"
        )
    return reservation_read(r, venue.timezone)


async def lock_for(
    session: AsyncSession, venue_id: int, reservation_id: int, to: ReservationStatus
) -> Reservation:
    """The reservation, locked; 409 if it cannot move to ``to`` from where it is."""
    r = await session.get(
        Reservation, (venue_id, reservation_id), with_for_update=True, populate_existing=True
    )
    if r is None:
        raise NotFound(
            "no reservation {reservation_id}", reservation_id=reservation_id, field="reservation_id"
        )
    if r.status not in ALLOWED_FROM[to]:
        raise Conflict(
            "reservation {r_id} is {current_status}; it cannot become {to}",
            r_id=r.id,
            to=Term(to),
            field="status",
            current_status=Term(r.status),
        )
    return r


EventType = Callable[..., events.DomainEvent]


async def _move(
    session: AsyncSession,
    caller: Caller,
    reservation_id: int,
    to: ReservationStatus,
    event: EventType,
) -> ReservationRead:
    venue = await venues.get(session, caller.venue_id)
    now = now_utc()
    r = await lock_for(session, venue.id, reservation_id, to)
    r.status = to
    r.status_changed_at = now
    r.version += 1
    read = reservation_read(r, venue.timezone)
    events.record(session, venue.id, TOPIC, event(reservation=msgspec.to_builtins(read)))
    if to not in HOLDING and r.day == venues.business_day(venue, now):
        await refresh_next(session, venue, r.table_ids, now)
    return read


async def confirm(session: AsyncSession, caller: Caller, reservation_id: int) -> ReservationRead:
    """booked -> confirmed (the guest confirmed)."""
    return await _move(session, caller, reservation_id, S.CONFIRMED, ReservationConfirmed)


async def arrive(session: AsyncSession, caller: Caller, reservation_id: int) -> ReservationRead:
    """booked/confirmed -> arrived (the party is at the host stand)."""
    return await _move(session, caller, reservation_id, S.ARRIVED, ReservationArrived)


async def cancel(session: AsyncSession, caller: Caller, reservation_id: int) -> ReservationRead:
    """booked/confirmed/arrived -> cancelled; its tables are released."""
    return await _move(session, caller, reservation_id, S.CANCELLED, ReservationCancelled)


async def no_show(session: AsyncSession, caller: Caller, reservation_id: int) -> ReservationRead:
    """booked/confirmed -> no_show; its tables are released."""
    return await _move(session, caller, reservation_id, S.NO_SHOW, ReservationNoShow)


def _check_details(r: Reservation, table_id: int) -> CheckOpen:
    """What the check opens with: the booking's allergens and allergy note (an
    ``allergy:`` tag naming one of the 14 adds its code, any other adds to the note), and
    the notes with the other tags."""
    tagged = [t.removeprefix(ALLERGY) for t in r.tags if t.startswith(ALLERGY)]
    others = [t for t in r.tags if not t.startswith(ALLERGY)]
    notes = " ".join(p for p in (r.notes, f"[{', '.join(others)}]" if others else "") if p)
    return CheckOpen(
        table_id=table_id,
        covers=r.party_size,
        allergens=[Allergen(a) for a in orders.ordered([*r.allergens, *tagged])],
        allergy_note=orders.joined_note(r.allergy_note, *(t for t in tagged if t not in ALLERGENS)),
        notes=notes,
    )


async def seat(
    session: AsyncSession, caller: Caller, reservation_id: int, data: SeatRequest
) -> ReservationRead:
    """Seat the party on its tables (or the host's ``table_ids``): opens the check with the
    covers, allergies and notes on the first table and marks the others seated with it."""
    venue, rules = await venue_rules(session, caller.venue_id)
    now = now_utc()
    found = await session.get(Reservation, (venue.id, reservation_id))
    if found is None:
        raise NotFound(
            "no reservation {reservation_id}", reservation_id=reservation_id, field="reservation_id"
        )
    await lock_day(session, venue.id, found.day)
    r = await lock_for(session, venue.id, reservation_id, S.SEATED)
    if data.table_ids:
        state = await load_floor(session, venue.id, rules, (now, now), now)
        table_ids = check_choice(state, data.table_ids, 1)
    else:
        table_ids = sorted(r.table_ids)
    locked = {
        i: await tables.lock(session, venue.id, i) for i in sorted({*table_ids, *r.table_ids})
    }
    for i in table_ids:
        if not table_free(locked[i]):
            raise not_free(locked[i], "table_ids")
    check = await orders.open_check_for(
        session,
        caller,
        _check_details(r, table_ids[0]),
        orders.seated_waiter(caller, data.waiter_id),
    )
    brief = msgspec.convert(locked[table_ids[0]].open_check, OpenCheckRead, strict=False)
    for i in table_ids[1:]:
        await tables.set_state(session, venue.id, locked[i], TableStatus.SEATED, open_check=brief)
    booked = list(r.table_ids)
    r.table_ids = table_ids
    r.status = S.SEATED
    r.status_changed_at = r.seated_at = now
    r.ends_at = now + rules.turn(r.party_size)
    r.check_id = check.id
    r.version += 1
    await link_booked_guest(session, caller, r.guest_id, check.id)
    read = reservation_read(r, venue.timezone)
    events.record(
        session, venue.id, TOPIC, ReservationSeated(reservation=msgspec.to_builtins(read))
    )
    await refresh_next(session, venue, {*booked, *table_ids}, now)
    return read


async def complete(
    session: AsyncSession,
    caller: Caller,
    reservation_id: int,
    joined: TableStatus = TableStatus.FREE,
) -> ReservationRead:
    """seated -> completed: the party left. Tables joined to the check's table are freed
    (``to_clean`` when the check was paid); the check's own table is freed by paying (or
    moving) its check."""
    venue = await venues.get(session, caller.venue_id)
    now = now_utc()
    r = await lock_for(session, venue.id, reservation_id, S.COMPLETED)
    for i in sorted(r.table_ids)[1:]:
        table = await tables.lock(session, venue.id, i)
        if (table.open_check or {}).get("id") == r.check_id:
            await tables.set_state(session, venue.id, table, joined, open_check=None)
    r.status = S.COMPLETED
    r.status_changed_at = now
    r.version += 1
    read = reservation_read(r, venue.timezone)
    events.record(
        session, venue.id, TOPIC, ReservationCompleted(reservation=msgspec.to_builtins(read))
    )
    return read


async def complete_for_check(session: AsyncSession, caller: Caller, check_id: int) -> None:
    """The check of a seated reservation closed (it was paid): the party has left, so the
    reservation is completed and its joined tables freed (decision 1251)."""
    found = await session.scalar(
        select(Reservation.id).where(
            Reservation.venue_id == caller.venue_id,
            Reservation.check_id == check_id,
            Reservation.status == S.SEATED,
        )
    )
    if found is not None:
        await complete(session, caller, found, TableStatus.TO_CLEAN)
