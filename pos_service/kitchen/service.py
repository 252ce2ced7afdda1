"""The kitchen's use cases: routing a send to its stations, pacing courses, the screens'
operations, voids reaching the line, timers, the pass and the counts.

Locking (see docs/kitchen.md): every kitchen write locks the check row first (the send,
fire and void through ``orders.load_for_write``; the screens' operations directly),
then the rows of its tickets. All writes of one check are serialised, which is what lets
"is every station's item of this course bumped?" be answered exactly once. The
scheduled tasks claim rows with ``FOR UPDATE SKIP LOCKED`` and never wait.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Literal

import msgspec
from sqlalchemy import insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.kitchen import courses as pacing
from pos_service.kitchen.events import (
    CourseFired,
    CourseReady,
    KitchenAlert,
    TicketBumped,
    TicketCreated,
    TicketFired,
    TicketItemBumped,
    TicketItemReleased,
    TicketItemVoided,
    TicketLate,
    TicketRecalled,
    TicketStarted,
)
from pos_service.kitchen.models import CheckCourse, KitchenTicket, TicketItem, TicketState
from pos_service.kitchen.schemas import (
    AllDayItem,
    AllDayModifier,
    AllDayRead,
    CourseRead,
    CoursesRead,
    ExpoCourse,
    ExpoItem,
    ExpoOrder,
    ExpoRead,
    FireRequest,
    PrepTimeRow,
    PrepTimesRead,
    RecallRequest,
    StationPatch,
    StationRead,
    TicketItemRead,
    TicketRead,
    TicketsRead,
)
from pos_service.kitchen.screen import item_status
from pos_service.menu.models import Item, Station
from pos_service.orders import service as orders
from pos_service.orders.models import Check, CheckLine
from pos_service.orders.schemas import CheckRead, CheckWrite, VoidRequest
from pos_service.staff.models import Staff
from pos_service.tables import service as tables
from pos_service.tables.models import DiningTable, TableStatus
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

EXPO_TOPIC = "expo"
ACTIVE = (TicketState.HELD, TicketState.OPEN, TicketState.STARTED)


def station_topics(station: str) -> list[str]:
    """Where a ticket's events go: its station's screens and the pass."""
    return [f"kitchen:{station}", EXPO_TOPIC]


def _status(i: TicketItem) -> Any:
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
        status=_status(i),
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
    )


def station_read(s: Station) -> StationRead:
    return StationRead(
        id=s.id, name=s.name, kind=s.kind, warn_minutes=s.warn_minutes, late_minutes=s.late_minutes
    )


async def _station_names(session: AsyncSession, venue_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(Station.id, Station.name).where(Station.venue_id == venue_id)
    )
    return {r.id: r.name for r in rows}


async def _station_named(session: AsyncSession, venue_id: int, name: str) -> Station:
    station = await session.scalar(
        select(Station).where(Station.venue_id == venue_id, Station.name == name)
    )
    if station is None:
        raise NotFound(f"no station {name!r}", field="station")
    return station


async def _items_of(
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


async def _tickets(
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


async def _read(session: AsyncSession, ticket: KitchenTicket) -> TicketRead:
    station = await session.get(Station, (ticket.venue_id, ticket.station_id))
    assert station is not None
    items = await _items_of(session, ticket.venue_id, [ticket.id])
    return ticket_read(ticket, station.name, items[ticket.id])


# --- routing a send -------------------------------------------------------------------


async def send(session: AsyncSession, caller: Caller, check_id: int, data: CheckWrite) -> CheckRead:
    """Send the pending lines: orders marks them sent (and counts down 86 items), then each
    station gets one ticket with its lines; courses not due yet are held on it."""
    check, lines = await orders.send(session, caller, check_id, data)
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
    names = await _station_names(session, venue_id)
    day = venues.business_day(venue, at)
    last = await events.next_value(session, venue_id, f"ticket:{day}", len(station_ids))
    tickets = {}
    for n, station_id in enumerate(station_ids):
        any_fired = any(i["fired_at"] for i in items if i["station_id"] == station_id)
        tickets[station_id] = {
            "venue_id": venue_id,
            "check_id": check.id,
            "station_id": station_id,
            "business_day": day,
            "number": last - len(station_ids) + 1 + n,
            "table_id": check.table_id,
            "table_name": table_name,
            "waiter_id": check.waiter_id,
            "waiter_name": waiter,
            "covers": check.covers,
            "allergies": list(check.allergies),
            "state": TicketState.OPEN if any_fired else TicketState.HELD,
            "created_at": at,
            "fired_at": at if any_fired else None,
            "started_at": None,
            "bumped_at": None,
            "late_at": None,
        }
    ticket_ids = {
        r.station_id: r.id
        for r in await session.execute(
            insert(KitchenTicket)
            .values(list(tickets.values()))
            .returning(KitchenTicket.id, KitchenTicket.station_id)
        )
    }
    for item in items:
        item["ticket_id"] = ticket_ids[item["station_id"]]
    item_ids = {
        r.line_id: r.id
        for r in await session.execute(
            insert(TicketItem).values(items).returning(TicketItem.id, TicketItem.line_id)
        )
    }
    if firing:
        await _mark_fired(session, venue_id, check.id, firing, at)
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


async def _mark_fired(
    session: AsyncSession, venue_id: int, check_id: int, courses: Iterable[str], at: dt.datetime
) -> None:
    """Note the courses as fired on the check (and not ready, if more of one came)."""
    stmt = pg_insert(CheckCourse).values(
        [{"venue_id": venue_id, "check_id": check_id, "course": c, "fired_at": at} for c in courses]
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["venue_id", "check_id", "course"], set_={"ready_at": None}
        )
    )


# --- firing courses -------------------------------------------------------------------

_FIRE = text(
    """
    UPDATE kitchen_ticket_items AS i
    SET fired_at = CAST(:now AS timestamptz),
        release_at = CAST(:now AS timestamptz) + make_interval(mins => m.longest - i.prep_minutes),
        released_at = CASE WHEN i.prep_minutes >= m.longest THEN CAST(:now AS timestamptz) END
    FROM (
        SELECT max(prep_minutes) AS longest FROM kitchen_ticket_items
        WHERE venue_id = :v AND check_id = :c AND course = :course
          AND fired_at IS NULL AND voided_at IS NULL
    ) AS m
    WHERE i.venue_id = :v AND i.check_id = :c AND i.course = :course
      AND i.fired_at IS NULL AND i.voided_at IS NULL
    RETURNING i.id, i.ticket_id, i.fired_at, i.release_at, i.released_at
    """
)


async def fire(
    session: AsyncSession,
    caller: Caller,
    check_id: int,
    data: FireRequest,
    now: dt.datetime | None = None,
) -> CoursesRead:
    """Fire a held course of a check: its items go live on every station, quick ones
    released later so that the course comes up together. 409 if nothing of it is held."""
    check = await orders.load_for_write(session, caller.venue_id, check_id, data.version)
    venue = await venues.get(session, caller.venue_id)
    if data.course not in venue.courses:
        raise Invalid(
            f"unknown course {data.course!r}; one of {list(venue.courses)}", field="course"
        )
    if not await _fire_course(session, venue, check, data.course, now or now_utc()):
        raise Conflict(f"nothing of course {data.course!r} is held", field="course")
    check.version += 1
    return await _courses_read(session, venue, check)


async def _fire_course(
    session: AsyncSession, venue: Venue, check: Check, course: str, now: dt.datetime
) -> list[int]:
    """Fire the held items of ``course``; their ids (none: nothing was held)."""
    await session.flush()
    fired = (
        await session.execute(_FIRE, {"now": now, "v": venue.id, "c": check.id, "course": course})
    ).all()
    if not fired:
        return []
    ticket_ids = {r.ticket_id for r in fired}
    await session.execute(
        update(KitchenTicket)
        .where(
            KitchenTicket.venue_id == venue.id,
            KitchenTicket.id.in_(ticket_ids),
            KitchenTicket.state.in_([TicketState.HELD, TicketState.BUMPED]),
        )
        .values(state=TicketState.OPEN, fired_at=now, started_at=None, bumped_at=None, late_at=None)
    )
    await _mark_fired(session, venue.id, check.id, [course], now)
    for ticket, station in await _tickets(session, venue.id, ticket_ids):
        events.record(
            session,
            venue.id,
            station_topics(station),
            TicketFired(
                ticket_id=ticket.id,
                number=ticket.number,
                station=station,
                table=ticket.table_name,
                course=course,
                state=ticket.state,
                fired_at=ticket.fired_at,
                started_at=ticket.started_at,
                bumped_at=ticket.bumped_at,
                late_at=ticket.late_at,
                items=[
                    {
                        "id": r.id,
                        "fired_at": r.fired_at,
                        "release_at": r.release_at,
                        "released_at": r.released_at,
                    }
                    for r in fired
                    if r.ticket_id == ticket.id
                ],
            ),
        )
    events.record(
        session,
        venue.id,
        [*orders.topics(check.id), EXPO_TOPIC],
        CourseFired(
            check_id=check.id,
            table_id=check.table_id,
            course=course,
            fired_at=now,
            item_ids=[r.id for r in fired],
        ),
    )
    if check.table_id is not None:
        table = await session.get(DiningTable, (venue.id, check.table_id))
        if table is not None and table.status == TableStatus.COURSE_READY:
            await tables.set_state(session, venue.id, table, TableStatus.ORDERED)
    return [r.id for r in fired]


async def _held_courses(session: AsyncSession, venue_id: int, check_id: int) -> set[str]:
    return set(
        (
            await session.execute(
                select(TicketItem.course)
                .distinct()
                .where(
                    TicketItem.venue_id == venue_id,
                    TicketItem.check_id == check_id,
                    TicketItem.fired_at.is_(None),
                    TicketItem.voided_at.is_(None),
                )
            )
        ).scalars()
    )


def _course_state(row: CheckCourse | None) -> Literal["held", "fired", "ready"]:
    if row is None:
        return "held"
    return "fired" if row.ready_at is None else "ready"


async def _courses_read(session: AsyncSession, venue: Venue, check: Check) -> CoursesRead:
    rows = {
        c.course: c
        for c in (
            await session.execute(
                select(CheckCourse)
                .where(CheckCourse.venue_id == venue.id, CheckCourse.check_id == check.id)
                .execution_options(populate_existing=True)
            )
        ).scalars()
    }
    held = await _held_courses(session, venue.id, check.id)
    read = []
    for course in sorted(rows.keys() | held, key=lambda c: pacing.rank(venue.courses, c)):
        row = rows.get(course)
        read.append(
            CourseRead(
                course=course,
                state=_course_state(row),
                fired_at=row.fired_at if row else None,
                ready_at=row.ready_at if row else None,
            )
        )
    return CoursesRead(check_id=check.id, version=check.version, courses=read)


async def get_courses(session: AsyncSession, caller: Caller, check_id: int) -> CoursesRead:
    """The courses of a check the kitchen knows: held, fired or ready."""
    check = await session.get(Check, (caller.venue_id, check_id))
    if check is None:
        raise NotFound(f"no check {check_id}", field="check_id")
    return await _courses_read(session, await venues.get(session, caller.venue_id), check)


async def _complete(
    session: AsyncSession, venue: Venue, check: Check, courses: set[str], now: dt.datetime
) -> None:
    """Record ``course.ready`` for the courses whose items are now all bumped (or voided),
    and fire the next course if the venue wants it (``fire_next_on_bump``)."""
    open_courses = set(
        (
            await session.execute(
                select(TicketItem.course)
                .distinct()
                .where(
                    TicketItem.venue_id == venue.id,
                    TicketItem.check_id == check.id,
                    TicketItem.course.in_(courses),
                    TicketItem.bumped_at.is_(None),
                    TicketItem.voided_at.is_(None),
                )
            )
        ).scalars()
    )
    if not courses - open_courses:
        return
    ready = (
        await session.execute(
            update(CheckCourse)
            .where(
                CheckCourse.venue_id == venue.id,
                CheckCourse.check_id == check.id,
                CheckCourse.course.in_(courses - open_courses),
                CheckCourse.ready_at.is_(None),
            )
            .values(ready_at=now)
            .returning(CheckCourse.course)
        )
    ).scalars()
    for course in sorted(ready, key=lambda c: pacing.rank(venue.courses, c)):
        table = None
        if check.table_id is not None:
            table = await tables.set_state(
                session, venue.id, check.table_id, TableStatus.COURSE_READY
            )
        events.record(
            session,
            venue.id,
            [*orders.topics(check.id), EXPO_TOPIC],
            CourseReady(
                check_id=check.id,
                table_id=check.table_id,
                table=table.name if table else None,
                course=course,
                ready_at=now,
            ),
        )
        if venue.settings.get("fire_next_on_bump"):
            await _fire_next(session, venue, check, course, now)


async def _fire_next(
    session: AsyncSession, venue: Venue, check: Check, completed: str, now: dt.datetime
) -> None:
    cooking = (
        await session.execute(
            select(CheckCourse.course).where(
                CheckCourse.venue_id == venue.id,
                CheckCourse.check_id == check.id,
                CheckCourse.ready_at.is_(None),
            )
        )
    ).scalars()
    nxt = pacing.next_to_fire(
        venue.courses,
        pacing.fire_on_send(venue.courses, venue.settings),
        completed,
        await _held_courses(session, venue.id, check.id),
        set(cooking),
    )
    if nxt is not None:
        await _fire_course(session, venue, check, nxt, now)


# --- voids ----------------------------------------------------------------------------


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
    for ticket, station in await _tickets(session, caller.venue_id, {r.ticket_id for r in voided}):
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
    await _complete(session, venue, check, {r.course for r in voided}, at)
    return read


# --- the screens ----------------------------------------------------------------------


async def _lock_ticket(
    session: AsyncSession, venue_id: int, ticket_id: int
) -> tuple[KitchenTicket, Check]:
    """The ticket, locked after its check (the kitchen's lock order)."""
    ticket = await session.get(KitchenTicket, (venue_id, ticket_id))
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}", field="ticket_id")
    check = await session.get(Check, (venue_id, ticket.check_id), with_for_update=True)
    assert check is not None
    await session.refresh(ticket, with_for_update=True)
    return ticket, check


def _settle(ticket: KitchenTicket, items: list[TicketItem], now: dt.datetime) -> None:
    """After bumps: bumped when nothing is left, held when only held items are."""
    live = [i for i in items if i.bumped_at is None and i.voided_at is None]
    if not live:
        ticket.state = TicketState.BUMPED
        ticket.bumped_at = now
    elif all(i.fired_at is None for i in live):
        ticket.state = TicketState.HELD


async def start(
    session: AsyncSession, caller: Caller, ticket_id: int, now: dt.datetime | None = None
) -> TicketRead:
    """A cook starts the ticket: its released items are started, its timer stays."""
    now = now or now_utc()
    ticket, _ = await _lock_ticket(session, caller.venue_id, ticket_id)
    if ticket.state != TicketState.OPEN:
        raise Conflict(f"ticket {ticket.number} is {ticket.state}", field="ticket_id")
    items = (await _items_of(session, caller.venue_id, [ticket.id]))[ticket.id]
    started = [i for i in items if _status(i) == "released"]
    for i in started:
        i.started_at = now
    ticket.state = TicketState.STARTED
    ticket.started_at = now
    read = await _read(session, ticket)
    events.record(
        session,
        caller.venue_id,
        station_topics(read.station),
        TicketStarted(
            ticket_id=ticket.id,
            number=ticket.number,
            station=read.station,
            started_at=now,
            item_ids=[i.id for i in started],
        ),
    )
    return read


async def bump(
    session: AsyncSession, caller: Caller, ticket_id: int, now: dt.datetime | None = None
) -> TicketRead:
    """Bump the ticket: every fired item on it is done. It leaves the screen, or stays
    greyed as held when a later course is still held on it."""
    now = now or now_utc()
    ticket, check = await _lock_ticket(session, caller.venue_id, ticket_id)
    if ticket.state not in (TicketState.OPEN, TicketState.STARTED):
        raise Conflict(f"ticket {ticket.number} is {ticket.state}", field="ticket_id")
    items = (await _items_of(session, caller.venue_id, [ticket.id]))[ticket.id]
    done = [i for i in items if i.fired_at is not None and _status(i) not in ("bumped", "voided")]
    for i in done:
        i.bumped_at = now
    _settle(ticket, items, now)
    read = await _read(session, ticket)
    events.record(
        session,
        caller.venue_id,
        station_topics(read.station),
        TicketBumped(
            ticket_id=ticket.id,
            number=ticket.number,
            station=read.station,
            table=ticket.table_name,
            at=now,
            state=ticket.state,
            bumped_at=ticket.bumped_at,
            item_ids=[i.id for i in done],
        ),
    )
    venue = await venues.get(session, caller.venue_id)
    await _complete(session, venue, check, {i.course for i in done}, now)
    return read


async def bump_item(
    session: AsyncSession,
    caller: Caller,
    ticket_id: int,
    item_id: int,
    now: dt.datetime | None = None,
) -> TicketRead:
    """Bump one item; the ticket is bumped with its last live item."""
    now = now or now_utc()
    ticket, check = await _lock_ticket(session, caller.venue_id, ticket_id)
    items = (await _items_of(session, caller.venue_id, [ticket.id]))[ticket.id]
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise NotFound(f"no item {item_id} on ticket {ticket.number}", field="item_id")
    if _status(item) in ("held", "bumped", "voided"):
        raise Conflict(f"{item.name} is {_status(item)}", field="item_id")
    item.bumped_at = now
    _settle(ticket, items, now)
    read = await _read(session, ticket)
    events.record(
        session,
        caller.venue_id,
        station_topics(read.station),
        TicketItemBumped(
            ticket_id=ticket.id,
            number=ticket.number,
            station=read.station,
            item_id=item.id,
            bumped_at=now,
            state=ticket.state,
            ticket_bumped_at=ticket.bumped_at,
        ),
    )
    venue = await venues.get(session, caller.venue_id)
    await _complete(session, venue, check, {item.course}, now)
    return read


async def recall(session: AsyncSession, caller: Caller, ticket_id: int) -> TicketRead:
    """Bring a bumped ticket back with the items its bump closed (409 if not bumped)."""
    ticket, _ = await _lock_ticket(session, caller.venue_id, ticket_id)
    if ticket.state != TicketState.BUMPED:
        raise Conflict(f"ticket {ticket.number} is {ticket.state}", field="ticket_id")
    items = (await _items_of(session, caller.venue_id, [ticket.id]))[ticket.id]
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
    read = await _read(session, ticket)
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
        ),
    )
    return read


async def recall_last(session: AsyncSession, caller: Caller, data: RecallRequest) -> TicketRead:
    """Bring back the station's most recently bumped ticket (the bump bar's recall key)."""
    station = await _station_named(session, caller.venue_id, data.station)
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
        raise NotFound(f"no bumped ticket at {station.name}", field="station")
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
        found = await _station_named(session, venue_id, station)
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
        raise Invalid(f"unknown state {state!r}", field="state")
    tickets = list((await session.execute(query.order_by(KitchenTicket.id))).scalars())
    items = await _items_of(session, venue_id, [t.id for t in tickets])
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


# --- stations -------------------------------------------------------------------------


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
        raise NotFound(f"no station {station_id}", field="station_id")
    if data.warn_minutes is not UNSET:
        station.warn_minutes = data.warn_minutes
    if data.late_minutes is not UNSET:
        station.late_minutes = data.late_minutes
    if station.late_minutes <= station.warn_minutes:
        raise Invalid("late_minutes must be more than warn_minutes", field="late_minutes")
    return station_read(station)


# --- the pass -------------------------------------------------------------------------


def _expo_course(
    course: str,
    row: CheckCourse | None,
    items: list[tuple[TicketItem, KitchenTicket, str]],
) -> ExpoCourse:
    return ExpoCourse(
        course=course,
        state=_course_state(row),
        fired_at=row.fired_at if row else None,
        ready_at=row.ready_at if row else None,
        items=[
            ExpoItem(
                id=i.id,
                ticket_id=t.id,
                number=t.number,
                station=station,
                name=i.name,
                quantity=i.quantity,
                seat=i.seat,
                status=_status(i),
            )
            for i, t, station in items
        ],
    )


async def expo(session: AsyncSession, caller: Caller, now: dt.datetime | None = None) -> ExpoRead:
    """Whole orders across stations, for every check with a ticket still on a screen."""
    venue_id = caller.venue_id
    venue = await venues.get(session, venue_id)
    check_ids = set(
        (
            await session.execute(
                select(KitchenTicket.check_id).where(
                    KitchenTicket.venue_id == venue_id, KitchenTicket.state.in_(ACTIVE)
                )
            )
        ).scalars()
    )
    tickets = (
        await session.execute(
            select(KitchenTicket).where(
                KitchenTicket.venue_id == venue_id, KitchenTicket.check_id.in_(check_ids)
            )
        )
    ).scalars()
    by_id = {t.id: t for t in tickets}
    items = await _items_of(session, venue_id, by_id.keys())
    names = await _station_names(session, venue_id)
    rows = {
        (c.check_id, c.course): c
        for c in (
            await session.execute(
                select(CheckCourse).where(
                    CheckCourse.venue_id == venue_id, CheckCourse.check_id.in_(check_ids)
                )
            )
        ).scalars()
    }
    grouped: dict[int, dict[str, list[tuple[TicketItem, KitchenTicket, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for ticket_id in sorted(by_id):
        t = by_id[ticket_id]
        for i in items[ticket_id]:
            grouped[t.check_id][i.course].append((i, t, names[t.station_id]))
    orders_read = []
    for check_id in sorted(
        grouped, key=lambda c: min(i[1].id for v in grouped[c].values() for i in v)
    ):
        courses = grouped[check_id]
        first = next(iter(courses.values()))[0][1]
        orders_read.append(
            ExpoOrder(
                check_id=check_id,
                table_id=first.table_id,
                table=first.table_name,
                waiter=first.waiter_name,
                covers=first.covers,
                courses=[
                    _expo_course(c, rows.get((check_id, c)), courses[c])
                    for c in sorted(courses, key=lambda c: pacing.rank(venue.courses, c))
                ],
            )
        )
    return ExpoRead(at=now or now_utc(), orders=orders_read)


_ALL_DAY_ITEMS = text(
    """
    SELECT name, sum(quantity) AS quantity,
           coalesce(sum(quantity) FILTER (WHERE fired_at IS NULL), 0) AS held
    FROM kitchen_ticket_items
    WHERE venue_id = :v AND bumped_at IS NULL AND voided_at IS NULL
      AND (CAST(:s AS bigint) IS NULL OR station_id = :s)
    GROUP BY name ORDER BY name
    """
)
_ALL_DAY_MODIFIERS = text(
    """
    SELECT i.name AS item, m.modifier, sum(i.quantity) AS quantity
    FROM kitchen_ticket_items AS i, unnest(i.modifiers) AS m(modifier)
    WHERE i.venue_id = :v AND i.bumped_at IS NULL AND i.voided_at IS NULL
      AND (CAST(:s AS bigint) IS NULL OR i.station_id = :s)
    GROUP BY i.name, m.modifier ORDER BY i.name, m.modifier
    """
)


async def all_day(session: AsyncSession, caller: Caller, station: str | None = None) -> AllDayRead:
    """Outstanding portions (sent, not bumped, not voided) per item and per modifier."""
    found = await _station_named(session, caller.venue_id, station) if station else None
    params = {"v": caller.venue_id, "s": found.id if found else None}
    items = (await session.execute(_ALL_DAY_ITEMS, params)).all()
    modifiers = (await session.execute(_ALL_DAY_MODIFIERS, params)).all()
    return AllDayRead(
        station=station,
        items=[AllDayItem(name=r.name, quantity=r.quantity, held=r.held) for r in items],
        modifiers=[
            AllDayModifier(item=r.item, modifier=r.modifier, quantity=r.quantity) for r in modifiers
        ],
    )


_PREP_TIMES = text(
    """
    SELECT s.name AS station, i.name AS item, count(*) AS n,
           avg(extract(epoch FROM i.bumped_at - i.fired_at))::float8 AS avg_seconds,
           percentile_cont(0.9) WITHIN GROUP (
               ORDER BY extract(epoch FROM i.bumped_at - i.fired_at)) AS p90_seconds
    FROM kitchen_ticket_items AS i
    JOIN kitchen_tickets AS t ON t.venue_id = i.venue_id AND t.id = i.ticket_id
    JOIN stations AS s ON s.venue_id = i.venue_id AND s.id = i.station_id
    WHERE i.venue_id = :v AND i.bumped_at IS NOT NULL AND i.fired_at IS NOT NULL
      AND i.voided_at IS NULL AND t.business_day BETWEEN :start AND :end
      AND (CAST(:s AS bigint) IS NULL OR i.station_id = :s)
    GROUP BY s.name, i.name ORDER BY s.name, i.name
    """
)


async def prep_times(
    session: AsyncSession,
    caller: Caller,
    station: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> PrepTimesRead:
    """Average and 90th percentile seconds from fired to bumped, per station and item,
    over the business days ``start`` to ``end`` (both default to today)."""
    today = venues.business_day(await venues.get(session, caller.venue_id), now_utc())
    start, end = start or today, end or today
    if end < start:
        raise Invalid("to is before from", field="to")
    found = await _station_named(session, caller.venue_id, station) if station else None
    params = {"v": caller.venue_id, "s": found.id if found else None, "start": start, "end": end}
    rows = (await session.execute(_PREP_TIMES, params)).all()
    return PrepTimesRead(
        start=start,
        end=end,
        rows=[
            PrepTimeRow(
                station=r.station,
                item=r.item,
                count=r.n,
                avg_seconds=round(r.avg_seconds, 1),
                p90_seconds=round(r.p90_seconds, 1),
            )
            for r in rows
        ],
    )


# --- scheduled work -------------------------------------------------------------------

_RELEASE_DUE = text(
    """
    WITH due AS (
        SELECT venue_id, id FROM kitchen_ticket_items
        WHERE released_at IS NULL AND voided_at IS NULL AND bumped_at IS NULL
          AND release_at <= CAST(:now AS timestamptz)
        ORDER BY release_at LIMIT 500
        FOR UPDATE SKIP LOCKED
    )
    UPDATE kitchen_ticket_items AS i SET released_at = CAST(:now AS timestamptz)
    FROM due, kitchen_tickets AS t, stations AS s
    WHERE i.venue_id = due.venue_id AND i.id = due.id
      AND t.venue_id = i.venue_id AND t.id = i.ticket_id
      AND s.venue_id = i.venue_id AND s.id = i.station_id
    RETURNING i.venue_id, i.id, i.ticket_id, i.name, t.number, s.name AS station
    """
)


async def release_due(session: AsyncSession, now: dt.datetime) -> int:
    """Scheduled: release the waiting items whose start time has come."""
    rows = (await session.execute(_RELEASE_DUE, {"now": now})).all()
    for r in sorted(rows, key=lambda r: (r.venue_id, r.id)):
        events.record(
            session,
            r.venue_id,
            station_topics(r.station),
            TicketItemReleased(
                ticket_id=r.ticket_id,
                number=r.number,
                station=r.station,
                item_id=r.id,
                name=r.name,
                released_at=now,
            ),
        )
    return len(rows)


_FLAG_LATE = text(
    """
    WITH due AS (
        SELECT t.venue_id, t.id FROM kitchen_tickets AS t
        JOIN stations AS s ON s.venue_id = t.venue_id AND s.id = t.station_id
        WHERE t.state IN ('open', 'started') AND t.late_at IS NULL
          AND t.fired_at <= CAST(:now AS timestamptz) - make_interval(mins => s.late_minutes)
        ORDER BY t.fired_at LIMIT 500
        FOR UPDATE OF t SKIP LOCKED
    )
    UPDATE kitchen_tickets AS t SET late_at = CAST(:now AS timestamptz)
    FROM due, stations AS s
    WHERE t.venue_id = due.venue_id AND t.id = due.id
      AND s.venue_id = t.venue_id AND s.id = t.station_id
    RETURNING t.venue_id, t.id, t.number, t.table_name, t.fired_at,
              s.name AS station, s.late_minutes
    """
)


async def flag_late(session: AsyncSession, now: dt.datetime) -> int:
    """Scheduled: raise ``ticket.late`` once for each ticket past its station's limit."""
    rows = (await session.execute(_FLAG_LATE, {"now": now})).all()
    for r in sorted(rows, key=lambda r: (r.venue_id, r.id)):
        events.record(
            session,
            r.venue_id,
            station_topics(r.station),
            TicketLate(
                ticket_id=r.id,
                number=r.number,
                station=r.station,
                table=r.table_name,
                fired_at=r.fired_at,
                late_minutes=r.late_minutes,
                late_at=now,
            ),
        )
    return len(rows)
