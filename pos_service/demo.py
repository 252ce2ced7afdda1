"""The demo restaurants: ``pos-service demo`` seeds them; running it twice changes nothing.

- ``demo``: Trattoria Demo, an English-speaking Italian restaurant in Berlin (prices
  including 7 % and 19 % VAT);
- ``dedemo``: Eetcafe De Demo, a Dutch café in Amsterdam (prices including 9 % and 21 %
  btw), with Dutch dishes, modifiers and staff, speaking Dutch on pages and paper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service import i18n
from pos_service.menu.models import (
    Category,
    Item,
    ItemModifierGroup,
    ModifierGroup,
    ModifierOption,
    Station,
)
from pos_service.printing import demo as printing
from pos_service.printing.models import Role
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
            ("Caesar salad", 1150, 6, ["eggs", "fish", "gluten", "milk"], ["Without"]),
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
            ("Chicken Milanese", 2250, 14, ["gluten", "eggs"], ["Side"]),
            ("Sea bass", 2650, 15, ["fish"], ["Side"]),
            ("Risotto ai funghi", 1950, 20, ["milk", "celery"], ["Extras"]),
            ("Spaghetti carbonara", 1750, 10, ["gluten", "eggs", "milk"], ["Extras"]),
            ("Lasagne", 1850, 8, ["gluten", "milk", "celery"], []),
            ("Vegan curry", 1650, 12, ["soybeans"], []),
            ("Fish and chips", 1950, 12, ["fish", "gluten"], ["Without"]),
        ],
    ),
    "Desserts": (
        "pastry",
        "dessert",
        [
            ("Tiramisu", 850, 3, ["eggs", "milk", "gluten"], []),
            ("Panna cotta", 750, 2, ["milk"], []),
            ("Chocolate fondant", 950, 12, ["eggs", "milk", "gluten"], []),
            ("Cheese plate", 1250, 4, ["milk", "nuts"], []),
            ("Lemon tart", 800, 3, ["eggs", "gluten", "milk"], []),
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


Menu = dict[str, tuple[str, str, list[tuple[str, int, int, list[str], list[str]]]]]


@dataclass(frozen=True)
class DemoVenue:
    """What a demo venue is made of; the taxes are ``(category -> rate in ppm)`` with a
    default for the categories not named."""

    slug: str
    name: str
    group: str
    locale: str
    timezone: str
    staff: list[tuple[str, list[str], str]]
    stations: list[tuple[str, str]]
    groups: dict[str, tuple[int, int, list[tuple[str, int]]]]
    menu: Menu
    floor: dict[str, list[tuple[str, int, int, int]]]
    combinable: list[tuple[str, str]]
    taxes: dict[str, int]
    tax: int
    printers: dict[str, tuple[Role, int, list[str], bool]] = field(
        default_factory=lambda: printing.PRINTERS
    )


TRATTORIA = DemoVenue(
    slug="demo",
    name="Trattoria Demo",
    group="Trattoria group",
    locale="en",
    timezone="Europe/Berlin",
    staff=STAFF,
    stations=STATIONS,
    groups=GROUPS,
    menu=MENU,
    floor=FLOOR,
    combinable=COMBINABLE,
    taxes={"Drinks": DRINKS_VAT},
    tax=FOOD_VAT,
)


async def seed(session: AsyncSession, security: staff.Security, slug: str = "demo") -> int:
    """Create the demo venue (if absent) in a venue group of its own, whose owner is
    Olga, and return its id."""
    return await seed_venue(session, security, replace(TRATTORIA, slug=slug))


async def seed_all(session: AsyncSession, security: staff.Security) -> list[int]:
    """Both demo venues: the Trattoria and the Dutch Eetcafe."""
    return [await seed_venue(session, security, v) for v in (TRATTORIA, EETCAFE)]


async def seed_venue(session: AsyncSession, security: staff.Security, demo: DemoVenue) -> int:
    """Create a demo venue (if absent) in a venue group of its own; its id."""
    existing = await session.scalar(select(Venue.id).where(Venue.slug == demo.slug))
    if existing is not None:
        return existing
    group = VenueGroup(name=f"{demo.group} ({demo.slug})")
    session.add(group)
    await session.flush()
    venue = Venue(
        slug=demo.slug,
        group_id=group.id,
        name=demo.name,
        currency="EUR",
        locale=demo.locale,
        timezone=demo.timezone,
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
    for name, roles, pin in demo.staff:
        await staff.create_staff(session, security, venue.id, name, roles, pin)
    await _seed_menu(session, venue.id, demo)
    await _seed_floor(session, venue.id, demo)
    await reservations.seed_demo_rules(session, venue.id)
    await printing.seed(session, security, venue.id, demo.printers, i18n.language_of(demo.locale))
    return venue.id


async def _seed_menu(session: AsyncSession, v: int, demo: DemoVenue) -> None:
    stations = {name: Station(venue_id=v, name=name, kind=kind) for name, kind in demo.stations}
    groups = {
        name: ModifierGroup(venue_id=v, name=name, min_choices=lo, max_choices=hi)
        for name, (lo, hi, _) in demo.groups.items()
    }
    session.add_all([*stations.values(), *groups.values()])
    await session.flush()
    session.add_all(
        [
            ModifierOption(
                venue_id=v, group_id=groups[gname].id, name=oname, price_delta=delta, position=pos
            )
            for gname, (_, _, options) in demo.groups.items()
            for pos, (oname, delta) in enumerate(options)
        ]
    )
    for cpos, (cname, (station, course, items)) in enumerate(demo.menu.items()):
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
                tax_rate_ppm=demo.taxes.get(cname, demo.tax),
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


async def _seed_floor(session: AsyncSession, v: int, demo: DemoVenue) -> None:
    tables: dict[str, DiningTable] = {}
    for apos, (aname, area_tables) in enumerate(demo.floor.items()):
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
    for a, b in demo.combinable:
        tables[a].combinable_with = [*tables[a].combinable_with, tables[b].id]
        tables[b].combinable_with = [*tables[b].combinable_with, tables[a].id]
    await session.flush()


LOW_BTW = 90_000  # 9 %: food and soft drinks
HIGH_BTW = 210_000  # 21 %: alcohol

EETCAFE = DemoVenue(
    slug="dedemo",
    name="Eetcafe De Demo",
    group="Eetcafe De Demo",
    locale="nl-NL",
    timezone="Europe/Amsterdam",
    staff=[
        ("Sanne", ["waiter"], "1111"),
        ("Daan", ["waiter"], "1112"),
        ("Fleur", ["host"], "2222"),
        ("Bram", ["kitchen"], "3333"),
        ("Lotte", ["bar"], "4444"),
        ("Joost", ["manager"], "9999"),
        ("Marieke", ["owner"], "8888"),
    ],
    stations=[("warm", "kitchen"), ("koud", "kitchen"), ("bar", "bar")],
    groups={
        "Garing": (1, 1, [("rood", 0), ("medium", 0), ("doorbakken", 0)]),
        "Bijgerecht": (1, 1, [("friet", 0), ("salade", 0), ("stamppot", 150)]),
        "Zonder": (0, 3, [("zonder ui", 0), ("zonder mayonaise", 0), ("zonder kaas", 0)]),
        "Extra": (0, 2, [("extra kaas", 100), ("spek", 150)]),
        "Melk": (0, 1, [("havermelk", 50), ("sojamelk", 50)]),
    },
    menu={
        "Voorgerechten": (
            "koud",
            "starter",
            [
                ("Bitterballen (8 st.)", 850, 6, ["gluten", "milk", "celery"], []),
                ("Erwtensoep", 750, 4, ["celery", "mustard"], ["Extra"]),
                ("Carpaccio", 1250, 7, ["milk"], ["Zonder"]),
                ("Salade geitenkaas", 1150, 6, ["milk", "nuts"], ["Zonder"]),
            ],
        ),
        "Hoofdgerechten": (
            "warm",
            "main",
            [
                ("Biefstuk", 2450, 15, [], ["Garing", "Bijgerecht"]),
                ("Saté van de haas", 1950, 12, ["peanuts", "soybeans"], ["Bijgerecht"]),
                ("Kibbeling", 1650, 10, ["fish", "gluten", "eggs"], ["Bijgerecht"]),
                ("Stamppot boerenkool", 1550, 10, ["milk"], ["Extra"]),
                ("Uitsmijter ham kaas", 1150, 8, ["eggs", "milk", "gluten"], ["Zonder"]),
            ],
        ),
        "Nagerechten": (
            "koud",
            "dessert",
            [
                ("Appeltaart met slagroom", 550, 2, ["gluten", "eggs", "milk"], []),
                ("Dame blanche", 750, 3, ["milk"], []),
            ],
        ),
        "Frisdrank en koffie": (
            "bar",
            "drinks",
            [
                ("Koffie", 320, 1, [], ["Melk"]),
                ("Verse muntthee", 380, 1, [], []),
                ("Spa rood", 350, 0, [], []),
                ("Jus d'orange", 450, 1, [], []),
            ],
        ),
        "Bier en wijn": (
            "bar",
            "drinks",
            [
                ("Pils van de tap", 380, 1, ["gluten"], []),
                ("Witbier", 550, 1, ["gluten"], []),
                ("Huiswijn rood", 550, 0, ["sulphites"], []),
                ("Huiswijn wit", 550, 0, ["sulphites"], []),
                ("Jonge jenever", 400, 0, [], []),
            ],
        ),
    },
    floor={
        "Zaal": [
            (str(n), cap, 80 + 120 * ((n - 1) % 4), 80 + 120 * ((n - 1) // 4))
            for n, cap in zip(range(1, 13), [2, 2, 4, 4, 4, 6, 2, 4, 4, 8, 2, 4], strict=True)
        ],
        "Terras": [
            (f"T{n}", cap, 80 + 120 * ((n - 1) % 3), 80 + 120 * ((n - 1) // 3))
            for n, cap in zip(range(1, 7), [2, 2, 4, 4, 4, 2], strict=True)
        ],
    },
    combinable=[("1", "2"), ("3", "4"), ("T1", "T2")],
    taxes={"Bier en wijn": HIGH_BTW},
    tax=LOW_BTW,
    printers={
        "Keuken": (Role.KITCHEN, 9101, ["warm", "koud"], True),
        "Bar": (Role.BAR, 9102, ["bar"], False),
        "Bon": (Role.RECEIPT, 9103, [], False),
    },
)
