"""The waitlist: walk-in parties with quoted waits, seated as tables free up."""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound, Term
from pos_service.guests.service import normalise_phone, remember
from pos_service.orders import service as orders
from pos_service.orders.schemas import CheckOpen
from pos_service.reservations.events import (
    WaitlistAdded,
    WaitlistCancelled,
    WaitlistSeated,
    WaitlistTableReady,
)
from pos_service.reservations.models import WaitlistEntry, WaitlistStatus
from pos_service.reservations.planning import (
    Quote,
    Rules,
    best_fit,
    free_tables,
    quote_queue,
)
from pos_service.reservations.schemas import WaitlistCreate, WaitlistRead, WaitlistSeat
from pos_service.reservations.service._common import (
    TOPIC,
    FloorState,
    link_booked_guest,
    load_floor,
    lock_day,
    not_free,
    table_free,
    venue_rules,
    wait_minutes,
)
from pos_service.tables import service as tables
from pos_service.venues import service as venues

HORIZON = dt.timedelta(hours=12)


def entry_read(
    e: WaitlistEntry,
    now: dt.datetime,
    position: int | None = None,
    quote: Quote | None = None,
) -> WaitlistRead:
    return WaitlistRead(
        id=e.id,
        name=e.name,
        phone=e.phone,
        party_size=e.party_size,
        notes=e.notes,
        status=e.status,
        quoted_minutes=e.quoted_minutes,
        created_at=e.created_at,
        position=position,
        estimated_minutes=None if quote is None else wait_minutes(quote.at, now),
        estimated_at=None if quote is None else quote.at,
        expected_table_ids=[] if quote is None else list(quote.table_ids),
        ready_table_ids=None if e.ready_table_ids is None else list(e.ready_table_ids),
        seated_at=e.seated_at,
        table_id=e.table_id,
        check_id=e.check_id,
        version=e.version,
    )


async def waiting(session: AsyncSession, venue_id: int) -> list[WaitlistEntry]:
    """The waiting entries of a venue in queue order."""
    return list(
        (
            await session.execute(
                select(WaitlistEntry)
                .where(
                    WaitlistEntry.venue_id == venue_id,
                    WaitlistEntry.status == WaitlistStatus.WAITING,
                )
                .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
            )
        ).scalars()
    )


async def _quotes(
    session: AsyncSession, venue_id: int, rules: Rules, queue: list[WaitlistEntry], now: dt.datetime
) -> list[Quote | None]:
    state = await load_floor(session, venue_id, rules, (now, now + HORIZON), now)
    return quote_queue(
        rules, state.specs, state.ready_at, state.busy, [e.party_size for e in queue]
    )


async def list_waitlist(session: AsyncSession, caller: Caller) -> list[WaitlistRead]:
    """The waiting parties in order, each with position and live estimated wait."""
    venue, rules = await venue_rules(session, caller.venue_id)
    now = now_utc()
    queue = await waiting(session, venue.id)
    quotes = await _quotes(session, venue.id, rules, queue, now)
    return [entry_read(e, now, n, q) for n, (e, q) in enumerate(zip(queue, quotes, strict=True), 1)]


async def add_to_waitlist(
    session: AsyncSession, caller: Caller, data: WaitlistCreate
) -> WaitlistRead:
    """Put a walk-in party on the list with a quoted wait; 422 if no table seats it."""
    venue, rules = await venue_rules(session, caller.venue_id)
    now = now_utc()
    phone = normalise_phone(data.phone)
    queue = await waiting(session, venue.id)
    entry = WaitlistEntry(
        venue_id=venue.id,
        name=data.name,
        phone=phone,
        party_size=data.party_size,
        notes=data.notes,
        status=WaitlistStatus.WAITING,
    )
    quote = (await _quotes(session, venue.id, rules, [*queue, entry], now))[-1]
    if quote is None:
        raise Invalid(
            "no table or combination seats {party_size}",
            party_size=data.party_size,
            field="party_size",
        )
    if phone is not None:
        entry.guest_id = (await remember(session, venue.id, data.name, phone, None, [])).id
    entry.quoted_minutes = wait_minutes(quote.at, now)
    session.add(entry)
    await session.flush()
    await session.refresh(entry)
    read = entry_read(entry, now, len(queue) + 1, quote)
    events.record(session, venue.id, TOPIC, WaitlistAdded(entry=msgspec.to_builtins(read)))
    return read


async def _lock_waiting(session: AsyncSession, venue_id: int, entry_id: int) -> WaitlistEntry:
    entry = await session.get(
        WaitlistEntry, (venue_id, entry_id), with_for_update=True, populate_existing=True
    )
    if entry is None:
        raise NotFound("no waitlist entry {entry_id}", entry_id=entry_id, field="entry_id")
    if entry.status != WaitlistStatus.WAITING:
        raise Conflict(
            "waitlist entry {entry_id} is {state}",
            entry_id=entry_id,
            state=Term(entry.status),
            field="status",
        )
    return entry


async def seat_from_waitlist(
    session: AsyncSession, caller: Caller, entry_id: int, data: WaitlistSeat
) -> WaitlistRead:
    """Seat a waiting party on a free table: opens its check with the covers."""
    venue = await venues.get(session, caller.venue_id)
    now = now_utc()
    await lock_day(session, venue.id, venues.business_day(venue, now))
    entry = await _lock_waiting(session, venue.id, entry_id)
    table = await tables.lock(session, venue.id, data.table_id)
    if not table_free(table):
        raise not_free(table, "table_id")
    check = await orders.open_check_for(
        session,
        caller,
        CheckOpen(table_id=table.id, covers=entry.party_size, notes=entry.notes),
        orders.seated_waiter(caller, data.waiter_id),
    )
    entry.status = WaitlistStatus.SEATED
    entry.seated_at = entry.closed_at = now
    entry.table_id = table.id
    entry.check_id = check.id
    entry.version += 1
    await link_booked_guest(session, caller, entry.guest_id, check.id)
    read = entry_read(entry, now)
    events.record(session, venue.id, TOPIC, WaitlistSeated(entry=msgspec.to_builtins(read)))
    return read


async def cancel_waitlist(session: AsyncSession, caller: Caller, entry_id: int) -> WaitlistRead:
    """Take a waiting party off the list."""
    now = now_utc()
    entry = await _lock_waiting(session, caller.venue_id, entry_id)
    entry.status = WaitlistStatus.CANCELLED
    entry.closed_at = now
    entry.version += 1
    read = entry_read(entry, now)
    events.record(
        session, caller.venue_id, TOPIC, WaitlistCancelled(entry=msgspec.to_builtins(read))
    )
    return read


def ready_tables(
    rules: Rules, state: FloorState, queue: list[WaitlistEntry], now: dt.datetime
) -> list[tuple[int, ...] | None]:
    """Which free tables (floor status ``free``, no booking due within the party's turn) go
    to which waiting party, first come first served, best fit each."""
    pool = [s for s, t in zip(state.specs, state.tables, strict=True) if table_free(t)]
    out: list[tuple[int, ...] | None] = []
    for entry in queue:
        fit = best_fit(
            free_tables(pool, state.busy, (now, now + rules.turn(entry.party_size))),
            entry.party_size,
        )
        out.append(fit)
        if fit is not None:
            pool = [s for s in pool if s.id not in fit]
    return out


async def announce_ready(
    session: AsyncSession, venue_id: int, queue: list[WaitlistEntry], now: dt.datetime
) -> int:
    """Record ``waitlist.table_ready`` for each entry whose ready tables changed to a new set;
    ``queue`` must be locked by the caller. Returns how many were announced."""
    venue, rules = await venue_rules(session, venue_id)
    state = await load_floor(session, venue_id, rules, (now, now + HORIZON), now)
    names = {t.id: t.name for t in state.tables}
    announced = 0
    for entry, fit in zip(queue, ready_tables(rules, state, queue, now), strict=True):
        ids = None if fit is None else list(fit)
        if ids == entry.ready_table_ids:
            continue
        entry.ready_table_ids = ids
        entry.version += 1
        if ids is not None:
            announced += 1
            events.record(
                session,
                venue.id,
                TOPIC,
                WaitlistTableReady(
                    entry_id=entry.id,
                    name=entry.name,
                    party_size=entry.party_size,
                    table_ids=ids,
                    table_names=[names[i] for i in ids],
                    version=entry.version,
                ),
            )
    return announced
