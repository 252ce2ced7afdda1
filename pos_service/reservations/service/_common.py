"""Shared pieces of the reservation use cases: rules, the day lock, the floor state the
planning works on, the next-reservation hint of each table, and reading rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, Invalid, NotFound, Term
from pos_service.guests import service as guests
from pos_service.guests.models import Guest
from pos_service.reservations.models import HOLDING, Reservation, ReservationStatus
from pos_service.reservations.planning import (
    Hold,
    Interval,
    Rules,
    TableSpec,
    expected_free,
    is_connected,
)
from pos_service.reservations.schemas import ReservationRead
from pos_service.tables import service as tables
from pos_service.tables.models import DiningTable, TableStatus
from pos_service.tables.schemas import ReservationBrief
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

RULES_KEY = "reservations"
TOPIC = "reservations"
GONE = (ReservationStatus.CANCELLED, ReservationStatus.NO_SHOW)


def rules_of(venue: Venue) -> Rules:
    """The venue's booking rules (defaults with no service periods if never set)."""
    raw = venue.settings.get(RULES_KEY)
    return Rules() if raw is None else msgspec.convert(raw, Rules, strict=False)


async def venue_rules(session: AsyncSession, venue_id: int) -> tuple[Venue, Rules]:
    venue = await venues.get(session, venue_id)
    return venue, rules_of(venue)


async def lock_day(session: AsyncSession, venue_id: int, day: dt.date) -> None:
    """Serialise every change of a venue's table plan for one business day (see
    docs/reservations.md): a transaction-scoped advisory lock, released at commit."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"reservations:{venue_id}:{day.isoformat()}"},
    )


class FloorState(NamedTuple):
    """The tables and what keeps them busy, as planning needs it."""

    tables: list[DiningTable]
    specs: list[TableSpec]
    busy: dict[int, list[Interval]]
    holds: list[Hold]
    starting: list[tuple[dt.datetime, int]]
    ready_at: dict[int, dt.datetime]


def _seated_since(table: DiningTable) -> dt.datetime | None:
    opened = (table.open_check or {}).get("opened_at")
    if isinstance(opened, str):
        return dt.datetime.fromisoformat(opened)
    return table.status_changed_at


async def load_floor(
    session: AsyncSession, venue_id: int, rules: Rules, window: Interval, now: dt.datetime
) -> FloorState:
    """Tables, their live occupation (until expected free) and the reservations that overlap
    ``window``: holding ones block their tables, seated ones hold theirs until they free."""
    rows = list(
        (
            await session.execute(
                select(DiningTable).where(DiningTable.venue_id == venue_id).order_by(DiningTable.id)
            )
        ).scalars()
    )
    busy: dict[int, list[Interval]] = defaultdict(list)
    ready_at: dict[int, dt.datetime] = {}
    venue = await venues.get(session, venue_id)
    for t in rows:
        covers = int((t.open_check or {}).get("covers", 2))
        cleaned = tables.ready_at(venue, t, rules.to_clean_minutes)
        ready_at[t.id] = (
            expected_free(rules, t.status, covers, _seated_since(t), now)
            if cleaned is None
            else max(now, cleaned)
        )
        if ready_at[t.id] > now:
            busy[t.id].append((now, ready_at[t.id]))
    reservations = (
        await session.execute(
            select(Reservation).where(
                Reservation.venue_id == venue_id,
                Reservation.starts_at < window[1],
                Reservation.ends_at > window[0],
                Reservation.status.not_in(GONE),
            )
        )
    ).scalars()
    holds: list[Hold] = []
    starting: list[tuple[dt.datetime, int]] = []
    for r in reservations:
        starting.append((r.starts_at, r.party_size))
        if r.status in HOLDING:
            holds.append(Hold(r.starts_at, r.ends_at, tuple(r.table_ids)))
            for i in r.table_ids:
                busy[i].append((r.starts_at, r.ends_at))
        elif r.status == ReservationStatus.SEATED:
            until = max((ready_at.get(i, now) for i in r.table_ids), default=now)
            if until > now:
                holds.append(Hold(now, until, tuple(r.table_ids)))
    specs = [TableSpec(t.id, t.capacity, tuple(t.combinable_with)) for t in rows]
    return FloorState(rows, specs, busy, holds, starting, ready_at)


def check_choice(state: FloorState, table_ids: list[int], party_size: int) -> list[int]:
    """The host's choice of tables, sorted; 404 for an unknown table, 422 if they are not
    one combinable group or seat fewer than the party."""
    chosen = sorted(set(table_ids))
    by_id = {t.id: t for t in state.specs}
    for i in chosen:
        if i not in by_id:
            raise NotFound("no table {i}", i=i, field="table_ids")
    if len(chosen) > 1 and not is_connected(state.specs, chosen):
        raise Invalid("these tables cannot be combined", field="table_ids")
    seats = sum(by_id[i].capacity for i in chosen)
    if seats < party_size:
        raise Invalid(
            "these tables seat {seats}, not {party_size}",
            seats=seats,
            party_size=party_size,
            field="table_ids",
        )
    return chosen


async def refresh_next(
    session: AsyncSession, venue: Venue, table_ids: Iterable[int], now: dt.datetime
) -> None:
    """Set each table's ``next_reservation``: its earliest holding reservation of today."""
    today = venues.business_day(venue, now)
    tz = ZoneInfo(venue.timezone)
    for table_id in sorted(set(table_ids)):
        nxt = (
            await session.execute(
                select(Reservation)
                .where(
                    Reservation.venue_id == venue.id,
                    Reservation.day == today,
                    Reservation.status.in_(HOLDING),
                    Reservation.table_ids.contains([table_id]),
                )
                .order_by(Reservation.starts_at, Reservation.id)
                .limit(1)
            )
        ).scalar_one_or_none()
        brief = (
            None
            if nxt is None
            else ReservationBrief(
                id=nxt.id,
                name=nxt.name,
                party_size=nxt.party_size,
                starts_at=nxt.starts_at.astimezone(tz),
            )
        )
        await tables.set_next_reservation(session, venue.id, table_id, brief)


def reservation_read(r: Reservation, timezone: str) -> ReservationRead:
    tz = ZoneInfo(timezone)
    return ReservationRead(
        id=r.id,
        guest_id=r.guest_id,
        name=r.name,
        phone=r.phone,
        email=r.email,
        party_size=r.party_size,
        day=r.day,
        starts_at=r.starts_at.astimezone(tz),
        ends_at=r.ends_at.astimezone(tz),
        status=r.status,
        status_changed_at=r.status_changed_at,
        tags=list(r.tags),
        notes=r.notes,
        allergens=list(r.allergens),
        allergy_note=r.allergy_note,
        table_ids=list(r.table_ids),
        seated_at=r.seated_at,
        check_id=r.check_id,
        created_at=r.created_at,
        version=r.version,
    )


def table_free(table: DiningTable) -> bool:
    return table.status == TableStatus.FREE and table.open_check is None


def not_free(table: DiningTable, field: str) -> Conflict:
    """The 409 for seating on a table that is not free (saying when it is being cleaned)."""
    if table.status == TableStatus.TO_CLEAN:
        return Conflict(
            "table {table} is still being cleaned; mark it clean first",
            table=table.name,
            field=field,
            table_id=table.id,
            table_status=table.status,
        )
    return Conflict(
        "table {table} is {state}",
        table=table.name,
        state=Term(table.status.replace("_", " ")),
        field=field,
        table_id=table.id,
        table_status=table.status,
    )


def wait_minutes(at: dt.datetime, now: dt.datetime) -> int:
    """Minutes until ``at``, rounded up to 5 (what a host would say)."""
    seconds = max(0.0, (at - now).total_seconds())
    return -(-int(seconds) // 300) * 5


async def link_booked_guest(
    session: AsyncSession, caller: Caller, guest_id: int | None, check_id: int
) -> None:
    """Link the check opened by seating a booking or waitlist entry to its guest."""
    guest = None if guest_id is None else await session.get(Guest, (caller.venue_id, guest_id))
    if guest is not None and guest.erased_at is None:
        await guests.link(session, caller.venue_id, check_id, guest, caller.actor)
