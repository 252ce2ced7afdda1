"""Writing the menu as a file."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.export import FORMULA_STARTS
from pos_service.menu import service as menu
from pos_service.menu.admin_schemas import (
    ImportCategory,
    ImportGroup,
    ImportOption,
    ImportSchedule,
    ImportStation,
    MenuFile,
    MenuRow,
)
from pos_service.menu.models import (
    Item,
)
from pos_service.menu.transfer._read import CSV_FIELDS

# --- export


def _join(values: list[str]) -> str:
    return "|".join(values)


def _guard(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: list[MenuRow]) -> bytes:
    """The rows as CSV, one item a line; lists joined with ``|``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for row in rows:
        cells: list[Any] = []
        for name in CSV_FIELDS:
            value = getattr(row, name)
            cells.append(
                _guard(_join(value) if isinstance(value, list) else value)
                if isinstance(value, str | list)
                else value
            )
        writer.writerow(cells)
    return out.getvalue().encode()


async def export_menu(session: AsyncSession, caller: Caller) -> MenuFile:
    """The venue's menu as a file (archived items and categories left out)."""
    v = caller.venue_id
    full = await menu.get_menu(session, caller)
    stations = {s.id: s.name for s in full.stations}
    schedules = {s.id: s.name for s in full.schedules}
    own = {
        i.id: (i.station_id, i.default_course)
        for i in (
            await session.execute(select(Item).where(Item.venue_id == v, Item.archived.is_(False)))
        ).scalars()
    }
    groups = await menu._groups(session, v)
    rows = [
        MenuRow(
            category=c.name,
            name=i.name,
            price=i.price,
            tax_rate_ppm=i.tax_rate_ppm,
            description=i.description,
            station=stations.get(own[i.id][0] or 0, ""),
            course=own[i.id][1] or "",
            prep_minutes=i.prep_minutes,
            allergens=i.allergens,
            modifier_groups=[g.name for g in i.modifier_groups],
            schedules=[schedules[s] for s in i.schedule_ids],
            position=i.position,
        )
        for c in full.categories
        for i in c.items
    ]
    return MenuFile(
        stations=[ImportStation(name=s.name, kind=s.kind) for s in full.stations],
        modifier_groups=[
            ImportGroup(
                name=g.name,
                min_choices=g.min_choices,
                max_choices=g.max_choices,
                options=[ImportOption(name=o.name, price_delta=o.price_delta) for o in g.options],
            )
            for g in groups.values()
        ],
        schedules=[
            ImportSchedule(name=s.name, weekdays=s.weekdays, starts=s.starts, ends=s.ends)
            for s in full.schedules
        ],
        categories=[
            ImportCategory(
                name=c.name,
                course=c.default_course,
                station=stations.get(c.station_id or 0, ""),
                position=c.position,
                schedules=[schedules[s] for s in c.schedule_ids],
            )
            for c in full.categories
        ],
        items=rows,
    )
