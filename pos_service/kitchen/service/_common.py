"""Shared pieces of the kitchen's use cases: topics, reads and the lock order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import locks
from pos_service.core.errors import NotFound
from pos_service.kitchen.models import CheckCourse, KitchenTicket, TicketItem, TicketState
from pos_service.kitchen.schemas import CourseState, StationRead, TicketItemRead, TicketRead
from pos_service.kitchen.screen import ItemStatus, item_status
from pos_service.menu.models import Station
from pos_service.orders.models import Check

EXPO_TOPIC = "expo"
ACTIVE = (TicketState.HELD, TicketState.OPEN, TicketState.STARTED)


def station_topics(station: str) -> list[str]:
    """Where a ticket's events go: its station's screens and the pass."""
    return [f"kitchen:{station}", EXPO_TOPIC]


def status_of(i: TicketItem) -> ItemStatus:
    return item_status(i.fired_at, i.released_at, i.started_at, i.bumped_at, i.voided_at)


def item_read(i: TicketItem) -> TicketItemRead:
    return TicketItemRead(
        id=i.id,
        line_id=i.line_id,
        item_id=i.item_id,
        name=i.name,
        quantity=i.quantity,
        seat=i.seat,
        course=i.course,
        modifiers=list(i.modifiers),
        note=i.note,
        allergens=list(i.allergens),
        allergy_flags=list(i.allergy_flags),
        prep_minutes=i.prep_minutes,
        status=status_of(i),
        fired_at=i.fired_at,
        release_at=i.release_at,
        released_at=i.released_at,
        started_at=i.started_at,
        bumped_at=i.bumped_at,
        voided_at=i.voided_at,
        void_reason=i.void_reason,
    )


def ticket_read(t: KitchenTicket, station: str, items: Iterable[TicketItem]) -> TicketRead:
    return TicketRead(
        id=t.id,
        number=t.number,
        business_day=t.business_day,
        station_id=t.station_id,
        station=station,
        check_id=t.check_id,
        table_id=t.table_id,
        table=t.table_name,
        waiter_id=t.waiter_id,
        waiter=t.waiter_name,
        covers=t.covers,
        allergies=list(t.allergies),
        state=t.state,
        created_at=t.created_at,
        fired_at=t.fired_at,
        started_at=t.started_at,
        bumped_at=t.bumped_at,
        late_at=t.late_at,
        items=[item_read(i) for i in items],
        moved=t.moved,
    )


def station_read(s: Station) -> StationRead:
    return StationRead(
        id=s.id, name=s.name, kind=s.kind, warn_minutes=s.warn_minutes, late_minutes=s.late_minutes
    )


async def station_names(session: AsyncSession, venue_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(Station.id, Station.name).where(Station.venue_id == venue_id)
    )
    return {r.id: r.name for r in rows}


async def station_named(session: AsyncSession, venue_id: int, name: str) -> Station:
    station = await session.scalar(
        select(Station).where(Station.venue_id == venue_id, Station.name == name)
    )
    if station is None:
        raise NotFound("no station {name!r}", name=name, field="station")
    return station


async def items_of(
    session: AsyncSession, venue_id: int, ticket_ids: Collection[int]
) -> dict[int, list[TicketItem]]:
    found: dict[int, list[TicketItem]] = defaultdict(list)
    for item in (
        await session.execute(
            select(TicketItem)
            .where(TicketItem.venue_id == venue_id, TicketItem.ticket_id.in_(ticket_ids))
            .order_by(TicketItem.id)
            .execution_options(populate_existing=True)
        )
    ).scalars():
        found[item.ticket_id].append(item)
    return found


async def tickets_with_stations(
    session: AsyncSession, venue_id: int, ticket_ids: Collection[int]
) -> list[tuple[KitchenTicket, str]]:
    rows = await session.execute(
        select(KitchenTicket, Station.name)
        .join(
            Station,
            (Station.venue_id == KitchenTicket.venue_id) & (Station.id == KitchenTicket.station_id),
        )
        .where(KitchenTicket.venue_id == venue_id, KitchenTicket.id.in_(ticket_ids))
        .order_by(KitchenTicket.id)
        .execution_options(populate_existing=True)
    )
    return [(r[0], r[1]) for r in rows]


async def read_ticket(session: AsyncSession, ticket: KitchenTicket) -> TicketRead:
    station = await session.get(Station, (ticket.venue_id, ticket.station_id))
    assert station is not None
    items = await items_of(session, ticket.venue_id, [ticket.id])
    return ticket_read(ticket, station.name, items[ticket.id])


def course_state(row: CheckCourse | None) -> CourseState:
    """Held (not fired), fired (cooking), ready (every station bumped it), pickup (the
    pass called the waiter), served."""
    if row is None:
        return "held"
    if row.served_at is not None:
        return "served"
    if row.pickup_at is not None:
        return "pickup"
    return "fired" if row.ready_at is None else "ready"


async def lock_ticket(
    session: AsyncSession, venue_id: int, ticket_id: int
) -> tuple[KitchenTicket, Check]:
    """The ticket, locked after its check (the kitchen's lock order)."""
    ticket = await session.get(KitchenTicket, (venue_id, ticket_id))
    if ticket is None:
        raise NotFound("no ticket {ticket_id}", ticket_id=ticket_id, field="ticket_id")
    while True:
        check = await locks.row(session, locks.Lock.CHECK, Check, (venue_id, ticket.check_id))
        assert check is not None
        await session.refresh(ticket, with_for_update=True)
        if ticket.check_id == check.id:  # else a merge moved it meanwhile
            return ticket, check
