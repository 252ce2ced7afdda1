"""Managing the menu: categories, items, modifier groups and options, availability
schedules, stations and courses.

Each use case locks the row it changes, compares the caller's ``version`` (409 with the
current row if stale), validates every reference (422 naming the field, nothing
written), bumps ``version``, writes an audit entry and records an event carrying the
new state on the topic handhelds follow, so their menus change without a reload.
Items and categories that checks or sales name are archived, never deleted: a line
keeps the name, price, tax rate and modifiers it was ordered with (docs/decisions/1220).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

import msgspec
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, Forbidden, Invalid, NotFound
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.menu import service as menu
from pos_service.menu.admin_schemas import (
    CategoryCreate,
    CategoryPatch,
    CoursesPut,
    CoursesRead,
    GroupCreate,
    GroupPatch,
    ItemCreate,
    OptionCreate,
    OptionPatch,
    Removed,
    ScheduleCreate,
    SchedulePatch,
    StationCreate,
    StationPatch,
)
from pos_service.menu.events import (
    CategoryRemoved,
    CategorySaved,
    CoursesChanged,
    GroupRemoved,
    GroupSaved,
    ItemAvailabilityChanged,
    ItemRemoved,
    ItemSaved,
    ScheduleRemoved,
    ScheduleSaved,
    StationRemoved,
    StationSaved,
)
from pos_service.menu.models import (
    Category,
    CategorySchedule,
    Item,
    ItemModifierGroup,
    ItemSchedule,
    ModifierGroup,
    ModifierOption,
    Schedule,
    Station,
)
from pos_service.menu.schemas import (
    CategoryRead,
    ItemPatch,
    ItemRead,
    ModifierGroupRead,
    ScheduleRead,
    StationRead,
)
from pos_service.venues import service as venues

TOPICS = menu.MENU_TOPICS
P = ParamSpec("P")
T = TypeVar("T")


async def lock_menu(session: AsyncSession, venue_id: int) -> None:
    """Serialise the venue's menu changes (docs/locking.md): taken first, before any row
    lock, so that two editors (or an editor and an import) never deadlock, and a name
    checked free stays free until the commit."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('menu_admin'), CAST(:v AS integer))"),
        {"v": venue_id},
    )


def serialised(
    fn: Callable[Concatenate[AsyncSession, Caller, P], Awaitable[T]],
) -> Callable[Concatenate[AsyncSession, Caller, P], Awaitable[T]]:
    """Run a menu change under :func:`lock_menu`."""

    @functools.wraps(fn)
    async def run(session: AsyncSession, caller: Caller, /, *args: P.args, **kwargs: P.kwargs) -> T:
        await lock_menu(session, caller.venue_id)
        return await fn(session, caller, *args, **kwargs)

    return run


def tax_rate_bp_of(ppm: int, field: str = "tax_rate_ppm") -> int:
    """The basis points stored today for a rate the API takes in parts per million.
    Until rates are stored in ppm, a rate must be a whole number of basis points."""
    if ppm % 100:
        raise Invalid(
            f"{ppm} ppm is not supported yet: use a multiple of 100 (0.01 %)", field=field
        )
    return ppm // 100


M = TypeVar("M", Station, Category, Item, ModifierGroup, ModifierOption, Schedule)


async def _locked(session: AsyncSession, model: type[M], venue_id: int, id_: int, what: str) -> M:
    row = await session.get(model, (venue_id, id_), with_for_update=True)
    if row is None:
        raise NotFound(f"no {what} {id_}", field=f"{what.replace(' ', '_')}_id")
    return row


def _fresh(row: M, version: int, what: str, current: msgspec.Struct) -> None:
    """409 with the current state if ``version`` is not the row's."""
    if row.version != version:
        raise Conflict(
            f"{what} {row.id} changed (version {row.version}, not {version})",
            field="version",
            current=msgspec.to_builtins(current),
        )


async def _name_free(
    session: AsyncSession, model: type[M], venue_id: int, name: str, but: int | None = None
) -> None:
    query = select(model.id).where(model.venue_id == venue_id, model.name == name)
    if but is not None:
        query = query.where(model.id != but)
    if await session.scalar(query) is not None:
        raise Conflict(f"the name {name!r} is taken", field="name")


async def _station(session: AsyncSession, venue_id: int, station_id: int | None) -> None:
    if station_id is not None and await session.get(Station, (venue_id, station_id)) is None:
        raise Invalid(f"unknown station {station_id}", field="station_id")


async def _course(session: AsyncSession, venue_id: int, course: str | None, field: str) -> None:
    if course is None:
        return
    venue = await venues.get(session, venue_id)
    if course not in venue.courses:
        raise Invalid(f"unknown course {course!r}; one of {list(venue.courses)}", field=field)


async def _known(
    session: AsyncSession, model: type[M], venue_id: int, ids: Sequence[int], field: str
) -> list[int]:
    wanted = list(dict.fromkeys(ids))
    found = set(
        (
            await session.execute(
                select(model.id).where(model.venue_id == venue_id, model.id.in_(wanted))
            )
        ).scalars()
    )
    for id_ in wanted:
        if id_ not in found:
            raise Invalid(
                f"unknown {field.removesuffix('_ids').replace('_', ' ')} {id_}", field=field
            )
    return wanted


async def _category(session: AsyncSession, venue_id: int, category_id: int) -> Category:
    category = await session.get(Category, (venue_id, category_id))
    if category is None or category.archived:
        raise Invalid(f"unknown category {category_id}", field="category_id")
    return category


def _publish(session: AsyncSession, caller: Caller, event: events.DomainEvent) -> None:
    events.record(session, caller.venue_id, TOPICS, event)


async def _audit(
    session: AsyncSession, caller: Caller, action: str, subject: str, detail: dict[str, Any]
) -> None:
    await audit.record(session, caller, action, subject, detail)


def _set(row: Any, changes: dict[str, Any], name: str, value: Any) -> None:
    """Set ``row.name`` to ``value``, noting [old, new] in ``changes`` if it differs."""
    old = getattr(row, name)
    if isinstance(old, list | tuple):
        old = list(old)
    if old != value:
        changes[name] = [old, value]
        setattr(row, name, value)


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


async def _links(
    session: AsyncSession, model: Any, column: Any, key: Any, venue_id: int, id_: int
) -> list[int]:
    return list(
        (
            await session.execute(
                select(column).where(model.venue_id == venue_id, key == id_).order_by(column)
            )
        ).scalars()
    )


@serialised
async def create_item(session: AsyncSession, caller: Caller, data: ItemCreate) -> ItemRead:
    """Add an item to a category."""
    v = caller.venue_id
    await _category(session, v, data.category_id)
    await _station(session, v, data.station_id)
    await _course(session, v, data.default_course, "default_course")
    groups = await _known(session, ModifierGroup, v, data.modifier_group_ids, "modifier_group_ids")
    schedules = await _known(session, Schedule, v, data.schedule_ids, "schedule_ids")
    bp = tax_rate_bp_of(data.tax_rate_ppm)
    await _name_free(session, Item, v, data.name)
    item = Item(
        venue_id=v,
        category_id=data.category_id,
        name=data.name,
        description=data.description,
        price=data.price,
        tax_rate_bp=bp,
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
        {"name": item.name, "price": item.price, "tax_rate_bp": bp},
    )
    _publish(session, caller, ItemSaved(item=msgspec.to_builtins(read)))
    return read


async def _change_item(session: AsyncSession, caller: Caller, item: Item, patch: ItemPatch) -> bool:
    """Apply what a manager may change of an item; whether anything of it was asked."""
    asked = [f for f in (*ItemPatch.DEFINITION, "gift_card") if getattr(patch, f) is not UNSET]
    if not asked:
        return False
    if not caller.has_any():
        raise Forbidden(f"only a manager changes an item's {asked[0]}", field=asked[0])
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
        _set(item, changes, "tax_rate_bp", tax_rate_bp_of(patch.tax_rate_ppm))
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
            f"{category.name} still has {counts[False]} item(s); move or remove them first",
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
            f"min_choices {min_choices} is above max_choices {max_choices}", field="min_choices"
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
            raise Invalid(f"the option {name!r} appears twice", field="options")
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
        raise Conflict(f"{group.name} already has the option {data.name!r}", field="name")
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
            f"{station.name} is the station of {', '.join(users)}; route them elsewhere first",
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
            f"{station.name} has kitchen tickets on record; rename it instead", field="station_id"
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
            f"the courses changed (version {current.version}, not {data.version})",
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
                f"the course {used!r} is in use by items, categories or open checks",
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


__all__ = [
    "create_category",
    "create_group",
    "create_item",
    "create_option",
    "create_schedule",
    "create_station",
    "get_courses",
    "patch_category",
    "patch_group",
    "patch_item",
    "patch_option",
    "patch_schedule",
    "patch_station",
    "put_courses",
    "remove_category",
    "remove_group",
    "remove_item",
    "remove_option",
    "remove_schedule",
    "remove_station",
    "tax_rate_bp_of",
]
