"""A check moving (transfer) or merged into another: its kitchen work goes with it.

Tickets, their items and the check's fired courses follow the check, so that a held
course of a merged check is fired from the check it was merged into; each live ticket's
screen and printer are told where it went ("moved to table 5", "merged into 12").
"""

from __future__ import annotations

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.kitchen import printouts
from pos_service.kitchen.events import TicketMoved
from pos_service.kitchen.models import KitchenTicket, TicketItem, TicketState
from pos_service.kitchen.service._common import station_topics, tickets_with_stations
from pos_service.orders import service as orders
from pos_service.orders.schemas import CheckRead, MergeRequest, TransferRequest
from pos_service.tables.models import DiningTable

_COURSES = text(
    """
WITH gone AS (
    DELETE FROM kitchen_courses WHERE venue_id = :v AND check_id = :old
    RETURNING course, fired_at, ready_at)
INSERT INTO kitchen_courses (venue_id, check_id, course, fired_at, ready_at)
SELECT :v, :new, course, fired_at, ready_at FROM gone
ON CONFLICT (venue_id, check_id, course) DO UPDATE
SET ready_at = CASE WHEN kitchen_courses.ready_at IS NULL OR excluded.ready_at IS NULL
                    THEN NULL ELSE greatest(kitchen_courses.ready_at, excluded.ready_at) END
"""
)


async def transfer(
    session: AsyncSession, caller: Caller, check_id: int, data: TransferRequest
) -> CheckRead:
    """Move a check to another table (``orders``); its tickets say so."""
    read = await orders.transfer(session, caller, check_id, data)
    table = await _table_name(session, caller.venue_id, read.table_id)
    await _carry(session, caller.venue_id, check_id, read, f"moved to table {table}")
    return read


async def merge(
    session: AsyncSession, caller: Caller, check_id: int, data: MergeRequest
) -> CheckRead:
    """Merge another check into this one (``orders``); its tickets, items and courses
    come along, and the tickets say where they went."""
    read = await orders.merge(session, caller, check_id, data)
    table = await _table_name(session, caller.venue_id, read.table_id)
    await session.execute(
        update(TicketItem)
        .where(TicketItem.venue_id == caller.venue_id, TicketItem.check_id == data.check_id)
        .values(check_id=check_id)
    )
    await session.execute(_COURSES, {"v": caller.venue_id, "old": data.check_id, "new": check_id})
    await _carry(session, caller.venue_id, data.check_id, read, f"merged into {table}")
    return read


async def _table_name(session: AsyncSession, venue_id: int, table_id: int | None) -> str:
    if table_id is None:
        return "-"
    table = await session.get(DiningTable, (venue_id, table_id))
    return table.name if table is not None else str(table_id)


async def _carry(
    session: AsyncSession, venue_id: int, from_check: int, to: CheckRead, note: str
) -> None:
    """Point the tickets of ``from_check`` at ``to`` and its table; tell the live ones."""
    table = None if to.table_id is None else await _table_name(session, venue_id, to.table_id)
    moved = list(
        (
            await session.execute(
                select(KitchenTicket)
                .where(KitchenTicket.venue_id == venue_id, KitchenTicket.check_id == from_check)
                .order_by(KitchenTicket.id)
                .with_for_update()
            )
        ).scalars()
    )
    if not moved:
        return
    at = now_utc()
    for ticket in moved:
        ticket.check_id = to.id
        ticket.table_id = to.table_id
        ticket.table_name = table
        if ticket.state != TicketState.BUMPED:
            ticket.moved = note
    await session.flush()
    live = {t.id for t in moved if t.state != TicketState.BUMPED}
    if not live:
        return
    items = list(
        (
            await session.execute(
                select(TicketItem)
                .where(
                    TicketItem.venue_id == venue_id,
                    TicketItem.ticket_id.in_(live),
                    TicketItem.voided_at.is_(None),
                    TicketItem.bumped_at.is_(None),
                )
                .order_by(TicketItem.id)
            )
        ).scalars()
    )
    for ticket, station in await tickets_with_stations(session, venue_id, live):
        await printouts.print_moved(
            session, ticket, station, [i for i in items if i.ticket_id == ticket.id], note, at
        )
        events.record(
            session,
            venue_id,
            station_topics(station),
            TicketMoved(
                ticket_id=ticket.id,
                number=ticket.number,
                station=station,
                check_id=to.id,
                table_id=to.table_id,
                table=table,
                moved=note,
            ),
        )
