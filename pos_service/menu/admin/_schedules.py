"""Availability schedules."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.errors import Invalid
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
    Removed,
    ScheduleCreate,
    SchedulePatch,
)
from pos_service.menu.events import (
    ScheduleRemoved,
    ScheduleSaved,
)
from pos_service.menu.models import (
    Schedule,
)
from pos_service.menu.schemas import (
    ScheduleRead,
)

# --- schedules


def _times(starts: Any, ends: Any) -> None:
    if starts == ends:
        raise Invalid("a schedule must not start when it ends", field="ends")


async def _schedule_saved(
    session: AsyncSession, caller: Caller, schedule: Schedule, action: str, detail: dict[str, Any]
) -> ScheduleRead:
    await session.flush()
    read = menu.schedule_read(schedule)
    await _audit(session, caller, action, f"menu_schedule:{schedule.id}", detail)
    _publish(session, caller, ScheduleSaved(schedule=msgspec.to_builtins(read)))
    return read


@serialised
async def create_schedule(
    session: AsyncSession, caller: Caller, data: ScheduleCreate
) -> ScheduleRead:
    v = caller.venue_id
    _times(data.starts, data.ends)
    await _name_free(session, Schedule, v, data.name)
    schedule = Schedule(
        venue_id=v,
        name=data.name,
        weekdays=sorted(set(data.weekdays)),
        starts=data.starts,
        ends=data.ends,
        version=1,
    )
    session.add(schedule)
    return await _schedule_saved(
        session, caller, schedule, "menu.schedule_created", {"name": data.name}
    )


@serialised
async def patch_schedule(
    session: AsyncSession, caller: Caller, schedule_id: int, data: SchedulePatch
) -> ScheduleRead:
    v = caller.venue_id
    schedule = await _locked(session, Schedule, v, schedule_id, "schedule")
    _fresh(schedule, data.version, "schedule", menu.schedule_read(schedule))
    changes: dict[str, Any] = {}
    if data.name is not UNSET:
        await _name_free(session, Schedule, v, data.name, schedule.id)
        _set(schedule, changes, "name", data.name)
    if data.weekdays is not UNSET:
        _set(schedule, changes, "weekdays", sorted(set(data.weekdays)))
    starts = schedule.starts if data.starts is UNSET else data.starts
    ends = schedule.ends if data.ends is UNSET else data.ends
    _times(starts, ends)
    schedule.starts, schedule.ends = starts, ends
    schedule.version += 1
    return await _schedule_saved(
        session, caller, schedule, "menu.schedule_changed", msgspec.to_builtins(changes)
    )


@serialised
async def remove_schedule(
    session: AsyncSession, caller: Caller, schedule_id: int, version: int | None
) -> Removed:
    v = caller.venue_id
    schedule = await _locked(session, Schedule, v, schedule_id, "schedule")
    if version is not None:
        _fresh(schedule, version, "schedule", menu.schedule_read(schedule))
    await session.delete(schedule)
    await session.flush()
    await _audit(
        session,
        caller,
        "menu.schedule_deleted",
        f"menu_schedule:{schedule_id}",
        {"name": schedule.name},
    )
    _publish(session, caller, ScheduleRemoved(schedule_id=schedule_id))
    return Removed(id=schedule_id, outcome="deleted")
