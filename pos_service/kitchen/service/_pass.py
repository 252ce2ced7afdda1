"""The pass: a ready course called up for pickup (the waiter's handheld is told) and
served (it leaves the pass)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events, locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, NotFound
from pos_service.kitchen.events import CoursePickup, CourseServed
from pos_service.kitchen.models import CheckCourse
from pos_service.kitchen.schemas import CourseRead, PassRequest
from pos_service.kitchen.service._common import EXPO_TOPIC, course_state
from pos_service.orders import service as orders
from pos_service.orders.models import Check
from pos_service.tables import service as tables
from pos_service.tables.models import DiningTable, TableStatus


async def _locked_course(
    session: AsyncSession, venue_id: int, check_id: int, course: str
) -> tuple[Check, CheckCourse, DiningTable | None]:
    # the check's lock serialises every write of its courses (docs/kitchen.md)
    check = await locks.row(session, locks.Lock.CHECK, Check, (venue_id, check_id))
    if check is None:
        raise NotFound("no check {check_id}", check_id=check_id, field="check_id")
    row = (
        await session.execute(
            select(CheckCourse).where(
                CheckCourse.venue_id == venue_id,
                CheckCourse.check_id == check_id,
                CheckCourse.course == course,
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise Conflict(
            "{course} of check {check_id} is not fired",
            course=course,
            check_id=check_id,
            field="course",
        )
    table = None
    if check.table_id is not None:
        table = await session.get(DiningTable, (venue_id, check.table_id))
    return check, row, table


def _read(row: CheckCourse) -> CourseRead:
    return CourseRead(
        course=row.course,
        state=course_state(row),
        fired_at=row.fired_at,
        ready_at=row.ready_at,
        pickup_at=row.pickup_at,
        served_at=row.served_at,
    )


async def call_pickup(
    session: AsyncSession,
    caller: Caller,
    check_id: int,
    data: PassRequest,
    now: dt.datetime | None = None,
) -> CourseRead:
    """Call a course up for pickup: the check's waiter's handheld gets ``course.pickup``
    on ``orders``. The course must be fired and not served; calling again repeats the
    call (a waiter who missed the first), with the new time."""
    now = now or now_utc()
    check, row, table = await _locked_course(session, caller.venue_id, check_id, data.course)
    if row.served_at is not None:
        raise Conflict(
            "{course} of check {check_id} is served",
            course=data.course,
            check_id=check_id,
            field="course",
        )
    row.pickup_at = now
    if table is not None and table.status == TableStatus.ORDERED:
        table = await tables.set_state(session, caller.venue_id, table, TableStatus.COURSE_READY)
    events.record(
        session,
        caller.venue_id,
        [*orders.topics(check.id), EXPO_TOPIC, tables.FLOOR_TOPIC],
        CoursePickup(
            check_id=check.id,
            table_id=check.table_id,
            table=table.name if table else None,
            course=row.course,
            waiter_id=check.waiter_id,
            pickup_at=now,
        ),
    )
    return _read(row)


async def serve(
    session: AsyncSession,
    caller: Caller,
    check_id: int,
    data: PassRequest,
    now: dt.datetime | None = None,
) -> CourseRead:
    """Mark a fired course served: it leaves the pass, and a table shown as "course
    ready" is back to "ordered". Serving a served course is a 409."""
    now = now or now_utc()
    check, row, table = await _locked_course(session, caller.venue_id, check_id, data.course)
    if row.served_at is not None:
        raise Conflict(
            "{course} of check {check_id} is already served",
            course=data.course,
            check_id=check_id,
            field="course",
        )
    row.served_at = now
    if table is not None and table.status == TableStatus.COURSE_READY:
        table = await tables.set_state(session, caller.venue_id, table, TableStatus.ORDERED)
    events.record(
        session,
        caller.venue_id,
        [*orders.topics(check.id), EXPO_TOPIC, tables.FLOOR_TOPIC],
        CourseServed(
            check_id=check.id,
            table_id=check.table_id,
            table=table.name if table else None,
            course=row.course,
            served_at=now,
        ),
    )
    return _read(row)
