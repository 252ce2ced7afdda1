"""Modifier groups and their options."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

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
    GroupCreate,
    GroupPatch,
    OptionCreate,
    OptionPatch,
    Removed,
)
from pos_service.menu.events import (
    GroupRemoved,
    GroupSaved,
)
from pos_service.menu.models import (
    ItemModifierGroup,
    ModifierGroup,
    ModifierOption,
)
from pos_service.menu.schemas import (
    ModifierGroupRead,
)

# --- modifier groups and options


async def group_read(session: AsyncSession, group: ModifierGroup) -> ModifierGroupRead:
    options = (
        await session.execute(
            select(ModifierOption)
            .where(ModifierOption.venue_id == group.venue_id, ModifierOption.group_id == group.id)
            .order_by(ModifierOption.position, ModifierOption.id)
        )
    ).scalars()
    return menu.group_read(group, [menu.option_read(o) for o in options])


def _choices(min_choices: int, max_choices: int) -> None:
    if min_choices > max_choices:
        raise Invalid(
            "min_choices {min_choices} is above max_choices {max_choices}",
            min_choices=min_choices,
            max_choices=max_choices,
            field="min_choices",
        )


async def _group_saved(
    session: AsyncSession, caller: Caller, group: ModifierGroup, action: str, detail: dict[str, Any]
) -> ModifierGroupRead:
    await session.flush()
    read = await group_read(session, group)
    await _audit(session, caller, action, f"modifier_group:{group.id}", detail)
    _publish(session, caller, GroupSaved(group=msgspec.to_builtins(read)))
    return read


def _option_names_unique(names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise Invalid("the option {name!r} appears twice", name=name, field="options")
        seen.add(name)


@serialised
async def create_group(
    session: AsyncSession, caller: Caller, data: GroupCreate
) -> ModifierGroupRead:
    v = caller.venue_id
    _choices(data.min_choices, data.max_choices)
    _option_names_unique(o.name for o in data.options)
    await _name_free(session, ModifierGroup, v, data.name)
    group = ModifierGroup(
        venue_id=v,
        name=data.name,
        min_choices=data.min_choices,
        max_choices=data.max_choices,
        version=1,
    )
    session.add(group)
    await session.flush()
    session.add_all(
        ModifierOption(
            venue_id=v,
            group_id=group.id,
            name=o.name,
            price_delta=o.price_delta,
            position=o.position or n,
            version=1,
        )
        for n, o in enumerate(data.options)
    )
    return await _group_saved(
        session,
        caller,
        group,
        "menu.modifier_group_created",
        {"name": group.name, "options": [[o.name, o.price_delta] for o in data.options]},
    )


@serialised
async def patch_group(
    session: AsyncSession, caller: Caller, group_id: int, data: GroupPatch
) -> ModifierGroupRead:
    v = caller.venue_id
    group = await _locked(session, ModifierGroup, v, group_id, "modifier group")
    _fresh(group, data.version, "modifier group", await group_read(session, group))
    changes: dict[str, Any] = {}
    if data.name is not UNSET:
        await _name_free(session, ModifierGroup, v, data.name, group.id)
        _set(group, changes, "name", data.name)
    low = group.min_choices if data.min_choices is UNSET else data.min_choices
    high = group.max_choices if data.max_choices is UNSET else data.max_choices
    _choices(low, high)
    _set(group, changes, "min_choices", low)
    _set(group, changes, "max_choices", high)
    group.version += 1
    return await _group_saved(session, caller, group, "menu.modifier_group_changed", changes)


@serialised
async def remove_group(
    session: AsyncSession, caller: Caller, group_id: int, version: int | None
) -> Removed:
    """Delete a modifier group, its options and its place on items; lines already
    ordered keep the options they were ordered with (they hold a copy)."""
    v = caller.venue_id
    group = await _locked(session, ModifierGroup, v, group_id, "modifier group")
    if version is not None:
        _fresh(group, version, "modifier group", await group_read(session, group))
    await session.execute(
        delete(ItemModifierGroup).where(
            ItemModifierGroup.venue_id == v, ItemModifierGroup.group_id == group_id
        )
    )
    await session.execute(
        delete(ModifierOption).where(
            ModifierOption.venue_id == v, ModifierOption.group_id == group_id
        )
    )
    await session.delete(group)
    await session.flush()
    await _audit(
        session,
        caller,
        "menu.modifier_group_deleted",
        f"modifier_group:{group_id}",
        {"name": group.name},
    )
    _publish(session, caller, GroupRemoved(group_id=group_id))
    return Removed(id=group_id, outcome="deleted")


@serialised
async def create_option(
    session: AsyncSession, caller: Caller, group_id: int, data: OptionCreate
) -> ModifierGroupRead:
    v = caller.venue_id
    group = await _locked(session, ModifierGroup, v, group_id, "modifier group")
    taken = await session.scalar(
        select(ModifierOption.id).where(
            ModifierOption.venue_id == v,
            ModifierOption.group_id == group_id,
            ModifierOption.name == data.name,
        )
    )
    if taken is not None:
        raise Conflict(
            "{group} already has the option {name!r}",
            group=group.name,
            name=data.name,
            field="name",
        )
    session.add(
        ModifierOption(
            venue_id=v,
            group_id=group_id,
            name=data.name,
            price_delta=data.price_delta,
            position=data.position,
            version=1,
        )
    )
    group.version += 1
    return await _group_saved(
        session,
        caller,
        group,
        "menu.modifier_option_created",
        {"name": data.name, "price_delta": data.price_delta},
    )


@serialised
async def patch_option(
    session: AsyncSession, caller: Caller, option_id: int, data: OptionPatch
) -> ModifierGroupRead:
    v = caller.venue_id
    option = await _locked(session, ModifierOption, v, option_id, "option")
    group = await _locked(session, ModifierGroup, v, option.group_id, "modifier group")
    _fresh(option, data.version, "option", await group_read(session, group))
    changes: dict[str, Any] = {}
    if data.name is not UNSET:
        _set(option, changes, "name", data.name)
    if data.price_delta is not UNSET:
        _set(option, changes, "price_delta", data.price_delta)
    if data.position is not UNSET:
        _set(option, changes, "position", data.position)
    option.version += 1
    group.version += 1
    return await _group_saved(
        session, caller, group, "menu.modifier_option_changed", {"option": option.id, **changes}
    )


@serialised
async def remove_option(
    session: AsyncSession, caller: Caller, option_id: int, version: int | None
) -> ModifierGroupRead:
    v = caller.venue_id
    option = await _locked(session, ModifierOption, v, option_id, "option")
    group = await _locked(session, ModifierGroup, v, option.group_id, "modifier group")
    if version is not None:
        _fresh(option, version, "option", await group_read(session, group))
    await session.delete(option)
    group.version += 1
    return await _group_saved(
        session,
        caller,
        group,
        "menu.modifier_option_deleted",
        {"option": option_id, "name": option.name},
    )
