"""Paper for the kitchen: every ticket, fire and void also goes to its station's printer.

The print jobs are queued in the transaction of the change (``printing.service``), so a
ticket that reached a screen is also on the printer's queue, and none is queued for a
change that rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.kitchen.models import KitchenTicket, TicketItem
from pos_service.kitchen.schemas import TicketItemRead
from pos_service.printing import service as printing
from pos_service.venues import service as venues
from printers import documents


def _item(item: TicketItem | TicketItemRead, *, voided: bool = False) -> documents.TicketItem:
    return documents.TicketItem(
        quantity=item.quantity,
        name=item.name,
        seat=item.seat,
        course=item.course,
        modifiers=list(item.modifiers),
        note=item.note,
        allergens=list(item.allergy_flags),  # what this table must avoid, not the menu's list
        voided=voided,
    )


async def _document(
    session: AsyncSession,
    ticket: KitchenTicket,
    station: str,
    items: Iterable[TicketItem],
    *,
    kind: str,
    at: dt.datetime,
    course: str | None = None,
    note: str | None = None,
) -> documents.KitchenTicket:
    venue = await venues.get(session, ticket.venue_id)
    return paper(
        venue.name,
        station,
        ticket.number,
        (ticket.table_name, ticket.waiter_name, ticket.covers, ticket.allergies),
        items,
        kind=kind,
        at=at,
        course=course,
        note=note,
    )


def paper(
    venue: str,
    station: str,
    number: int,
    header: tuple[str | None, str, int, Iterable[str]],
    items: Iterable[TicketItem | TicketItemRead],
    *,
    kind: str,
    at: dt.datetime,
    course: str | None = None,
    note: str | None = None,
) -> documents.KitchenTicket:
    """The printed ticket: ``header`` is the table, waiter, covers and allergies; a new
    ticket notes its held courses."""
    table, waiter, covers, allergies = header
    shown = list(items)
    held = sorted({i.course for i in shown if i.fired_at is None}) if kind == "new" else []
    return documents.KitchenTicket(
        venue=venue,
        station=station,
        ticket_number=number,
        table=table or "-",
        waiter=waiter,
        covers=covers,
        created_at=at,
        items=[_item(i, voided=kind == "void") for i in shown],
        allergies=list(allergies),
        notes=[note] if note else [],
        held=[] if note else held,
        kind=kind if kind in ("void", "fire", "moved") else "new",  # type: ignore[arg-type]
        course_fired=course,
    )


async def print_fire(
    session: AsyncSession,
    ticket: KitchenTicket,
    station: str,
    items: Iterable[TicketItem],
    course: str,
    at: dt.datetime,
) -> None:
    """Queue a FIRE slip for a held course that has now been fired."""
    doc = await _document(session, ticket, station, items, kind="fire", at=at, course=course)
    await printing.enqueue_ticket(session, ticket.venue_id, ticket.station_id, doc)


async def print_moved(
    session: AsyncSession,
    ticket: KitchenTicket,
    station: str,
    items: Iterable[TicketItem],
    note: str,
    at: dt.datetime,
) -> None:
    """Queue a slip saying where a live ticket's check went (``"moved to table 5"``)."""
    doc = await _document(session, ticket, station, items, kind="moved", at=at, note=note)
    await printing.enqueue_ticket(session, ticket.venue_id, ticket.station_id, doc)


async def print_void(
    session: AsyncSession,
    ticket: KitchenTicket,
    station: str,
    items: Iterable[TicketItem],
    at: dt.datetime,
) -> None:
    """Queue a VOID ticket for items struck off after send."""
    doc = await _document(session, ticket, station, items, kind="void", at=at)
    await printing.enqueue_void(session, ticket.venue_id, ticket.station_id, doc)


async def items_by_id(session: AsyncSession, venue_id: int, ids: Iterable[int]) -> list[TicketItem]:
    """The ticket items with these ids, in id order."""
    return list(
        (
            await session.execute(
                select(TicketItem)
                .where(TicketItem.venue_id == venue_id, TicketItem.id.in_(list(ids)))
                .order_by(TicketItem.id)
            )
        ).scalars()
    )
