"""Pacing a check's courses: firing them, releasing by prep time, and noticing
when every station's part of a course is up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound
from pos_service.kitchen import courses as pacing
from pos_service.kitchen import printouts
from pos_service.kitchen.events import CourseFired, CourseReady, TicketFired
from pos_service.kitchen.models import CheckCourse, KitchenTicket, TicketItem, TicketState
from pos_service.kitchen.schemas import CourseRead, CoursesRead, FireRequest
from pos_service.kitchen.service._common import (
    EXPO_TOPIC,
    course_state,
    station_topics,
    tickets_with_stations,
)
from pos_service.orders import service as orders
from pos_service.orders.models import Check
from pos_service.tables import service as tables
from pos_service.tables.models import DiningTable, TableStatus
from pos_service.takeaway import pickup
from pos_service.venues import service as venues
from pos_service.venues.models import Venue


async def mark_fired(
    session: AsyncSession, venue_id: int, check_id: int, courses: Iterable[str], at: dt.datetime
) -> None:
    """Note the courses as fired on the check (and not ready, if more of one came)."""
    stmt = pg_insert(CheckCourse).on_conflict_do_update(
        index_elements=["venue_id", "check_id", "course"],
        set_={"ready_at": None, "pickup_at": None, "served_at": None},
    )
    await session.execute(
        stmt,
        [
            {"venue_id": venue_id, "check_id": check_id, "course": c, "fired_at": at}
            for c in courses
        ],
    )


_FIRE = text(
    """
    UPDATE kitchen_ticket_items AS i
    SET fired_at = CAST(:now AS timestamptz),
        release_at = CAST(:now AS timestamptz) + make_interval(mins => m.longest - i.prep_minutes),
        released_at = CASE WHEN i.prep_minutes >= m.longest THEN CAST(:now AS timestamptz) END
    FROM (
        SELECT greatest(max(prep_minutes), :floor) AS longest FROM kitchen_ticket_items
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
            "unknown course {course!r}; one of {courses}",
            course=data.course,
            courses=list(venue.courses),
            field="course",
        )
    if not await _fire_course(session, venue, check, data.course, now or now_utc()):
        raise Conflict("nothing of course {course!r} is held", course=data.course, field="course")
    check.version += 1
    return await _courses_read(session, venue, check)


async def _fire_course(
    session: AsyncSession,
    venue: Venue,
    check: Check,
    course: str,
    now: dt.datetime,
    *,
    longest: int = 0,
) -> list[int]:
    """Fire the held items of ``course``; their ids (none: nothing was held). Its items
    are released to come up together after its longest prep, or ``longest`` minutes."""
    await session.flush()
    fired = (
        await session.execute(
            _FIRE,
            {"now": now, "v": venue.id, "c": check.id, "course": course, "floor": longest},
        )
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
    await mark_fired(session, venue.id, check.id, [course], now)
    slips = await printouts.items_by_id(session, venue.id, [r.id for r in fired])
    for ticket, station in await tickets_with_stations(session, venue.id, ticket_ids):
        await printouts.print_fire(
            session, ticket, station, [i for i in slips if i.ticket_id == ticket.id], course, now
        )
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


async def fire_takeaway(
    session: AsyncSession, venue: Venue, check: Check, now: dt.datetime
) -> list[int]:
    """Fire everything held of a takeaway order (its check locked by the caller): every
    course at once, each item released so that the whole order comes up together after
    its longest prep, at the pickup time. The fired item ids."""
    longest = await session.scalar(
        select(func.max(TicketItem.prep_minutes)).where(
            TicketItem.venue_id == venue.id,
            TicketItem.check_id == check.id,
            TicketItem.fired_at.is_(None),
            TicketItem.voided_at.is_(None),
        )
    )
    ids: list[int] = []
    held = await _held_courses(session, venue.id, check.id)
    for course in sorted(held, key=lambda c: pacing.rank(venue.courses, c)):
        ids += await _fire_course(session, venue, check, course, now, longest=int(longest or 0))
    if ids:
        check.version += 1
    return ids


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
                state=course_state(row),
                fired_at=row.fired_at if row else None,
                ready_at=row.ready_at if row else None,
                pickup_at=row.pickup_at if row else None,
                served_at=row.served_at if row else None,
            )
        )
    return CoursesRead(check_id=check.id, version=check.version, courses=read)


async def get_courses(session: AsyncSession, caller: Caller, check_id: int) -> CoursesRead:
    """The courses of a check the kitchen knows: held, fired or ready."""
    check = await session.get(Check, (caller.venue_id, check_id))
    if check is None:
        raise NotFound("no check {check_id}", check_id=check_id, field="check_id")
    return await _courses_read(session, await venues.get(session, caller.venue_id), check)


async def complete_courses(
    session: AsyncSession, venue: Venue, check: Check, courses: set[str], now: dt.datetime
) -> None:
    """Record ``course.ready`` for the courses whose items are now all bumped (voided ones
    aside; a course voided whole is not ready, there is nothing to serve), and fire the
    next course if the venue wants it (``fire_next_on_bump``)."""
    await pickup.ready_if_done(session, check, now)
    live = TicketItem.voided_at.is_(None)
    done = {
        r.course
        for r in await session.execute(
            select(TicketItem.course)
            .where(
                TicketItem.venue_id == venue.id,
                TicketItem.check_id == check.id,
                TicketItem.course.in_(courses),
                live,
            )
            .group_by(TicketItem.course)
            .having(func.bool_and(TicketItem.bumped_at.is_not(None)))
        )
    }
    if not done:
        return
    ready = (
        await session.execute(
            update(CheckCourse)
            .where(
                CheckCourse.venue_id == venue.id,
                CheckCourse.check_id == check.id,
                CheckCourse.course.in_(done),
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
