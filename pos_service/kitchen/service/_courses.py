"""Pacing a check's courses: firing them, releasing by prep time, and noticing
when every station's part of a course is up.

The rules are pure (``_rules``), read and written in two round trips (``_lean``): firing
is a lean write (``core.tx``); the callers holding a session (the void of a sent line,
the scheduler firing a takeaway order) run the same rules on their session's connection.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound
from pos_service.core.tx import Tx, of_session
from pos_service.kitchen.models import CheckCourse, TicketItem
from pos_service.kitchen.schemas import CoursesRead, FireRequest
from pos_service.kitchen.service import _lean, _rules
from pos_service.orders.models import Check
from pos_service.venues import service as venues
from pos_service.venues.models import Venue


async def fire(
    tx: Tx, caller: Caller, check_id: int, data: FireRequest, now: dt.datetime | None = None
) -> CoursesRead:
    """Fire a held course of a check: its items go live on every station, quick ones
    released later so that the course comes up together. 409 if nothing of it is held.

    A lean write (``core.tx``): the check locked and its kitchen read in one round trip
    (``kitchen_open``), the changes and the FIRE slips written in another
    (``kitchen_write``, migration 0037)."""
    now = now or now_utc()
    work = await _lean.open_check(
        tx, caller.venue_id, check_id, version=data.version, open_only=True
    )
    if data.course not in work.venue.courses:
        raise Invalid(
            "unknown course {course!r}; one of {courses}",
            course=data.course,
            courses=list(work.venue.courses),
            field="course",
        )
    if not _rules.fire_course(work, data.course, now):
        raise Conflict("nothing of course {course!r} is held", course=data.course, field="course")
    work.version = True
    await _lean.commit(tx, work, now)
    return _rules.courses_answer(work)


async def fire_takeaway(
    session: AsyncSession, venue: Venue, check: Check, now: dt.datetime
) -> list[int]:
    """Fire everything held of a takeaway order (its check locked by the caller): every
    course at once, each item released so that the whole order comes up together after
    its longest prep, at the pickup time. The fired item ids."""
    await session.flush()
    tx = await of_session(session)
    work = await _lean.open_check(tx, venue.id, check.id)
    ids = _rules.fire_takeaway(work, now)
    if ids:
        work.version = True
        await _lean.commit(tx, work, now)
        set_committed_value(check, "version", work.check.version)
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


async def get_courses(session: AsyncSession, caller: Caller, check_id: int) -> CoursesRead:
    """The courses of a check the kitchen knows: held, fired or ready."""
    check = await session.get(Check, (caller.venue_id, check_id))
    if check is None:
        raise NotFound("no check {check_id}", check_id=check_id, field="check_id")
    venue = await venues.get(session, caller.venue_id)
    rows = (
        await session.execute(
            select(CheckCourse).where(
                CheckCourse.venue_id == venue.id, CheckCourse.check_id == check.id
            )
        )
    ).scalars()
    held = await _held_courses(session, venue.id, check.id)
    return _rules.courses_read(check.id, check.version, venue.courses, list(rows), held)


async def complete_courses(
    session: AsyncSession, venue: Venue, check: Check, courses: set[str], now: dt.datetime
) -> None:
    """After a void on a session: the courses it completed are ready (``_rules``'s
    ``complete_courses``, the bump's rule), on the session's connection."""
    await session.flush()
    tx = await of_session(session)
    work = await _lean.open_check(tx, venue.id, check.id)
    _rules.complete_courses(work, courses, now)
    await _lean.commit(tx, work, now)
