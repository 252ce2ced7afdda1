"""Planning, publishing and copying weeks of shifts; sections and their waiters.

Weeks start on Monday at midnight in the venue's timezone; a shift belongs to the week
its start falls in. Overlap checks lock the member's staff row, so two managers
planning the same person at once cannot both write overlapping shifts.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.rosters.events import TOPIC, RosterPublished, RosterShiftChanged
from pos_service.rosters.models import PlannedShift, Section
from pos_service.rosters.schemas import (
    PlannedShiftRead,
    SectionRead,
    SectionWrite,
    ShiftPlan,
    ShiftPlanPatch,
    WeekRead,
)
from pos_service.staff.models import Shift, Staff
from pos_service.tables.models import DiningTable
from pos_service.venues import service as venues


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def week_bounds(timezone: str, monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The week's first and first-after instants (local midnights, DST-aware)."""
    zone = ZoneInfo(timezone)
    start = dt.datetime.combine(monday, dt.time(), zone)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


# sections


def _section(row: Section) -> SectionRead:
    return SectionRead(id=row.id, name=row.name, table_ids=sorted(row.table_ids))


async def list_sections(session: AsyncSession, caller: Caller) -> list[SectionRead]:
    """The venue's sections by name."""
    rows = await session.scalars(
        select(Section).where(Section.venue_id == caller.venue_id).order_by(Section.name)
    )
    return [_section(r) for r in rows]


async def _check_section(
    session: AsyncSession, caller: Caller, data: SectionWrite, own: int
) -> None:
    tables = set(data.table_ids)
    found = set(
        await session.scalars(
            select(DiningTable.id).where(
                DiningTable.venue_id == caller.venue_id,
                DiningTable.id.in_(tables),
                DiningTable.archived_at.is_(None),
            )
        )
    )
    if missing := sorted(tables - found):
        raise Invalid("no table {table}", table=missing[0], field="table_ids")
    taken = await session.scalar(
        select(Section.id).where(
            Section.venue_id == caller.venue_id,
            Section.name == data.name.strip(),
            Section.id != own,
        )
    )
    if taken is not None:
        raise Conflict("a section is already named {name!r}", name=data.name, field="name")


async def create_section(session: AsyncSession, caller: Caller, data: SectionWrite) -> SectionRead:
    """Add a section of tables (422 naming ``table_ids`` for a table not on the floor)."""
    await _check_section(session, caller, data, 0)
    row = Section(
        venue_id=caller.venue_id, name=data.name.strip(), table_ids=sorted(set(data.table_ids))
    )
    session.add(row)
    await session.flush()
    return _section(row)


async def replace_section(
    session: AsyncSession, caller: Caller, section_id: int, data: SectionWrite
) -> SectionRead:
    """Rename a section and set its tables."""
    row = await session.get(Section, (caller.venue_id, section_id), with_for_update=True)
    if row is None:
        raise NotFound("no section {section_id}", section_id=section_id, field="section_id")
    await _check_section(session, caller, data, row.id)
    row.name = data.name.strip()
    row.table_ids = sorted(set(data.table_ids))
    return _section(row)


async def section_waiter(
    session: AsyncSession, venue_id: int, table_id: int, at: dt.datetime
) -> int | None:
    """The waiter whose published shift at ``at`` covers a section holding the table; a
    clocked-in one first, then the earliest start. None if nobody's does."""
    clocked = exists().where(
        Shift.venue_id == PlannedShift.venue_id,
        Shift.staff_id == PlannedShift.staff_id,
        Shift.clock_out.is_(None),
    )
    found: int | None = await session.scalar(
        select(PlannedShift.staff_id)
        .join(
            Section,
            (Section.venue_id == PlannedShift.venue_id) & (Section.id == PlannedShift.section_id),
        )
        .join(
            Staff, (Staff.venue_id == PlannedShift.venue_id) & (Staff.id == PlannedShift.staff_id)
        )
        .where(
            PlannedShift.venue_id == venue_id,
            PlannedShift.published_at.is_not(None),
            PlannedShift.cancelled_at.is_(None),
            PlannedShift.starts_at <= at,
            PlannedShift.ends_at > at,
            Section.table_ids.contains([table_id]),
            Staff.active.is_(True),
            Staff.roles.contains(["waiter"]),
        )
        .order_by(clocked.desc(), PlannedShift.starts_at, PlannedShift.id)
        .limit(1)
    )
    return found


# planned shifts


async def reads(
    session: AsyncSession, venue_id: int, rows: list[PlannedShift]
) -> list[PlannedShiftRead]:
    """Planned shifts as the API answers them (with member and section names)."""
    staff_ids = {r.staff_id for r in rows}
    section_ids = {r.section_id for r in rows if r.section_id is not None}
    names: dict[int, str] = {}
    for i, n in await session.execute(
        select(Staff.id, Staff.name).where(Staff.venue_id == venue_id, Staff.id.in_(staff_ids))
    ):
        names[i] = n
    sections: dict[int, str] = {}
    for i, n in await session.execute(
        select(Section.id, Section.name).where(
            Section.venue_id == venue_id, Section.id.in_(section_ids)
        )
    ):
        sections[i] = n
    return [
        PlannedShiftRead(
            id=r.id,
            staff_id=r.staff_id,
            staff_name=names.get(r.staff_id, ""),
            role=r.role,
            station=r.station,
            section_id=r.section_id,
            section_name=sections.get(r.section_id, "") if r.section_id is not None else "",
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            break_minutes=r.break_minutes,
            published=r.published_at is not None,
            changed=r.changed_at is not None,
            cancelled=r.cancelled_at is not None,
        )
        for r in rows
    ]


def _aware(value: dt.datetime, field: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid("a time needs a timezone offset", field=field)


async def _overlapping(
    session: AsyncSession,
    venue_id: int,
    staff_id: int,
    own_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> int | None:
    """Another live shift of the member overlapping ``[starts_at, ends_at)``."""
    found: int | None = await session.scalar(
        select(PlannedShift.id).where(
            PlannedShift.venue_id == venue_id,
            PlannedShift.staff_id == staff_id,
            PlannedShift.id != own_id,
            PlannedShift.cancelled_at.is_(None),
            PlannedShift.starts_at < ends_at,
            PlannedShift.ends_at > starts_at,
        )
    )
    return found


async def _check_plan(
    session: AsyncSession,
    caller: Caller,
    *,
    own_id: int,
    staff_id: int,
    role: str,
    section_id: int | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    break_minutes: int,
) -> None:
    """422 naming the field for a plan that cannot be: times, person, role, section,
    break, or an overlap with another of the person's shifts."""
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise Invalid("the shift ends before it starts", field="ends_at")
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise Invalid("a shift lasts at most 24 hours", field="ends_at")
    if dt.timedelta(minutes=break_minutes) >= ends_at - starts_at:
        raise Invalid("the break is as long as the shift", field="break_minutes")
    member = await session.get(Staff, (caller.venue_id, staff_id), with_for_update=True)
    if member is None or not member.active:
        raise Invalid("no staff member {staff_id}", staff_id=staff_id, field="staff_id")
    if role not in member.roles:
        raise Invalid(
            "{member} does not hold the role {role}", member=member.name, role=role, field="role"
        )
    if section_id is not None:
        if await session.get(Section, (caller.venue_id, section_id)) is None:
            raise Invalid("no section {section_id}", section_id=section_id, field="section_id")
        if role != "waiter":
            raise Invalid("only a waiter's shift has a section", field="section_id")
    overlap = await _overlapping(session, caller.venue_id, staff_id, own_id, starts_at, ends_at)
    if overlap is not None:
        raise Invalid(
            "{member} already has shift {shift_id} at that time",
            member=member.name,
            field="starts_at",
            shift_id=overlap,
        )


async def plan_shift(session: AsyncSession, caller: Caller, data: ShiftPlan) -> PlannedShiftRead:
    """Add a draft shift to the roster."""
    await _check_plan(
        session,
        caller,
        own_id=0,
        staff_id=data.staff_id,
        role=data.role,
        section_id=data.section_id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        break_minutes=data.break_minutes,
    )
    row = PlannedShift(
        venue_id=caller.venue_id,
        staff_id=data.staff_id,
        role=data.role,
        station=data.station.strip(),
        section_id=data.section_id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        break_minutes=data.break_minutes,
    )
    session.add(row)
    await session.flush()
    return (await reads(session, caller.venue_id, [row]))[0]


async def _locked(session: AsyncSession, caller: Caller, shift_id: int) -> PlannedShift:
    row = await session.get(PlannedShift, (caller.venue_id, shift_id), with_for_update=True)
    if row is None or row.cancelled_at is not None:
        raise NotFound("no shift {shift_id}", shift_id=shift_id, field="shift_id")
    return row


def _touched(session: AsyncSession, caller: Caller, row: PlannedShift) -> None:
    """A published shift changed: flag it and tell its member."""
    if row.published_at is None:
        return
    row.changed_at = now_utc()
    events.record(
        session,
        caller.venue_id,
        [TOPIC, f"staff:{row.staff_id}"],
        RosterShiftChanged(
            shift_id=row.id, staff_id=row.staff_id, cancelled=row.cancelled_at is not None
        ),
    )


async def change_shift(
    session: AsyncSession, caller: Caller, shift_id: int, data: ShiftPlanPatch
) -> PlannedShiftRead:
    """Change a shift's role, place, times or break; a published one is flagged changed."""
    row = await _locked(session, caller, shift_id)
    role = row.role if data.role is UNSET else data.role
    section_id = row.section_id if data.section_id is UNSET else data.section_id
    starts_at = row.starts_at if data.starts_at is UNSET else data.starts_at
    ends_at = row.ends_at if data.ends_at is UNSET else data.ends_at
    break_minutes = row.break_minutes if data.break_minutes is UNSET else data.break_minutes
    await _check_plan(
        session,
        caller,
        own_id=row.id,
        staff_id=row.staff_id,
        role=role,
        section_id=section_id,
        starts_at=starts_at,
        ends_at=ends_at,
        break_minutes=break_minutes,
    )
    row.role = role
    row.section_id = section_id
    row.starts_at = starts_at
    row.ends_at = ends_at
    row.break_minutes = break_minutes
    if data.station is not UNSET:
        row.station = data.station.strip()
    _touched(session, caller, row)
    return (await reads(session, caller.venue_id, [row]))[0]


async def cancel_shift(session: AsyncSession, caller: Caller, shift_id: int) -> None:
    """Remove a draft shift; a published one stays, cancelled, for its member to see."""
    row = await _locked(session, caller, shift_id)
    if row.published_at is None:
        await session.delete(row)
        return
    row.cancelled_at = now_utc()
    _touched(session, caller, row)


async def _week_rows(
    session: AsyncSession, venue_id: int, timezone: str, monday: dt.date, *extra: object
) -> list[PlannedShift]:
    start, end = week_bounds(timezone, monday)
    rows = await session.scalars(
        select(PlannedShift)
        .where(
            PlannedShift.venue_id == venue_id,
            PlannedShift.starts_at >= start,
            PlannedShift.starts_at < end,
            *extra,  # type: ignore[arg-type]
        )
        .order_by(PlannedShift.starts_at, PlannedShift.staff_id, PlannedShift.id)
    )
    return list(rows)


async def get_week(session: AsyncSession, caller: Caller, day: dt.date) -> WeekRead:
    """Every shift of the week holding ``day`` (drafts, published, cancelled)."""
    venue = await venues.get(session, caller.venue_id)
    monday = week_start(day)
    rows = await _week_rows(session, venue.id, venue.timezone, monday)
    return WeekRead(week=monday, shifts=await reads(session, venue.id, rows))


async def publish_week(session: AsyncSession, caller: Caller, day: dt.date) -> WeekRead:
    """Publish the week's drafts: their members see them from now on."""
    venue = await venues.get(session, caller.venue_id)
    monday = week_start(day)
    drafts = await _week_rows(
        session, venue.id, venue.timezone, monday, PlannedShift.published_at.is_(None)
    )
    if not drafts:
        raise Conflict("the week has no draft shifts to publish", field="week")
    at = now_utc()
    for row in drafts:
        row.published_at = at
    staff_ids = sorted({r.staff_id for r in drafts})
    events.record(
        session,
        venue.id,
        [TOPIC, *(f"staff:{i}" for i in staff_ids)],
        RosterPublished(week=monday, staff_ids=staff_ids),
    )
    await audit.record(
        session, caller, "roster.published", f"week:{monday.isoformat()}", {"shifts": len(drafts)}
    )
    return await get_week(session, caller, day)


async def copy_previous_week(session: AsyncSession, caller: Caller, day: dt.date) -> WeekRead:
    """Copy the previous week's live shifts into this (empty) week as drafts, at the same
    local times (a shift at 18:00 stays at 18:00 across a change of summer time)."""
    venue = await venues.get(session, caller.venue_id)
    monday = week_start(day)
    live = PlannedShift.cancelled_at.is_(None)
    if await _week_rows(session, venue.id, venue.timezone, monday, live):
        raise Conflict("the week already has shifts", field="week")
    source = await _week_rows(
        session, venue.id, venue.timezone, monday - dt.timedelta(days=7), live
    )
    if not source:
        raise Conflict("the previous week has no shifts to copy", field="week")
    zone = ZoneInfo(venue.timezone)
    for old in source:
        member = await session.get(Staff, (venue.id, old.staff_id))
        if member is None or not member.active or old.role not in member.roles:
            continue
        week = dt.timedelta(days=7)
        starts_at = (old.starts_at.astimezone(zone) + week).astimezone(dt.UTC)
        ends_at = (old.ends_at.astimezone(zone) + week).astimezone(dt.UTC)
        if await _overlapping(session, venue.id, old.staff_id, 0, starts_at, ends_at):
            continue  # e.g. a Sunday night shift running into next week's first
        session.add(
            PlannedShift(
                venue_id=venue.id,
                staff_id=old.staff_id,
                role=old.role,
                station=old.station,
                section_id=old.section_id,
                starts_at=starts_at,
                ends_at=ends_at,
                break_minutes=old.break_minutes,
            )
        )
    await session.flush()
    return await get_week(session, caller, day)


async def my_shifts(session: AsyncSession, caller: Caller, day: dt.date | None) -> WeekRead:
    """The signed-in member's published shifts of the week holding ``day`` (today's by
    default), changed and cancelled ones flagged."""
    venue = await venues.get(session, caller.venue_id)
    monday = week_start(day or venues.business_day(venue, now_utc()))
    rows = await _week_rows(
        session,
        venue.id,
        venue.timezone,
        monday,
        PlannedShift.staff_id == (caller.actor or 0),
        PlannedShift.published_at.is_not(None),
    )
    return WeekRead(week=monday, shifts=await reads(session, venue.id, rows))
