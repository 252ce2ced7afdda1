"""Creating, changing and removing categories."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.menu import service as menu
from pos_service.menu.admin._common import (
    _audit,
    _course,
    _fresh,
    _known,
    _links,
    _locked,
    _name_free,
    _publish,
    _set,
    _station,
    serialised,
)
from pos_service.menu.admin_schemas import (
    CategoryCreate,
    CategoryPatch,
    Removed,
)
from pos_service.menu.events import (
    CategoryRemoved,
    CategorySaved,
)
from pos_service.menu.models import (
    Category,
    CategorySchedule,
    Item,
    Schedule,
)
from pos_service.menu.schemas import (
    CategoryRead,
)

# --- categories


async def category_read(session: AsyncSession, category: Category) -> CategoryRead:
    schedules = await _links(
        session,
        CategorySchedule,
        CategorySchedule.schedule_id,
        CategorySchedule.category_id,
        category.venue_id,
        category.id,
    )
    return menu.category_read(category, [], schedules)


async def _link_category(
    session: AsyncSession, venue_id: int, category_id: int, schedule_ids: list[int]
) -> None:
    await session.execute(
        delete(CategorySchedule).where(
            CategorySchedule.venue_id == venue_id, CategorySchedule.category_id == category_id
        )
    )
    session.add_all(
        CategorySchedule(venue_id=venue_id, category_id=category_id, schedule_id=s)
        for s in schedule_ids
    )
    await session.flush()


async def _category_saved(
    session: AsyncSession, caller: Caller, category: Category, action: str, detail: dict[str, Any]
) -> CategoryRead:
    read = await category_read(session, category)
    await _audit(session, caller, action, f"category:{category.id}", detail)
    _publish(session, caller, CategorySaved(category=msgspec.to_builtins(read)))
    return read


@serialised
async def create_category(
    session: AsyncSession, caller: Caller, data: CategoryCreate
) -> CategoryRead:
    v = caller.venue_id
    await _station(session, v, data.station_id)
    await _course(session, v, data.default_course, "default_course")
    schedules = await _known(session, Schedule, v, data.schedule_ids, "schedule_ids")
    await _name_free(session, Category, v, data.name)
    category = Category(
        venue_id=v,
        name=data.name,
        position=data.position,
        station_id=data.station_id,
        default_course=data.default_course,
        version=1,
        archived=False,
    )
    session.add(category)
    await session.flush()
    await _link_category(session, v, category.id, schedules)
    return await _category_saved(
        session, caller, category, "menu.category_created", {"name": category.name}
    )


@serialised
async def patch_category(
    session: AsyncSession, caller: Caller, category_id: int, data: CategoryPatch
) -> CategoryRead:
    v = caller.venue_id
    category = await _locked(session, Category, v, category_id, "category")
    _fresh(category, data.version, "category", await category_read(session, category))
    changes: dict[str, Any] = {}
    if data.name is not UNSET:
        await _name_free(session, Category, v, data.name, category.id)
        _set(category, changes, "name", data.name)
    if data.default_course is not UNSET:
        await _course(session, v, data.default_course, "default_course")
        _set(category, changes, "default_course", data.default_course)
    if data.station_id is not UNSET:
        await _station(session, v, data.station_id)
        _set(category, changes, "station_id", data.station_id)
    if data.position is not UNSET:
        _set(category, changes, "position", data.position)
    if data.archived is not UNSET:
        if data.archived:
            await _empty(session, category)
        _set(category, changes, "archived", data.archived)
    if data.schedule_ids is not UNSET:
        schedules = await _known(session, Schedule, v, data.schedule_ids, "schedule_ids")
        changes["schedule_ids"] = schedules
        await _link_category(session, v, category.id, schedules)
    category.version += 1
    await session.flush()
    if category.archived:
        await _audit(session, caller, "menu.category_archived", f"category:{category.id}", changes)
        _publish(session, caller, CategoryRemoved(category_id=category.id))
        return await category_read(session, category)
    return await _category_saved(session, caller, category, "menu.category_changed", changes)


async def _empty(session: AsyncSession, category: Category) -> int:
    """409 if the category still has items on the menu; how many archived ones it has."""
    found = await session.execute(
        select(Item.archived, func.count())
        .where(Item.venue_id == category.venue_id, Item.category_id == category.id)
        .group_by(Item.archived)
    )
    counts: dict[bool, int] = {bool(archived): int(n) for archived, n in found.all()}
    if counts.get(False):
        raise Conflict(
            "{category} still has {count} item(s); move or remove them first",
            category=category.name,
            count=counts[False],
            field="category_id",
        )
    return int(counts.get(True, 0))


@serialised
async def remove_category(
    session: AsyncSession, caller: Caller, category_id: int, version: int | None
) -> Removed:
    """Remove an empty category: archived if archived items keep it, else deleted."""
    v = caller.venue_id
    category = await _locked(session, Category, v, category_id, "category")
    if version is not None:
        _fresh(category, version, "category", await category_read(session, category))
    archive = await _empty(session, category) > 0
    if archive:
        category.archived = True
        category.version += 1
    else:
        await session.delete(category)
    await session.flush()
    outcome: Literal["archived", "deleted"] = "archived" if archive else "deleted"
    await _audit(
        session,
        caller,
        f"menu.category_{outcome}",
        f"category:{category_id}",
        {"name": category.name},
    )
    _publish(session, caller, CategoryRemoved(category_id=category_id))
    return Removed(id=category_id, outcome=outcome)
