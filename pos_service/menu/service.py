"""Reading the menu, changing an item's availability, copying a menu to another venue."""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVar

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, Forbidden, Invalid, NotFound
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.menu.events import ItemAvailabilityChanged, MenuCopied
from pos_service.menu.models import (
    Category,
    Item,
    ItemModifierGroup,
    ModifierGroup,
    ModifierOption,
    Station,
)
from pos_service.menu.schemas import (
    CategoryRead,
    ItemPatch,
    ItemRead,
    MenuCopy,
    MenuCopyResult,
    MenuRead,
    ModifierGroupRead,
    OptionRead,
    StationRead,
)
from pos_service.venues import service as venues

MENU_TOPICS = ["orders"]


async def _groups(session: AsyncSession, venue_id: int) -> dict[int, ModifierGroupRead]:
    options: dict[int, list[OptionRead]] = defaultdict(list)
    for o in (
        await session.execute(
            select(ModifierOption)
            .where(ModifierOption.venue_id == venue_id)
            .order_by(ModifierOption.position, ModifierOption.id)
        )
    ).scalars():
        options[o.group_id].append(OptionRead(id=o.id, name=o.name, price_delta=o.price_delta))
    groups = (
        await session.execute(select(ModifierGroup).where(ModifierGroup.venue_id == venue_id))
    ).scalars()
    return {
        g.id: ModifierGroupRead(
            id=g.id,
            name=g.name,
            min_choices=g.min_choices,
            max_choices=g.max_choices,
            options=options[g.id],
        )
        for g in groups
    }


def _item_read(item: Item, category: Category, groups: list[ModifierGroupRead]) -> ItemRead:
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
    )


async def get_menu(session: AsyncSession, caller: Caller) -> MenuRead:
    """The venue's whole menu, categories in order, each with its items."""
    venue = await venues.get(session, caller.venue_id)
    groups = await _groups(session, venue.id)
    links: dict[int, list[ModifierGroupRead]] = defaultdict(list)
    for link in (
        await session.execute(
            select(ItemModifierGroup)
            .where(ItemModifierGroup.venue_id == venue.id)
            .order_by(ItemModifierGroup.position)
        )
    ).scalars():
        links[link.item_id].append(groups[link.group_id])
    categories = (
        (
            await session.execute(
                select(Category)
                .where(Category.venue_id == venue.id)
                .order_by(Category.position, Category.id)
            )
        )
        .scalars()
        .all()
    )
    items: dict[int, list[Item]] = defaultdict(list)
    for item in (
        await session.execute(
            select(Item).where(Item.venue_id == venue.id).order_by(Item.position, Item.id)
        )
    ).scalars():
        items[item.category_id].append(item)
    stations = (
        await session.execute(
            select(Station).where(Station.venue_id == venue.id).order_by(Station.id)
        )
    ).scalars()
    return MenuRead(
        currency=venue.currency,
        tax_inclusive=venue.tax_inclusive,
        courses=list(venue.courses),
        stations=[StationRead(id=s.id, name=s.name, kind=s.kind) for s in stations],
        categories=[
            CategoryRead(
                id=c.id, name=c.name, items=[_item_read(i, c, links[i.id]) for i in items[c.id]]
            )
            for c in categories
        ],
    )


async def patch_item(
    session: AsyncSession, caller: Caller, item_id: int, patch: ItemPatch
) -> ItemRead:
    """86 an item, bring it back, or set its remaining count (0 makes it unavailable)."""
    item = await session.get(Item, (caller.venue_id, item_id), with_for_update=True)
    if item is None:
        raise NotFound(f"no item {item_id}", field="item_id")
    if patch.remaining is not UNSET:
        item.remaining = patch.remaining
        if patch.remaining is not None:
            item.available = patch.remaining > 0
    if patch.available is not UNSET:
        item.available = patch.available
    if patch.gift_card is not UNSET:
        if not caller.has_any():
            raise Forbidden("only a manager makes an item sell gift cards", field="gift_card")
        item.gift_card = patch.gift_card
    category = await session.get(Category, (caller.venue_id, item.category_id))
    assert category is not None
    await session.flush()
    events.record(
        session,
        caller.venue_id,
        MENU_TOPICS,
        ItemAvailabilityChanged(
            item_id=item.id, name=item.name, available=item.available, remaining=item.remaining
        ),
    )
    groups = await get_menu_item_groups(session, caller.venue_id, item.id)
    return _item_read(item, category, groups)


async def get_menu_item_groups(
    session: AsyncSession, venue_id: int, item_id: int
) -> list[ModifierGroupRead]:
    """The modifier groups an item offers, with their options, in order."""
    groups = await _groups(session, venue_id)
    ids = (
        await session.execute(
            select(ItemModifierGroup.group_id)
            .where(ItemModifierGroup.venue_id == venue_id, ItemModifierGroup.item_id == item_id)
            .order_by(ItemModifierGroup.position)
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
        raise Conflict(f"the venue {data.to_venue!r} already has a menu", field="to_venue")
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
