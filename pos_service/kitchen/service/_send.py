"""The send to the kitchen (tickets, print jobs, held courses), and a void reaching the line."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events, locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict
from pos_service.core.tx import Tx
from pos_service.kitchen import courses as pacing
from pos_service.kitchen import printouts
from pos_service.kitchen.events import KitchenAlert, TicketCreated, TicketItemVoided
from pos_service.kitchen.models import TicketItem, TicketState
from pos_service.kitchen.schemas import TicketItemRead, TicketRead
from pos_service.kitchen.screen import item_status
from pos_service.kitchen.service._common import station_topics, tickets_with_stations
from pos_service.kitchen.service._courses import complete_courses
from pos_service.orders import service as orders
from pos_service.orders.events import OrderSent
from pos_service.orders.models import Check, CheckStatus, LineState
from pos_service.orders.schemas import CheckRead, CheckWrite, LineRead, VoidRequest
from pos_service.printing import service as printing
from pos_service.printing.models import DocumentType, JobKind
from pos_service.stock import service as stock
from pos_service.tables import service as tables
from pos_service.tables.models import TableStatus
from pos_service.takeaway import pickup
from pos_service.venues import service as venues


class MenuFacts(msgspec.Struct):
    id: int
    allergens: list[str]
    prep_minutes: int
    counted: bool
    recipe: bool


class _VenueFacts(msgspec.Struct):
    name: str
    courses: list[str]
    settings: dict[str, Any]


class _TableFacts(msgspec.Struct):
    name: str
    status: str
    waiter: str | None


class Opened(msgspec.Struct):
    """What ``kitchen_send_open`` read, with the row ids it took."""

    check: CheckRead
    lines: list[LineRead]
    menu: list[MenuFacts]
    venue: _VenueFacts
    business_day: dt.date
    ticket_ids: list[int]
    item_ids: list[int]
    fired: list[str]
    table: _TableFacts | None
    waiter: str | None
    stations: dict[int, str]


class _Printed(msgspec.Struct):
    """A ticket's print document as its jobs store it: without its number, which the
    database gives the jobs from their ticket (``printing.stored``)."""

    ticket_id: int
    station_id: int
    document: dict[str, Any]


class Write(msgspec.Struct):
    """What ``kitchen_send_write`` writes (the tickets numbered 1..n, their place in the
    send: the database gives them the venue's next numbers)."""

    at: dt.datetime
    business_day: dt.date
    line_ids: list[int]
    tickets: list[TicketRead]
    firing: list[str]
    documents: list[_Printed]


OPENED = msgspec.json.Decoder(Opened)


class Written(msgspec.Struct):
    """What ``kitchen_send_write`` returns: the tickets' numbers by id, the jobs queued."""

    numbers: dict[int, int]
    jobs: list[printing.Queued]


WRITTEN = msgspec.json.Decoder(Written)
OPEN = "SELECT kitchen_send_open($1, $2, $3, $4, $5, $6)"
# The states the functions compare and write, from the enums (migration 0041).
OPEN_STATES = (CheckStatus.OPEN.value, LineState.PENDING.value)
WRITE = "SELECT kitchen_send_write($1, $2, ($3::text)::jsonb, $4, $5, $6)"
WRITE_STATES = (LineState.SENT.value, JobKind.TICKET.value, DocumentType.KITCHEN_TICKET.value)
TAKEAWAY = "SELECT true FROM takeaway_orders WHERE venue_id = $1 AND check_id = $2"


async def send(tx: Tx, caller: Caller, check_id: int, data: CheckWrite) -> CheckRead:
    """Send the pending lines: they are marked sent (86 items counted down), stock takes
    what their recipes use, and each station gets one ticket with its lines, printed on
    its printers; courses not due yet are held on it.

    A lean write (``core.tx``): two round trips do the work (``kitchen_send_open`` and
    ``kitchen_send_write``, see migrations 0008, 0039 and 0041) on the plain pool's connection.
    The database numbers the tickets, once, and gives their print jobs the same numbers
    (the paper is rendered when a job is claimed). The rare branches (a refused send, a
    host-seated check, counted items, recipes, a table's first order) use the ORM, so
    they run with a session (``tx.orm()``).
    """
    venue_id = caller.venue_id
    at = now_utc()
    db = tx.conn
    locks.taken(tx, locks.Lock.CHECK)
    raw = await db.fetchval(OPEN, venue_id, check_id, data.version, at, *OPEN_STATES)
    if raw is None:  # missing, not open or stale: the general path says which
        await orders.load_for_write(tx.orm(), venue_id, check_id, data.version)
        raise Conflict("check {check_id} changed", check_id=check_id, field="check_id")
    opened = OPENED.decode(raw)
    check = opened.check
    pending = [line for line in opened.lines if line.state == LineState.PENDING]
    if not pending:
        raise Conflict("nothing to send", field="check_id")
    menu = {m.id: m for m in opened.menu}
    if check.waiter_id is None:  # unassigned (seated by a host): the sender serves it
        session = tx.orm()
        locked = await orders.load_for_write(session, venue_id, check_id, None)
        await orders.claim(session, caller, locked)
        check = msgspec.structs.replace(check, waiter_id=locked.waiter_id)
        opened = msgspec.structs.replace(opened, check=check, waiter=caller.name)
    if any(menu[line.item_id].counted for line in pending):
        await orders.count_down(tx.orm(), venue_id, pending)
    hold: bool | None = None
    if check.table_id is None and await db.fetchval(TAKEAWAY, venue_id, check.id):
        # a takeaway order is held until pickup minus prep time
        session = tx.orm()
        order = await pickup.for_check(session, venue_id, check.id)
        if order is not None:
            routed = [menu[line.item_id].prep_minutes for line in pending if line.station_id]
            hold = await pickup.on_send(session, order, max(routed, default=0), at)
            name = await pickup.label(session, order)
            opened = msgspec.structs.replace(opened, table=_TableFacts(name, "", None))
    write = plan(opened, pending, menu, at, takeaway=hold)
    tickets = write.tickets
    if check.table_id is not None and (
        opened.table is None or opened.table.status != TableStatus.ORDERED
    ):
        await tables.set_state(tx.orm(), venue_id, check.table_id, TableStatus.ORDERED)
    if any(menu[line.item_id].recipe for line in pending):
        await stock.consume(tx.orm(), caller, check.id, write.line_ids)
    await tx.before_counters()  # kitchen_send_write takes the ticket counter
    written = WRITTEN.decode(
        await db.fetchval(
            WRITE, venue_id, check_id, msgspec.json.encode(write).decode(), *WRITE_STATES
        )
    )
    tickets = [msgspec.structs.replace(t, number=written.numbers[t.id]) for t in tickets]
    version = check.version + 1
    sent = {line.id for line in pending}
    lines = [
        msgspec.structs.replace(line, state=LineState.SENT, sent_at=at) if line.id in sent else line
        for line in opened.lines
    ]
    events.record(
        tx,
        venue_id,
        orders.topics(check.id),
        OrderSent(
            check_id=check.id,
            table_id=check.table_id,
            version=version,
            line_ids=write.line_ids,
            lines=[msgspec.to_builtins(line) for line in lines if line.id in sent],
        ),
    )
    earlier = any(line.state != LineState.PENDING and line.station_id for line in opened.lines)
    for ticket in tickets:
        events.record(
            tx,
            venue_id,
            station_topics(ticket.station),
            TicketCreated(ticket=msgspec.to_builtins(ticket), earlier_tickets=earlier),
        )
        printing.record_queued(
            tx,
            venue_id,
            [q for q in written.jobs if q.station_id == ticket.station_id],
            JobKind.TICKET,
        )
    return msgspec.structs.replace(
        check,
        version=version,
        lines=lines,
        subtotal=sum(line.amount for line in lines if line.state != LineState.VOIDED),
    )


def plan(
    opened: Opened,
    pending: list[LineRead],
    menu: dict[int, MenuFacts],
    at: dt.datetime,
    *,
    takeaway: bool | None = None,
) -> Write:
    """What ``kitchen_send_write`` is to write for the ``pending`` lines: pure, no I/O.
    ``takeaway``: None for a table's check (its courses paced), True to hold a takeaway
    order's lines whole, False to fire them all now, to come up together."""
    tickets, firing = _tickets(opened, pending, menu, at, takeaway)
    return Write(
        at=at,
        business_day=opened.business_day,
        line_ids=[line.id for line in pending],
        tickets=tickets,
        firing=sorted(firing),
        documents=[
            _Printed(
                t.id,
                t.station_id,
                printing.stored(
                    printouts.paper(
                        opened.venue.name,
                        t.station,
                        t.number,
                        (t.table, t.waiter, t.covers, t.allergies),
                        t.items,
                        kind="new",
                        at=at,
                    )
                )[1],
            )
            for t in tickets
        ],
    )


def flags(table: list[str], contained: list[str], own: list[str]) -> list[str]:
    """An item's allergy flags: the table's allergens the dish contains, then those
    the line itself carries (a guest's at that seat), each once."""
    found = [a for a in table if a in contained]
    return [*found, *(a for a in own if a not in found)]


def _firing(
    opened: Opened,
    routed: list[LineRead],
    menu: dict[int, MenuFacts],
    at: dt.datetime,
    takeaway: bool | None,
) -> tuple[set[str], dict[int, dt.datetime]]:
    """The courses that fire now and when each of their items is released: a table's by
    its courses' pacing, each course coming up together; a takeaway order whole, held or
    all at once (coming up together)."""
    if takeaway is not None:
        if takeaway:
            return set(), {}
        preps = {line.id: menu[line.item_id].prep_minutes for line in routed}
        return {line.course for line in routed}, pacing.release_times(at, preps)
    immediate = pacing.fire_on_send(opened.venue.courses, opened.venue.settings)
    firing = pacing.firing_on_send(
        opened.venue.courses, immediate, opened.fired, {line.course for line in routed}
    )
    releases: dict[int, dt.datetime] = {}
    for course in firing:
        preps = {
            line.id: menu[line.item_id].prep_minutes for line in routed if line.course == course
        }
        releases |= pacing.release_times(at, preps)
    return firing, releases


def _tickets(
    opened: Opened,
    pending: list[LineRead],
    menu: dict[int, MenuFacts],
    at: dt.datetime,
    takeaway: bool | None = None,
) -> tuple[list[TicketRead], set[str]]:
    """One ticket per station of the routed lines, with the ids taken and numbered 1..n
    (``kitchen_send_write`` gives them the venue's next numbers); the courses that fire
    now (their items are released so that all come up together)."""
    routed = [line for line in pending if line.station_id is not None]
    firing, releases = _firing(opened, routed, menu, at, takeaway)
    check = opened.check
    item_ids = iter(opened.item_ids)
    by_station: dict[int, list[TicketItemRead]] = {}
    for line in routed:
        facts = menu[line.item_id]
        release_at = releases.get(line.id)
        fired_at = at if release_at is not None else None
        released_at = at if release_at == at else None
        assert line.station_id is not None
        by_station.setdefault(line.station_id, []).append(
            TicketItemRead(
                id=next(item_ids),
                line_id=line.id,
                item_id=line.item_id,
                name=line.name,
                quantity=line.quantity,
                seat=line.seat,
                course=line.course,
                modifiers=[m.name for m in line.modifiers],
                note=line.note,
                allergens=list(facts.allergens),
                allergy_flags=flags(check.allergens, facts.allergens, line.allergens),
                prep_minutes=facts.prep_minutes,
                status=item_status(fired_at, released_at, None, None, None),
                fired_at=fired_at,
                release_at=release_at,
                released_at=released_at,
                started_at=None,
                bumped_at=None,
                voided_at=None,
                void_reason=None,
            )
        )
    table = opened.table
    waiter = (table.waiter if table is not None else None) or opened.waiter or ""
    tickets = []
    for n, (station_id, ticket_id) in enumerate(
        zip(sorted(by_station), opened.ticket_ids, strict=True)
    ):
        items = by_station[station_id]
        fired = any(i.fired_at is not None for i in items)
        tickets.append(
            TicketRead(
                id=ticket_id,
                number=n + 1,
                business_day=opened.business_day,
                station_id=station_id,
                station=opened.stations[station_id],
                check_id=check.id,
                table_id=check.table_id,
                table=table.name if table is not None else None,
                waiter_id=check.waiter_id or 0,
                waiter=waiter,
                covers=check.covers,
                allergies=orders.band(check.allergens, check.allergy_note),
                state=TicketState.OPEN if fired else TicketState.HELD,
                created_at=at,
                fired_at=at if fired else None,
                started_at=None,
                bumped_at=None,
                late_at=None,
                items=items,
            )
        )
    return tickets, firing


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
