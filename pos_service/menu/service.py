"""Reading the menu, changing an item's availability, copying a menu to another venue."""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVar

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, Invalid
from pos_service.core.models import Counter
from pos_service.menu.events import MenuCopied
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
    ItemRead,
    MenuCopy,
    MenuCopyResult,
    MenuRead,
    ModifierGroupRead,
    OptionRead,
    ScheduleRead,
    StationRead,
)
from pos_service.venues import service as venues

MENU_TOPICS = ["menu"]
"""Where menu events go: the handheld and the menu editor follow ``menu`` (docs/live.md)."""


COURSES_COUNTER = "menu_courses"
"""The venue's counter row holding the version of its course list."""


async def _groups(session: AsyncSession, venue_id: int) -> dict[int, ModifierGroupRead]:
    options: dict[int, list[OptionRead]] = defaultdict(list)
    for o in (
        await session.execute(
            select(ModifierOption)
            .where(ModifierOption.venue_id == venue_id)
            .order_by(ModifierOption.position, ModifierOption.id)
        )
    ).scalars():
        options[o.group_id].append(option_read(o))
    groups = (
        await session.execute(
            select(ModifierGroup)
            .where(ModifierGroup.venue_id == venue_id)
            .order_by(ModifierGroup.id)
        )
    ).scalars()
    return {g.id: group_read(g, options[g.id]) for g in groups}


def option_read(o: ModifierOption) -> OptionRead:
    return OptionRead(
        id=o.id, name=o.name, price_delta=o.price_delta, position=o.position, version=o.version
    )


def group_read(g: ModifierGroup, options: list[OptionRead]) -> ModifierGroupRead:
    return ModifierGroupRead(
        id=g.id,
        name=g.name,
        min_choices=g.min_choices,
        max_choices=g.max_choices,
        options=options,
        version=g.version,
    )


def schedule_read(s: Schedule) -> ScheduleRead:
    return ScheduleRead(
        id=s.id,
        name=s.name,
        weekdays=list(s.weekdays),
        starts=s.starts,
        ends=s.ends,
        version=s.version,
    )


def station_read(s: Station) -> StationRead:
    return StationRead(
        id=s.id,
        name=s.name,
        kind=s.kind,
        warn_minutes=s.warn_minutes,
        late_minutes=s.late_minutes,
        version=s.version,
    )


def category_read(
    c: Category, items: list[ItemRead], schedule_ids: list[int] | None = None
) -> CategoryRead:
    return CategoryRead(
        id=c.id,
        name=c.name,
        items=items,
        position=c.position,
        station_id=c.station_id,
        default_course=c.default_course,
        schedule_ids=schedule_ids or [],
        version=c.version,
        archived=c.archived,
    )


def _item_read(
    item: Item,
    category: Category,
    groups: list[ModifierGroupRead],
    schedule_ids: list[int] | None = None,
) -> ItemRead:
    return ItemRead(
        id=item.id,
        category_id=item.category_id,
        name=item.name,
        description=item.description,
        price=item.price,
        tax_rate_ppm=item.tax_rate_ppm,
        station_id=item.station_id if item.station_id is not None else category.station_id,
        default_course=item.default_course or category.default_course,
        prep_minutes=item.prep_minutes,
        allergens=list(item.allergens),
        available=item.available,
        remaining=item.remaining,
        gift_card=item.gift_card,
        modifier_groups=groups,
        version=item.version,
        position=item.position,
        schedule_ids=schedule_ids or [],
        archived=item.archived,
    )


async def courses_version(session: AsyncSession, venue_id: int) -> int:
    """The version of the venue's course list (0 until first changed)."""
    value = await session.scalar(
        select(Counter.value).where(Counter.venue_id == venue_id, Counter.name == COURSES_COUNTER)
    )
    return int(value or 0)


async def _schedule_links(
    session: AsyncSession, venue_id: int
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Schedule ids per item and per category."""
    by_item: dict[int, list[int]] = defaultdict(list)
    by_category: dict[int, list[int]] = defaultdict(list)
    for i, s in await session.execute(
        select(ItemSchedule.item_id, ItemSchedule.schedule_id)
        .where(ItemSchedule.venue_id == venue_id)
        .order_by(ItemSchedule.schedule_id)
    ):
        by_item[i].append(s)
    for c, s in await session.execute(
        select(CategorySchedule.category_id, CategorySchedule.schedule_id)
        .where(CategorySchedule.venue_id == venue_id)
        .order_by(CategorySchedule.schedule_id)
    ):
        by_category[c].append(s)
    return by_item, by_category


async def get_menu(session: AsyncSession, caller: Caller, archived: bool = False) -> MenuRead:
    """The venue's whole menu, categories in order, each with its items; archived items
    and categories only if ``archived`` (the editor's view)."""
    venue = await venues.get(session, caller.venue_id)
    groups = await _groups(session, venue.id)
    links: dict[int, list[ModifierGroupRead]] = defaultdict(list)
    for link in (
        await session.execute(
            select(ItemModifierGroup)
            .where(ItemModifierGroup.venue_id == venue.id)
            .order_by(ItemModifierGroup.position, ItemModifierGroup.group_id)
        )
    ).scalars():
        links[link.item_id].append(groups[link.group_id])
    item_schedules, category_schedules = await _schedule_links(session, venue.id)
    category_query = select(Category).where(Category.venue_id == venue.id)
    item_query = select(Item).where(Item.venue_id == venue.id)
    if not archived:
        category_query = category_query.where(Category.archived.is_(False))
        item_query = item_query.where(Item.archived.is_(False))
    categories = (
        (await session.execute(category_query.order_by(Category.position, Category.id)))
        .scalars()
        .all()
    )
    items: dict[int, list[Item]] = defaultdict(list)
    for item in (await session.execute(item_query.order_by(Item.position, Item.id))).scalars():
        items[item.category_id].append(item)
    stations = (
        await session.execute(
            select(Station).where(Station.venue_id == venue.id).order_by(Station.id)
        )
    ).scalars()
    schedules = (
        await session.execute(
            select(Schedule).where(Schedule.venue_id == venue.id).order_by(Schedule.id)
        )
    ).scalars()
    return MenuRead(
        currency=venue.currency,
        tax_inclusive=venue.tax_inclusive,
        courses=list(venue.courses),
        stations=[station_read(s) for s in stations],
        categories=[
            category_read(
                c,
                [_item_read(i, c, links[i.id], item_schedules[i.id]) for i in items[c.id]],
                category_schedules[c.id],
            )
            for c in categories
        ],
        timezone=venue.timezone,
        courses_version=await courses_version(session, venue.id),
        schedules=[schedule_read(s) for s in schedules],
        modifier_groups=sorted(groups.values(), key=lambda g: g.name),
    )


async def item_read(session: AsyncSession, venue_id: int, item: Item) -> ItemRead:
    """One item as the menu shows it."""
    category = await session.get(Category, (venue_id, item.category_id))
    assert category is not None
    groups = await get_menu_item_groups(session, venue_id, item.id)
    schedule_ids = list(
        (
            await session.execute(
                select(ItemSchedule.schedule_id)
                .where(ItemSchedule.venue_id == venue_id, ItemSchedule.item_id == item.id)
                .order_by(ItemSchedule.schedule_id)
            )
        ).scalars()
    )
    return _item_read(item, category, groups, schedule_ids)


async def get_menu_item_groups(
    session: AsyncSession, venue_id: int, item_id: int
) -> list[ModifierGroupRead]:
    """The modifier groups an item offers, with their options, in order."""
    groups = await _groups(session, venue_id)
    ids = (
        await session.execute(
            select(ItemModifierGroup.group_id)
            .where(ItemModifierGroup.venue_id == venue_id, ItemModifierGroup.item_id == item_id)
            .order_by(ItemModifierGroup.position, ItemModifierGroup.group_id)
        )
    ).scalars()
    return [groups[g] for g in ids]


# --- copying a menu to another venue of the group


M = TypeVar("M", Station, Category, Item, ModifierGroup, ModifierOption)


async def _rows(session: AsyncSession, model: type[M], venue_id: int) -> list[M]:
    found = await session.execute(
        select(model).where(model.venue_id == venue_id).order_by(model.id)
    )
    return list(found.scalars())


async def _copy_stations(session: AsyncSession, src: int, dst: int) -> tuple[dict[int, int], int]:
    """Station ids of ``src`` -> ``dst``: same-named stations are reused, others created."""
    existing = {s.name: s.id for s in await _rows(session, Station, dst)}
    created = {
        s.id: Station(
            venue_id=dst,
            name=s.name,
            kind=s.kind,
            warn_minutes=s.warn_minutes,
            late_minutes=s.late_minutes,
        )
        for s in await _rows(session, Station, src)
        if s.name not in existing
    }
    session.add_all(created.values())
    await session.flush()
    mapping = {old: new.id for old, new in created.items()}
    for s in await _rows(session, Station, src):
        mapping.setdefault(s.id, existing.get(s.name, 0))
    return mapping, len(created)


async def _copy_groups(session: AsyncSession, src: int, dst: int) -> tuple[dict[int, int], int]:
    """Modifier groups and their options; returns the group id map and options copied."""
    groups = {
        g.id: ModifierGroup(
            venue_id=dst, name=g.name, min_choices=g.min_choices, max_choices=g.max_choices
        )
        for g in await _rows(session, ModifierGroup, src)
    }
    session.add_all(groups.values())
    await session.flush()
    options = [
        ModifierOption(
            venue_id=dst,
            group_id=groups[o.group_id].id,
            name=o.name,
            price_delta=o.price_delta,
            position=o.position,
        )
        for o in await _rows(session, ModifierOption, src)
    ]
    session.add_all(options)
    await session.flush()
    return {old: new.id for old, new in groups.items()}, len(options)


async def _copy_items(
    session: AsyncSession, src: int, dst: int, stations: dict[int, int]
) -> tuple[dict[int, int], int]:
    """Categories and items; returns the item id map and the categories copied."""
    categories = {
        c.id: Category(
            venue_id=dst,
            name=c.name,
            position=c.position,
            station_id=stations.get(c.station_id) if c.station_id else None,
            default_course=c.default_course,
        )
        for c in await _rows(session, Category, src)
    }
    session.add_all(categories.values())
    await session.flush()
    items = {
        i.id: Item(
            venue_id=dst,
            category_id=categories[i.category_id].id,
            name=i.name,
            description=i.description,
            price=i.price,
            tax_rate_ppm=i.tax_rate_ppm,
            station_id=stations.get(i.station_id) if i.station_id else None,
            default_course=i.default_course,
            prep_minutes=i.prep_minutes,
            allergens=list(i.allergens),
            position=i.position,
        )
        for i in await _rows(session, Item, src)
    }
    session.add_all(items.values())
    await session.flush()
    return {old: new.id for old, new in items.items()}, len(categories)


async def copy_menu(session: AsyncSession, caller: Caller, data: MenuCopy) -> MenuCopyResult:
    """Copy a venue's menu into an empty venue of the same group (a group owner's call).

    Every row is read from the source venue and written to the target with new ids;
    references (station, category, group, item) are remapped. Live state (86'd items,
    remaining counts) is not copied. Stations of the same name in the target are reused.
    """
    source = await venues.group_venue(session, caller.venue_id, data.from_venue, "from_venue")
    target = await venues.group_venue(session, caller.venue_id, data.to_venue, "to_venue")
    if source.id == target.id:
        raise Invalid("a menu cannot be copied onto itself", field="to_venue")
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('menu_copy'), CAST(:v AS integer))"),
        {"v": target.id},
    )
    if await session.scalar(
        select(func.count()).select_from(Category).where(Category.venue_id == target.id)
    ) or await session.scalar(
        select(func.count()).select_from(ModifierGroup).where(ModifierGroup.venue_id == target.id)
    ):
        raise Conflict(
            "the venue {to_venue!r} already has a menu", to_venue=data.to_venue, field="to_venue"
        )
    stations, new_stations = await _copy_stations(session, source.id, target.id)
    groups, options = await _copy_groups(session, source.id, target.id)
    items, categories = await _copy_items(session, source.id, target.id, stations)
    links = [
        ItemModifierGroup(
            venue_id=target.id,
            item_id=items[link.item_id],
            group_id=groups[link.group_id],
            position=link.position,
        )
        for link in (
            await session.execute(
                select(ItemModifierGroup).where(ItemModifierGroup.venue_id == source.id)
            )
        ).scalars()
    ]
    session.add_all(links)
    await session.flush()
    events.record(
        session, target.id, MENU_TOPICS, MenuCopied(from_venue=source.slug, items=len(items))
    )
    return MenuCopyResult(
        from_venue=source.slug,
        to_venue=target.slug,
        stations=new_stations,
        categories=categories,
        items=len(items),
        modifier_groups=len(groups),
        options=options,
        links=len(links),
    )
