"""Routing a send to its stations, and a void reaching the line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import msgspec
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.kitchen import courses as pacing
from pos_service.kitchen import printouts
from pos_service.kitchen.events import KitchenAlert, TicketCreated, TicketItemVoided
from pos_service.kitchen.models import CheckCourse, KitchenTicket, TicketItem, TicketState
from pos_service.kitchen.service._common import (
    station_names,
    station_topics,
    ticket_read,
    tickets_with_stations,
)
from pos_service.kitchen.service._courses import complete_courses, mark_fired
from pos_service.menu.models import Item
from pos_service.orders import service as orders
from pos_service.orders.models import Check, CheckLine
from pos_service.orders.schemas import CheckRead, CheckWrite, VoidRequest
from pos_service.staff.models import Staff
from pos_service.stock import service as stock
from pos_service.tables.models import DiningTable
from pos_service.venues import service as venues


async def send(session: AsyncSession, caller: Caller, check_id: int, data: CheckWrite) -> CheckRead:
    """Send the pending lines: orders marks them sent (and counts down 86 items), stock
    takes what their recipes use, then each station gets one ticket with its lines;
    courses not due yet are held on it."""
    check, lines = await orders.send(session, caller, check_id, data)
    await stock.consume(session, caller, check.id, lines)
    routed = [line for line in lines if line.station_id is not None]
    if routed:
        await _route(session, caller.venue_id, check, routed)
    return await orders.check_read(session, check)


async def _table_and_waiter(
    session: AsyncSession, venue_id: int, check: Check
) -> tuple[str | None, str]:
    """The table's name and the waiter's, from the floor's copy of the open check."""
    table = None
    if check.table_id is not None:
        table = await session.get(DiningTable, (venue_id, check.table_id))
        if table is not None and table.open_check:
            return table.name, str(table.open_check["waiter"])
    waiter = await session.scalar(
        select(Staff.name).where(Staff.venue_id == venue_id, Staff.id == check.waiter_id)
    )
    return (table.name if table else None), waiter or ""


def _item_row(
    line: CheckLine,
    check: Check,
    menu: Mapping[int, Any],
    releases: dict[int, dt.datetime],
    at: dt.datetime,
) -> dict[str, Any]:
    allergens = list(menu[line.item_id].allergens)
    lowered = {a.casefold() for a in allergens}
    release_at = releases.get(line.id)
    return {
        "venue_id": line.venue_id,
        "check_id": check.id,
        "station_id": line.station_id,
        "line_id": line.id,
        "item_id": line.item_id,
        "name": line.name,
        "quantity": line.quantity,
        "seat": line.seat,
        "course": line.course,
        "modifiers": [m["name"] for m in line.modifiers],
        "note": line.note,
        "allergens": allergens,
        "allergy_flags": [a for a in check.allergies if a.casefold() in lowered],
        "prep_minutes": menu[line.item_id].prep_minutes,
        "fired_at": at if release_at is not None else None,
        "release_at": release_at,
        "released_at": at if release_at == at else None,
        "started_at": None,
        "bumped_at": None,
        "voided_at": None,
        "void_reason": None,
    }


def _ticket_row(
    check: Check,
    station_id: int,
    number: int,
    day: dt.date,
    names: tuple[str | None, str],
    *,
    fired: bool,
    at: dt.datetime,
) -> dict[str, Any]:
    """A new ticket: ``open`` with its timer running if anything on it fired, else held."""
    return {
        "venue_id": check.venue_id,
        "check_id": check.id,
        "station_id": station_id,
        "business_day": day,
        "number": number,
        "table_id": check.table_id,
        "table_name": names[0],
        "waiter_id": check.waiter_id,
        "waiter_name": names[1],
        "covers": check.covers,
        "allergies": list(check.allergies),
        "state": TicketState.OPEN if fired else TicketState.HELD,
        "created_at": at,
        "fired_at": at if fired else None,
        "started_at": None,
        "bumped_at": None,
        "late_at": None,
    }


async def _route(
    session: AsyncSession, venue_id: int, check: Check, lines: list[CheckLine]
) -> None:
    """One ticket per station with its items; the send's due courses fire on it."""
    at = lines[0].sent_at
    assert at is not None
    venue = await venues.get(session, venue_id)
    menu = {
        r.id: r
        for r in await session.execute(
            select(Item.id, Item.allergens, Item.prep_minutes).where(
                Item.venue_id == venue_id, Item.id.in_({line.item_id for line in lines})
            )
        )
    }
    fired = set(
        (
            await session.execute(
                select(CheckCourse.course).where(
                    CheckCourse.venue_id == venue_id, CheckCourse.check_id == check.id
                )
            )
        ).scalars()
    )
    immediate = pacing.fire_on_send(venue.courses, venue.settings)
    firing = pacing.firing_on_send(venue.courses, immediate, fired, {line.course for line in lines})
    releases: dict[int, dt.datetime] = {}
    for course in firing:
        preps = {
            line.id: menu[line.item_id].prep_minutes for line in lines if line.course == course
        }
        releases |= pacing.release_times(at, preps)
    items = [_item_row(line, check, menu, releases, at) for line in lines]
    table_name, waiter = await _table_and_waiter(session, venue_id, check)
    station_ids = sorted({i["station_id"] for i in items})
    names = await station_names(session, venue_id)
    day = venues.business_day(venue, at)
    last = await events.next_value(session, venue_id, f"ticket:{day}", len(station_ids))
    first = last - len(station_ids) + 1
    tickets = {
        station_id: _ticket_row(
            check,
            station_id,
            first + n,
            day,
            (table_name, waiter),
            fired=any(i["fired_at"] for i in items if i["station_id"] == station_id),
            at=at,
        )
        for n, station_id in enumerate(station_ids)
    }
    ticket_ids = {
        r.station_id: r.id
        for r in await session.execute(
            insert(KitchenTicket).returning(KitchenTicket.id, KitchenTicket.station_id),
            list(tickets.values()),
            execution_options={"render_nulls": True},  # one batch, not one per None pattern
        )
    }
    for item in items:
        item["ticket_id"] = ticket_ids[item["station_id"]]
    item_ids = {
        r.line_id: r.id
        for r in await session.execute(
            insert(TicketItem).returning(TicketItem.id, TicketItem.line_id),
            items,
            execution_options={"render_nulls": True},
        )
    }
    if firing:
        await mark_fired(session, venue_id, check.id, firing, at)
    for station_id, row in tickets.items():
        ticket = KitchenTicket(id=ticket_ids[station_id], **row)
        on_it = [
            TicketItem(id=item_ids[i["line_id"]], **i)
            for i in items
            if i["station_id"] == station_id
        ]
        events.record(
            session,
            venue_id,
            station_topics(names[station_id]),
            TicketCreated(
                ticket=msgspec.to_builtins(ticket_read(ticket, names[station_id], on_it))
            ),
        )
        await printouts.print_new(session, ticket, names[station_id], on_it, at)


async def void_line(
    session: AsyncSession, caller: Caller, check_id: int, line_id: int, data: VoidRequest
) -> CheckRead:
    """Void a line (orders' rules and approval); if the kitchen has it, its ticket item is
    struck through with VOID and the station is alerted, in the same transaction."""
    read = await orders.void_line(session, caller, check_id, line_id, data)
    at = next(line.voided_at for line in read.lines if line.id == line_id)
    assert at is not None
    voided = (
        await session.execute(
            update(TicketItem)
            .where(
                TicketItem.venue_id == caller.venue_id,
                TicketItem.line_id == line_id,
                TicketItem.voided_at.is_(None),
            )
            .values(voided_at=at, void_reason=data.reason)
            .returning(
                TicketItem.id,
                TicketItem.ticket_id,
                TicketItem.name,
                TicketItem.quantity,
                TicketItem.course,
            )
        )
    ).all()
    if not voided:
        return read
    struck = await printouts.items_by_id(session, caller.venue_id, [r.id for r in voided])
    for ticket, station in await tickets_with_stations(
        session, caller.venue_id, {r.ticket_id for r in voided}
    ):
        await printouts.print_void(
            session, ticket, station, [i for i in struck if i.ticket_id == ticket.id], at
        )
        for r in (r for r in voided if r.ticket_id == ticket.id):
            events.record(
                session,
                caller.venue_id,
                station_topics(station),
                TicketItemVoided(
                    ticket_id=ticket.id,
                    number=ticket.number,
                    station=station,
                    table=ticket.table_name,
                    item_id=r.id,
                    line_id=line_id,
                    name=r.name,
                    quantity=r.quantity,
                    reason=data.reason,
                    voided_at=at,
                ),
            )
            events.record(
                session,
                caller.venue_id,
                station_topics(station),
                KitchenAlert(
                    kind="void",
                    station=station,
                    ticket_id=ticket.id,
                    number=ticket.number,
                    table=ticket.table_name,
                    message=f"VOID {r.quantity} x {r.name} (#{ticket.number}): {data.reason}",
                ),
            )
    check = await session.get(Check, (caller.venue_id, check_id))
    assert check is not None
    venue = await venues.get(session, caller.venue_id)
    await complete_courses(session, venue, check, {r.course for r in voided}, at)
    return read
