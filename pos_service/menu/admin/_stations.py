"""Stations and the course list."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, Invalid
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.menu import service as menu
from pos_service.menu.admin._common import (
    _audit,
    _fresh,
    _locked,
    _name_free,
    _publish,
    _set,
    serialised,
)
from pos_service.menu.admin_schemas import (
    CoursesPut,
    CoursesRead,
    Removed,
    StationCreate,
    StationPatch,
)
from pos_service.menu.events import (
    CoursesChanged,
    StationRemoved,
    StationSaved,
)
from pos_service.menu.models import (
    Category,
    Item,
    Station,
)
from pos_service.menu.schemas import (
    StationRead,
)
from pos_service.venues import service as venues

# --- stations


async def _station_saved(
    session: AsyncSession, caller: Caller, station: Station, action: str, detail: dict[str, Any]
) -> StationRead:
    await session.flush()
    read = menu.station_read(station)
    await _audit(session, caller, action, f"station:{station.id}", detail)
    _publish(session, caller, StationSaved(station=msgspec.to_builtins(read)))
    return read


@serialised
async def create_station(session: AsyncSession, caller: Caller, data: StationCreate) -> StationRead:
    await _name_free(session, Station, caller.venue_id, data.name)
    station = Station(
        venue_id=caller.venue_id,
        name=data.name,
        kind=data.kind,
        warn_minutes=data.warn_minutes,
        late_minutes=data.late_minutes,
        version=1,
    )
    session.add(station)
    return await _station_saved(
        session, caller, station, "station.created", {"name": data.name, "kind": data.kind}
    )


@serialised
async def patch_station(
    session: AsyncSession, caller: Caller, station_id: int, data: StationPatch
) -> StationRead:
    v = caller.venue_id
    station = await _locked(session, Station, v, station_id, "station")
    _fresh(station, data.version, "station", menu.station_read(station))
    changes: dict[str, Any] = {}
    if data.name is not UNSET:
        await _name_free(session, Station, v, data.name, station.id)
        _set(station, changes, "name", data.name)
    if data.kind is not UNSET:
        _set(station, changes, "kind", data.kind)
    if data.warn_minutes is not UNSET:
        _set(station, changes, "warn_minutes", data.warn_minutes)
    if data.late_minutes is not UNSET:
        _set(station, changes, "late_minutes", data.late_minutes)
    station.version += 1
    return await _station_saved(session, caller, station, "station.changed", changes)


@serialised
async def remove_station(
    session: AsyncSession, caller: Caller, station_id: int, version: int | None
) -> Removed:
    """Delete a station that no item, category or kitchen ticket names (409 otherwise)."""
    v = caller.venue_id
    station = await _locked(session, Station, v, station_id, "station")
    if version is not None:
        _fresh(station, version, "station", menu.station_read(station))
    users = list(
        (
            await session.execute(
                select(Item.name)
                .where(Item.venue_id == v, Item.station_id == station_id)
                .union_all(
                    select(Category.name).where(
                        Category.venue_id == v, Category.station_id == station_id
                    )
                )
                .limit(5)
            )
        ).scalars()
    )
    if users:
        raise Conflict(
            "{station} is the station of {users}; route them elsewhere first",
            station=station.name,
            users=", ".join(users),
            field="station_id",
        )
    tickets = await session.scalar(
        text(
            "SELECT EXISTS (SELECT 1 FROM kitchen_tickets WHERE venue_id = :v AND station_id = :s)"
        ),
        {"v": v, "s": station_id},
    )
    if tickets:
        raise Conflict(
            "{station} has kitchen tickets on record; rename it instead",
            station=station.name,
            field="station_id",
        )
    await session.delete(station)
    await session.flush()
    await _audit(
        session, caller, "station.deleted", f"station:{station_id}", {"name": station.name}
    )
    _publish(session, caller, StationRemoved(station_id=station_id))
    return Removed(id=station_id, outcome="deleted")


# --- courses


async def get_courses(session: AsyncSession, caller: Caller) -> CoursesRead:
    venue = await venues.get(session, caller.venue_id)
    return CoursesRead(
        courses=list(venue.courses), version=await menu.courses_version(session, venue.id)
    )


@serialised
async def put_courses(session: AsyncSession, caller: Caller, data: CoursesPut) -> CoursesRead:
    """Replace the venue's courses (firing order); a course that items, categories or
    lines of open checks use cannot be taken away (422 naming it)."""
    v = caller.venue_id
    venue = await venues.get(session, v)
    current = CoursesRead(
        courses=list(venue.courses), version=await menu.courses_version(session, v)
    )
    if data.version != current.version:
        raise Conflict(
            "the courses changed (version {version}, not {version2})",
            version=current.version,
            version2=data.version,
            field="version",
            current=msgspec.to_builtins(current),
        )
    if len(set(data.courses)) != len(data.courses):
        raise Invalid("a course is named twice", field="courses")
    gone = [c for c in current.courses if c not in data.courses]
    if gone:
        used = (
            (
                await session.execute(
                    text(
                        "SELECT default_course FROM categories WHERE venue_id = :v "
                        "AND default_course = ANY(:g) AND NOT archived "
                        "UNION SELECT default_course FROM items WHERE venue_id = :v "
                        "AND default_course = ANY(:g) AND NOT archived "
                        "UNION SELECT l.course FROM check_lines l JOIN checks c "
                        "ON c.venue_id = l.venue_id AND c.id = l.check_id "
                        "WHERE l.venue_id = :v AND c.status = 'open' AND l.course = ANY(:g)"
                    ),
                    {"v": v, "g": gone},
                )
            )
            .scalars()
            .first()
        )
        if used is not None:
            raise Invalid(
                "the course {used!r} is in use by items, categories or open checks",
                used=used,
                field="courses",
            )
    venue.courses = list(data.courses)
    version = await events.next_value(session, v, menu.COURSES_COUNTER)
    await session.flush()
    await _audit(
        session,
        caller,
        "menu.courses_changed",
        f"venue:{v}",
        {"courses": [current.courses, data.courses]},
    )
    _publish(session, caller, CoursesChanged(courses=list(data.courses), version=version))
    return CoursesRead(courses=list(data.courses), version=version)
