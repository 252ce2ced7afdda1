"""Reading the menu and changing an item's availability."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.errors import Forbidden, NotFound
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.menu.events import ItemAvailabilityChanged
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
        tax_rate_bp=item.tax_rate_bp,
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
