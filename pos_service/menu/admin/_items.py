"""Creating, changing and removing items."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.errors import Forbidden, Invalid
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.menu import service as menu
from pos_service.menu.admin._common import (
    _audit,
    _category,
    _course,
    _fresh,
    _known,
    _links,
    _locked,
    _name_free,
    _publish,
    _set,
    _station,
    lock_menu,
    serialised,
)
from pos_service.menu.admin_schemas import (
    ItemCreate,
    Removed,
)
from pos_service.menu.events import (
    ItemAvailabilityChanged,
    ItemRemoved,
    ItemSaved,
)
from pos_service.menu.models import (
    Item,
    ItemModifierGroup,
    ItemSchedule,
    ModifierGroup,
    Schedule,
)
from pos_service.menu.schemas import (
    ItemPatch,
    ItemRead,
)

# --- items


async def _link_item(
    session: AsyncSession,
    venue_id: int,
    item_id: int,
    group_ids: list[int] | None,
    schedule_ids: list[int] | None,
) -> None:
    if group_ids is not None:
        await session.execute(
            delete(ItemModifierGroup).where(
                ItemModifierGroup.venue_id == venue_id, ItemModifierGroup.item_id == item_id
            )
        )
        session.add_all(
            ItemModifierGroup(venue_id=venue_id, item_id=item_id, group_id=g, position=n)
            for n, g in enumerate(group_ids)
        )
    if schedule_ids is not None:
        await session.execute(
            delete(ItemSchedule).where(
                ItemSchedule.venue_id == venue_id, ItemSchedule.item_id == item_id
            )
        )
        session.add_all(
            ItemSchedule(venue_id=venue_id, item_id=item_id, schedule_id=s) for s in schedule_ids
        )
    await session.flush()


@serialised
async def create_item(session: AsyncSession, caller: Caller, data: ItemCreate) -> ItemRead:
    """Add an item to a category."""
    v = caller.venue_id
    await _category(session, v, data.category_id)
    await _station(session, v, data.station_id)
    await _course(session, v, data.default_course, "default_course")
    groups = await _known(session, ModifierGroup, v, data.modifier_group_ids, "modifier_group_ids")
    schedules = await _known(session, Schedule, v, data.schedule_ids, "schedule_ids")
    await _name_free(session, Item, v, data.name)
    item = Item(
        venue_id=v,
        category_id=data.category_id,
        name=data.name,
        description=data.description,
        price=data.price,
        tax_rate_ppm=data.tax_rate_ppm,
        station_id=data.station_id,
        default_course=data.default_course,
        prep_minutes=data.prep_minutes,
        allergens=[str(a) for a in data.allergens],
        position=data.position,
        gift_card=data.gift_card,
        available=True,
        version=1,
        archived=False,
    )
    session.add(item)
    await session.flush()
    await _link_item(session, v, item.id, groups, schedules)
    read = await menu.item_read(session, v, item)
    await _audit(
        session,
        caller,
        "menu.item_created",
        f"item:{item.id}",
        {"name": item.name, "price": item.price, "tax_rate_ppm": data.tax_rate_ppm},
    )
    _publish(session, caller, ItemSaved(item=msgspec.to_builtins(read)))
    return read


async def _change_item(session: AsyncSession, caller: Caller, item: Item, patch: ItemPatch) -> bool:
    """Apply what a manager may change of an item; whether anything of it was asked."""
    asked = [f for f in (*ItemPatch.DEFINITION, "gift_card") if getattr(patch, f) is not UNSET]
    if not asked:
        return False
    if not caller.has_any():
        raise Forbidden(
            "only a manager changes an item's {item_id}", item_id=asked[0], field=asked[0]
        )
    v = caller.venue_id
    if patch.version is not UNSET:
        _fresh(item, patch.version, "item", await menu.item_read(session, v, item))
    elif asked != ["gift_card"]:
        raise Invalid("the version read is required to change an item", field="version")
    changes: dict[str, Any] = {}
    await _change_references(session, v, item, patch, changes)
    for name in ("description", "price", "prep_minutes", "position", "gift_card", "archived"):
        value = getattr(patch, name)
        if value is not UNSET:
            _set(item, changes, name, value)
    if patch.tax_rate_ppm is not UNSET:
        _set(item, changes, "tax_rate_ppm", patch.tax_rate_ppm)
    if patch.allergens is not UNSET:
        _set(item, changes, "allergens", [str(a) for a in dict.fromkeys(patch.allergens)])
    await _change_links(session, v, item, patch, changes)
    item.version += 1
    await _audit(session, caller, "menu.item_changed", f"item:{item.id}", changes)
    return True


async def _change_references(
    session: AsyncSession, v: int, item: Item, patch: ItemPatch, changes: dict[str, Any]
) -> None:
    """The fields of an item that name something else, each checked (422 naming it)."""
    if patch.category_id is not UNSET:
        await _category(session, v, patch.category_id)
        _set(item, changes, "category_id", patch.category_id)
    if patch.name is not UNSET:
        await _name_free(session, Item, v, patch.name, item.id)
        _set(item, changes, "name", patch.name)
    if patch.station_id is not UNSET:
        await _station(session, v, patch.station_id)
        _set(item, changes, "station_id", patch.station_id)
    if patch.default_course is not UNSET:
        await _course(session, v, patch.default_course, "default_course")
        _set(item, changes, "default_course", patch.default_course)


async def _change_links(
    session: AsyncSession, v: int, item: Item, patch: ItemPatch, changes: dict[str, Any]
) -> None:
    """An item's modifier groups (in order) and schedules."""
    groups = schedules = None
    if patch.modifier_group_ids is not UNSET:
        groups = await _known(
            session, ModifierGroup, v, patch.modifier_group_ids, "modifier_group_ids"
        )
        old = await menu.get_menu_item_groups(session, v, item.id)
        if [g.id for g in old] != groups:
            changes["modifier_group_ids"] = [[g.id for g in old], groups]
    if patch.schedule_ids is not UNSET:
        schedules = await _known(session, Schedule, v, patch.schedule_ids, "schedule_ids")
        old_s = await _links(
            session, ItemSchedule, ItemSchedule.schedule_id, ItemSchedule.item_id, v, item.id
        )
        if sorted(old_s) != sorted(schedules):
            changes["schedule_ids"] = [old_s, schedules]
    await _link_item(session, v, item.id, groups, schedules)


async def patch_item(
    session: AsyncSession, caller: Caller, item_id: int, patch: ItemPatch
) -> ItemRead:
    """86 an item, bring it back, or set its remaining count (0 makes it unavailable);
    a manager may also change what the item is, naming the version read. An 86 or a
    count is live state: it does not bump the version a manager's edit compares."""
    if any(getattr(patch, f) is not UNSET for f in (*ItemPatch.DEFINITION, "gift_card")):
        await lock_menu(session, caller.venue_id)
    item = await _locked(session, Item, caller.venue_id, item_id, "item")
    defined = await _change_item(session, caller, item, patch)
    live = False
    if patch.remaining is not UNSET:
        item.remaining = patch.remaining
        if patch.remaining is not None:
            item.available = patch.remaining > 0
        live = True
    if patch.available is not UNSET:
        item.available = patch.available
        live = True
    await session.flush()
    read = await menu.item_read(session, caller.venue_id, item)
    if live:
        _publish(
            session,
            caller,
            ItemAvailabilityChanged(
                item_id=item.id, name=item.name, available=item.available, remaining=item.remaining
            ),
        )
    if defined:
        _publish(
            session,
            caller,
            ItemRemoved(item_id=item.id, category_id=item.category_id, archived=True)
            if item.archived
            else ItemSaved(item=msgspec.to_builtins(read)),
        )
    return read


async def _item_in_use(session: AsyncSession, venue_id: int, item_id: int) -> bool:
    """Whether a check line (open or past) or a recipe names the item."""
    found = await session.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM check_lines WHERE venue_id = :v AND item_id = :i) "
            "OR EXISTS (SELECT 1 FROM recipe_lines WHERE venue_id = :v AND item_id = :i)"
        ),
        {"v": venue_id, "i": item_id},
    )
    return bool(found.scalar_one())


@serialised
async def remove_item(
    session: AsyncSession, caller: Caller, item_id: int, version: int | None
) -> Removed:
    """Take an item off the menu: archived if checks or sales name it, else deleted."""
    v = caller.venue_id
    item = await _locked(session, Item, v, item_id, "item")
    if version is not None:
        _fresh(item, version, "item", await menu.item_read(session, v, item))
    archive = await _item_in_use(session, v, item_id)
    if archive:
        item.archived = True
        item.version += 1
    else:
        await session.execute(
            delete(ItemModifierGroup).where(
                ItemModifierGroup.venue_id == v, ItemModifierGroup.item_id == item_id
            )
        )
        await session.delete(item)
    await session.flush()
    outcome: Literal["archived", "deleted"] = "archived" if archive else "deleted"
    await _audit(session, caller, f"menu.item_{outcome}", f"item:{item_id}", {"name": item.name})
    _publish(
        session,
        caller,
        ItemRemoved(item_id=item_id, category_id=item.category_id, archived=archive),
    )
    return Removed(id=item_id, outcome=outcome)
