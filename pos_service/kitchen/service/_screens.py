"""The station screens' operations: start, bump, recall, the ticket list, stations."""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound, Term
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.core.tx import Tx
from pos_service.kitchen.events import TicketRecalled
from pos_service.kitchen.models import CheckCourse, KitchenTicket, TicketState
from pos_service.kitchen.schemas import (
    RecallRequest,
    StationPatch,
    StationRead,
    TicketRead,
    TicketsRead,
)
from pos_service.kitchen.service import _lean, _rules
from pos_service.kitchen.service._common import (
    ACTIVE,
    items_of,
    lock_ticket,
    read_ticket,
    station_named,
    station_read,
    station_topics,
    ticket_read,
)
from pos_service.menu.models import Station
from pos_service.venues import service as venues


async def start(
    tx: Tx, caller: Caller, ticket_id: int, now: dt.datetime | None = None
) -> TicketRead:
    """A cook starts the ticket: its released items are started, its timer stays.

    A lean write (``core.tx``), like :func:`bump`."""
    now = now or now_utc()
    work = await _lean.open_ticket(tx, caller.venue_id, ticket_id)
    _rules.start(work, ticket_id, now)
    await _lean.commit(tx, work, now)
    return _rules.ticket_answer(work, ticket_id)


async def bump(
    tx: Tx, caller: Caller, ticket_id: int, now: dt.datetime | None = None
) -> TicketRead:
    """Bump the ticket: every fired item on it is done. It leaves the screen, or stays
    greyed as held when a later course is still held on it; the courses it completed
    are ready (and the next one fires if the venue wants it).

    A lean write (``core.tx``): the check and the ticket locked and the check's kitchen
    read in one round trip (``kitchen_open``), the changes written in another
    (``kitchen_write``, migration 0037). A takeaway order that is now ready is marked
    through the ORM (``tx.orm()``)."""
    now = now or now_utc()
    work = await _lean.open_ticket(tx, caller.venue_id, ticket_id)
    _rules.bump(work, ticket_id, now)
    await _lean.commit(tx, work, now)
    return _rules.ticket_answer(work, ticket_id)


async def bump_item(
    tx: Tx,
    caller: Caller,
    ticket_id: int,
    item_id: int,
    now: dt.datetime | None = None,
) -> TicketRead:
    """Bump one item; the ticket is bumped with its last live item. A lean write, like
    :func:`bump`."""
    now = now or now_utc()
    work = await _lean.open_ticket(tx, caller.venue_id, ticket_id)
    _rules.bump_item(work, ticket_id, item_id, now)
    await _lean.commit(tx, work, now)
    return _rules.ticket_answer(work, ticket_id)


async def recall(session: AsyncSession, caller: Caller, ticket_id: int) -> TicketRead:
    """Bring a bumped ticket back with the items its bump closed (409 if not bumped)."""
    ticket, _ = await lock_ticket(session, caller.venue_id, ticket_id)
    if ticket.state != TicketState.BUMPED:
        raise Conflict(
            "ticket {number} is {state}",
            number=ticket.number,
            state=Term(ticket.state),
            field="ticket_id",
        )
    items = (await items_of(session, caller.venue_id, [ticket.id]))[ticket.id]
    back = [i for i in items if i.bumped_at == ticket.bumped_at and i.voided_at is None]
    for i in back:
        i.bumped_at = None
    ticket.state = TicketState.STARTED if ticket.started_at else TicketState.OPEN
    ticket.bumped_at = None
    await session.execute(
        update(CheckCourse)
        .where(
            CheckCourse.venue_id == caller.venue_id,
            CheckCourse.check_id == ticket.check_id,
            CheckCourse.course.in_({i.course for i in back}),
        )
        .values(ready_at=None)
    )
    read = await read_ticket(session, ticket)
    events.record(
        session,
        caller.venue_id,
        station_topics(read.station),
        TicketRecalled(
            ticket_id=ticket.id,
            number=ticket.number,
            station=read.station,
            state=ticket.state,
            item_ids=[i.id for i in back],
            ticket=msgspec.to_builtins(read),
        ),
    )
    return read


async def recall_last(session: AsyncSession, caller: Caller, data: RecallRequest) -> TicketRead:
    """Bring back the station's most recently bumped ticket (the bump bar's recall key)."""
    station = await station_named(session, caller.venue_id, data.station)
    last = await session.scalar(
        select(KitchenTicket.id)
        .where(
            KitchenTicket.venue_id == caller.venue_id,
            KitchenTicket.station_id == station.id,
            KitchenTicket.state == TicketState.BUMPED,
        )
        .order_by(KitchenTicket.bumped_at.desc(), KitchenTicket.id.desc())
        .limit(1)
    )
    if last is None:
        raise NotFound("no bumped ticket at {station}", station=station.name, field="station")
    return await recall(session, caller, last)


async def list_tickets(
    session: AsyncSession,
    caller: Caller,
    station: str | None = None,
    state: str | None = None,
    now: dt.datetime | None = None,
) -> TicketsRead:
    """A screen's tickets: by default the live ones (held, open, started); ``state`` may
    name one of those, ``bumped`` (today's) or ``all`` (live and today's bumped)."""
    now = now or now_utc()
    venue_id = caller.venue_id
    today = venues.business_day(await venues.get(session, venue_id), now)
    query = select(KitchenTicket).where(KitchenTicket.venue_id == venue_id)
    if station is not None:
        found = await station_named(session, venue_id, station)
        query = query.where(KitchenTicket.station_id == found.id)
    bumped_today = (KitchenTicket.state == TicketState.BUMPED) & (
        KitchenTicket.business_day == today
    )
    if state is None:
        query = query.where(KitchenTicket.state.in_(ACTIVE))
    elif state == "all":
        query = query.where(or_(KitchenTicket.state.in_(ACTIVE), bumped_today))
    elif state == TicketState.BUMPED:
        query = query.where(bumped_today)
    elif state in ACTIVE:
        query = query.where(KitchenTicket.state == state)
    else:
        raise Invalid("unknown state {state!r}", state=state, field="state")
    tickets = list((await session.execute(query.order_by(KitchenTicket.id))).scalars())
    items = await items_of(session, venue_id, [t.id for t in tickets])
    stations = list(
        (
            await session.execute(
                select(Station).where(Station.venue_id == venue_id).order_by(Station.id)
            )
        ).scalars()
    )
    names = {s.id: s.name for s in stations}
    return TicketsRead(
        at=now,
        stations=[station_read(s) for s in stations],
        tickets=[ticket_read(t, names[t.station_id], items[t.id]) for t in tickets],
    )


async def list_stations(session: AsyncSession, caller: Caller) -> list[StationRead]:
    """The venue's stations with their timer thresholds."""
    rows = await session.execute(
        select(Station).where(Station.venue_id == caller.venue_id).order_by(Station.id)
    )
    return [station_read(s) for s in rows.scalars()]


async def patch_station(
    session: AsyncSession, caller: Caller, station_id: int, data: StationPatch
) -> StationRead:
    """Change a station's warn and late thresholds (minutes since a ticket was fired)."""
    station = await session.get(Station, (caller.venue_id, station_id), with_for_update=True)
    if station is None:
        raise NotFound("no station {station_id}", station_id=station_id, field="station_id")
    if data.warn_minutes is not UNSET:
        station.warn_minutes = data.warn_minutes
    if data.late_minutes is not UNSET:
        station.late_minutes = data.late_minutes
    if station.late_minutes <= station.warn_minutes:
        raise Invalid("late_minutes must be more than warn_minutes", field="late_minutes")
    return station_read(station)
