"""The demo restaurant: ``pos-service demo`` seeds it; running it twice changes nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.menu.models import (
    Category,
    Item,
    ItemModifierGroup,
    ModifierGroup,
    ModifierOption,
    Station,
)
from pos_service.printing import demo as printing
from pos_service.reservations import service as reservations
from pos_service.staff import service as staff
from pos_service.tables.models import Area, DiningTable
from pos_service.venues.models import DEFAULT_COURSES, Venue, VenueGroup

FOOD_VAT = 70_000  # 7 % in parts per million
DRINKS_VAT = 190_000  # 19 %

STAFF = [
    ("Anna", ["waiter"], "1111"),
    ("Ben", ["waiter"], "1112"),
    ("Clara", ["host"], "2222"),
    ("Dario", ["kitchen"], "3333"),
    ("Eva", ["bar"], "4444"),
    ("Marco", ["manager"], "9999"),
    ("Olga", ["owner"], "8888"),
]

STATIONS = [("hot", "kitchen"), ("cold", "kitchen"), ("bar", "bar"), ("pastry", "kitchen")]

# group name -> (min, max, [(option, price delta)])
GROUPS: dict[str, tuple[int, int, list[tuple[str, int]]]] = {
    "Cooking": (1, 1, [("rare", 0), ("medium-rare", 0), ("medium", 0), ("well done", 0)]),
    "Side": (
        1,
        1,
        [("fries", 0), ("mashed potatoes", 0), ("green salad", 0), ("truffle fries", 250)],
    ),
    "Without": (
        0,
        3,
        [("no croutons", 0), ("no anchovies", 0), ("no parmesan", 0), ("no onions", 0)],
    ),
    "Extras": (0, 3, [("extra cheese", 150), ("bacon", 200), ("avocado", 250), ("fried egg", 150)]),
    "Milk": (0, 1, [("oat milk", 50), ("soy milk", 50), ("lactose-free", 30)]),
    "Ice": (0, 1, [("no ice", 0), ("extra ice", 0)]),
    "Size": (1, 1, [("0.2 l", 0), ("0.4 l", 250)]),
}

# category -> (station, course, [(item, price, prep minutes, allergens, groups)])
MENU: dict[str, tuple[str, str, list[tuple[str, int, int, list[str], list[str]]]]] = {
    "Starters": (
        "cold",
        "starter",
        [
            ("Caesar salad", 1150, 6, ["egg", "fish", "gluten", "milk"], ["Without"]),
            ("Burrata", 1350, 5, ["milk"], []),
            ("Beef carpaccio", 1450, 7, ["milk"], ["Without"]),
            ("Tuna tartare", 1550, 8, ["fish", "sesame"], []),
            ("Tomato soup", 850, 4, ["celery"], []),
            ("Garlic bread", 550, 5, ["gluten", "milk"], ["Extras"]),
            ("Calamari fritti", 1250, 8, ["molluscs", "gluten"], []),
            ("Green salad", 750, 4, [], ["Without"]),
        ],
    ),
    "Mains": (
        "hot",
        "main",
        [
            ("Ribeye", 3450, 18, [], ["Cooking", "Side"]),
            ("Sirloin", 2950, 16, [], ["Cooking", "Side"]),
            ("Burger", 1850, 12, ["gluten", "milk", "mustard"], ["Cooking", "Side", "Extras"]),
            ("Chicken Milanese", 2250, 14, ["gluten", "egg"], ["Side"]),
            ("Sea bass", 2650, 15, ["fish"], ["Side"]),
            ("Risotto ai funghi", 1950, 20, ["milk", "celery"], ["Extras"]),
            ("Spaghetti carbonara", 1750, 10, ["gluten", "egg", "milk"], ["Extras"]),
            ("Lasagne", 1850, 8, ["gluten", "milk", "celery"], []),
            ("Vegan curry", 1650, 12, ["soy"], []),
            ("Fish and chips", 1950, 12, ["fish", "gluten"], ["Without"]),
        ],
    ),
    "Desserts": (
        "pastry",
        "dessert",
        [
            ("Tiramisu", 850, 3, ["egg", "milk", "gluten"], []),
            ("Panna cotta", 750, 2, ["milk"], []),
            ("Chocolate fondant", 950, 12, ["egg", "milk", "gluten"], []),
            ("Cheese plate", 1250, 4, ["milk", "nuts"], []),
            ("Lemon tart", 800, 3, ["egg", "gluten", "milk"], []),
            ("Ice cream", 650, 2, ["milk"], []),
        ],
    ),
    "Drinks": (
        "bar",
        "drinks",
        [
            ("Espresso", 290, 1, [], ["Milk"]),
            ("Cappuccino", 390, 2, ["milk"], ["Milk"]),
            ("Sparkling water", 450, 0, [], ["Ice"]),
            ("Still water", 450, 0, [], ["Ice"]),
            ("Cola", 420, 0, [], ["Ice", "Size"]),
            ("Lemonade", 480, 1, [], ["Ice", "Size"]),
            ("Draft beer", 480, 1, ["gluten"], ["Size"]),
            ("House red", 650, 0, ["sulphites"], []),
            ("House white", 650, 0, ["sulphites"], []),
            ("Bottle of Chianti", 3200, 0, ["sulphites"], []),
            ("Prosecco", 750, 0, ["sulphites"], []),
            ("Negroni", 1100, 3, [], ["Ice"]),
            ("Aperol spritz", 950, 2, ["sulphites"], ["Ice"]),
            ("Gin and tonic", 1050, 2, [], ["Ice"]),
            ("Mojito", 1050, 4, [], ["Ice"]),
            ("Orange juice", 450, 1, [], ["Ice"]),
        ],
    ),
}

# area -> [(table name, capacity, x, y)]
FLOOR: dict[str, list[tuple[str, int, int, int]]] = {
    "Dining room": [
        (str(n), cap, 80 + 120 * ((n - 1) % 4), 80 + 120 * ((n - 1) // 4))
        for n, cap in zip(range(1, 15), [2, 2, 4, 4, 4, 6, 2, 4, 4, 8, 2, 4, 6, 4], strict=True)
    ],
    "Terrace": [
        (f"T{n}", cap, 80 + 120 * ((n - 1) % 3), 80 + 120 * ((n - 1) // 3))
        for n, cap in zip(range(1, 7), [2, 2, 4, 4, 6, 2], strict=True)
    ],
}
# neighbours that can be pushed together
COMBINABLE = [("1", "2"), ("3", "4"), ("8", "9"), ("T1", "T2"), ("T3", "T4")]


async def seed(session: AsyncSession, security: staff.Security, slug: str = "demo") -> int:
    """Create the demo venue (if absent) in a venue group of its own, whose owner is
    Olga, and return its id."""
    existing = await session.scalar(select(Venue.id).where(Venue.slug == slug))
    if existing is not None:
        return existing
    group = VenueGroup(name=f"Trattoria group ({slug})")
    session.add(group)
    await session.flush()
    venue = Venue(
        slug=slug,
        group_id=group.id,
        name="Trattoria Demo",
        currency="EUR",
        timezone="Europe/Berlin",
        tax_inclusive=True,
        day_cutoff=dt.time(4, 0),
        courses=DEFAULT_COURSES,
        settings={
            "fire_next_on_bump": False,
            "service_charge_min_covers": 6,
            "service_charge_bp": 1000,
        },
    )
    session.add(venue)
    await session.flush()
    for name, roles, pin in STAFF:
        await staff.create_staff(session, security, venue.id, name, roles, pin)
    await _seed_menu(session, venue.id)
    await _seed_floor(session, venue.id)
    await reservations.seed_demo_rules(session, venue.id)
    await printing.seed(session, security, venue.id)
    return venue.id


async def _seed_menu(session: AsyncSession, v: int) -> None:
    stations = {name: Station(venue_id=v, name=name, kind=kind) for name, kind in STATIONS}
    groups = {
        name: ModifierGroup(venue_id=v, name=name, min_choices=lo, max_choices=hi)
        for name, (lo, hi, _) in GROUPS.items()
    }
    session.add_all([*stations.values(), *groups.values()])
    await session.flush()
    session.add_all(
        [
            ModifierOption(
                venue_id=v, group_id=groups[gname].id, name=oname, price_delta=delta, position=pos
            )
            for gname, (_, _, options) in GROUPS.items()
            for pos, (oname, delta) in enumerate(options)
        ]
    )
    for cpos, (cname, (station, course, items)) in enumerate(MENU.items()):
        category = Category(
            venue_id=v,
            name=cname,
            position=cpos,
            station_id=stations[station].id,
            default_course=course,
        )
        session.add(category)
        await session.flush()
        for ipos, (iname, price, prep, allergens, item_groups) in enumerate(items):
            item = Item(
                venue_id=v,
                category_id=category.id,
                name=iname,
                price=price,
                tax_rate_ppm=DRINKS_VAT if cname == "Drinks" else FOOD_VAT,
                prep_minutes=prep,
                allergens=allergens,
                position=ipos,
            )
            session.add(item)
            await session.flush()
            session.add_all(
                [
                    ItemModifierGroup(
                        venue_id=v, item_id=item.id, group_id=groups[g].id, position=p
                    )
                    for p, g in enumerate(item_groups)
                ]
            )


async def _seed_floor(session: AsyncSession, v: int) -> None:
    tables: dict[str, DiningTable] = {}
    for apos, (aname, area_tables) in enumerate(FLOOR.items()):
        area = Area(venue_id=v, name=aname, position=apos)
        session.add(area)
        await session.flush()
        for tname, cap, x, y in area_tables:
            tables[tname] = DiningTable(
                venue_id=v,
                area_id=area.id,
                name=tname,
                capacity=cap,
                x=x,
                y=y,
                shape="round" if cap <= 2 else "square",
            )
            session.add(tables[tname])
    await session.flush()
    for a, b in COMBINABLE:
        tables[a].combinable_with = [*tables[a].combinable_with, tables[b].id]
        tables[b].combinable_with = [*tables[b].combinable_with, tables[a].id]
    await session.flush()
