"""Comparing a file with the venue's menu, and applying it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.errors import Invalid
from pos_service.menu.admin_schemas import (
    ImportCategory,
    ImportChange,
    ImportResult,
    MenuRow,
    Rejected,
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
from pos_service.menu.transfer._read import (
    MAX_ROWS,
    FileFormat,
    _Bad,
    _Known,
    _LooseFile,
    _parse,
    _row,
)
from pos_service.venues import service as venues

# --- the venue's current menu by name


@dataclass
class _Venue:
    stations: dict[str, Station]
    groups: dict[str, ModifierGroup]
    options: dict[int, dict[str, ModifierOption]]
    schedules: dict[str, Schedule]
    categories: dict[str, Category]
    category_schedules: dict[int, set[int]]
    items: dict[str, Item]
    item_groups: dict[int, list[int]]
    item_schedules: dict[int, set[int]]


async def _current(session: AsyncSession, v: int) -> _Venue:
    def by_name(rows: Any) -> dict[str, Any]:
        return {r.name: r for r in rows}

    async def rows(model: Any) -> Any:
        return (await session.execute(select(model).where(model.venue_id == v))).scalars()

    options: dict[int, dict[str, ModifierOption]] = defaultdict(dict)
    for o in await rows(ModifierOption):
        options[o.group_id][o.name] = o
    item_groups: dict[int, list[int]] = defaultdict(list)
    for link in (
        await session.execute(
            select(ItemModifierGroup)
            .where(ItemModifierGroup.venue_id == v)
            .order_by(ItemModifierGroup.position, ItemModifierGroup.group_id)
        )
    ).scalars():
        item_groups[link.item_id].append(link.group_id)
    item_schedules: dict[int, set[int]] = defaultdict(set)
    for s in await rows(ItemSchedule):
        item_schedules[s.item_id].add(s.schedule_id)
    category_schedules: dict[int, set[int]] = defaultdict(set)
    for c in await rows(CategorySchedule):
        category_schedules[c.category_id].add(c.schedule_id)
    return _Venue(
        stations=by_name(await rows(Station)),
        groups=by_name(await rows(ModifierGroup)),
        options=options,
        schedules=by_name(await rows(Schedule)),
        categories=by_name(await rows(Category)),
        category_schedules=category_schedules,
        items=by_name(await rows(Item)),
        item_groups=item_groups,
        item_schedules=item_schedules,
    )


# --- import


@dataclass
class _Plan:
    result: ImportResult
    rows: list[MenuRow]
    file: _LooseFile


def _check_parts(file: _LooseFile, known: _Known, courses: list[str]) -> list[Rejected]:
    """The file's stations, groups, schedules and categories (JSON only)."""
    bad: list[Rejected] = []
    for n, g in enumerate(file.modifier_groups, 1):
        if g.min_choices > g.max_choices:
            bad.append(
                Rejected(
                    row=n,
                    name=g.name,
                    field=f"modifier_groups[{n - 1}].min_choices",
                    reason=f"min_choices {g.min_choices} is above max_choices {g.max_choices}",
                )
            )
    for n, s in enumerate(file.schedules, 1):
        if s.starts == s.ends or any(not 1 <= d <= 7 for d in s.weekdays):
            bad.append(
                Rejected(
                    row=n,
                    name=s.name,
                    field=f"schedules[{n - 1}]",
                    reason="a schedule needs weekdays 1 to 7 and different start and end times",
                )
            )
    for n, st in enumerate(file.stations, 1):
        if st.kind not in ("kitchen", "bar") or not st.name or len(st.name) > 64:
            bad.append(
                Rejected(
                    row=n,
                    name=st.name,
                    field=f"stations[{n - 1}]",
                    reason="a station needs a name and the kind kitchen or bar",
                )
            )
    for n, c in enumerate(file.categories, 1):
        problem = (
            "course"
            if c.course and c.course not in courses
            else "station"
            if c.station and c.station not in known.stations
            else "schedules"
            if any(s not in known.schedules for s in c.schedules)
            else None
        )
        if problem:
            bad.append(
                Rejected(
                    row=n,
                    name=c.name,
                    field=f"categories[{n - 1}].{problem}",
                    reason=f"unknown {problem} in category {c.name!r}",
                )
            )
    return bad


def _item_changes(item: Item, row: MenuRow, cur: _Venue, category_id: int | None) -> list[str]:
    station = cur.stations.get(row.station)
    wanted: dict[str, Any] = {
        "category": category_id,
        "price": row.price,
        "tax_rate_ppm": row.tax_rate_ppm,
        "description": row.description,
        "station": station.id if station else None,
        "course": row.course or None,
        "prep_minutes": row.prep_minutes,
        "allergens": row.allergens,
        "position": row.position,
        "modifier_groups": [
            cur.groups[g].id if g in cur.groups else -1 for g in row.modifier_groups
        ],
        "schedules": {cur.schedules[s].id if s in cur.schedules else -1 for s in row.schedules},
        "archived": False,
    }
    have: dict[str, Any] = {
        "category": item.category_id,
        "price": item.price,
        "tax_rate_ppm": item.tax_rate_ppm,
        "description": item.description,
        "station": item.station_id,
        "course": item.default_course,
        "prep_minutes": item.prep_minutes,
        "allergens": list(item.allergens),
        "position": item.position,
        "modifier_groups": cur.item_groups.get(item.id, []),
        "schedules": cur.item_schedules.get(item.id, set()),
        "archived": item.archived,
    }
    return [k for k in wanted if wanted[k] != have[k]]


async def _plan(
    session: AsyncSession, v: int, fmt: FileFormat, body: bytes
) -> tuple[_Plan, _Venue]:
    file = _parse(fmt, body)
    if len(file.items) > MAX_ROWS:
        raise Invalid("at most {rows} items per file", rows=MAX_ROWS, field="items")
    venue = await venues.get(session, v)
    cur = await _current(session, v)
    courses = list(venue.courses)
    known = _Known(
        courses=courses,
        stations=set(cur.stations) | {s.name for s in file.stations},
        groups=set(cur.groups) | {g.name for g in file.modifier_groups},
        schedules=set(cur.schedules) | {s.name for s in file.schedules},
    )
    rejected = _check_parts(file, known, courses)
    rows: list[MenuRow] = []
    first = 2 if fmt == "csv" else 1
    for n, raw in enumerate(file.items, first):
        try:
            rows.append(_row(raw, known, n))
        except _Bad as bad:
            name = raw.get("name") if isinstance(raw.get("name"), str) else ""
            rejected.append(Rejected(row=n, name=str(name), field=bad.field, reason=bad.reason))
    created: list[str] = []
    changed: list[ImportChange] = []
    unchanged = 0
    for row in rows:
        item = cur.items.get(row.name)
        if item is None:
            created.append(row.name)
            continue
        category = cur.categories.get(row.category)
        fields = _item_changes(item, row, cur, category.id if category else None)
        if fields:
            changed.append(ImportChange(name=row.name, fields=fields))
        else:
            unchanged += 1
    new_categories = list(
        dict.fromkeys(
            [c.name for c in file.categories if c.name not in cur.categories]
            + [r.category for r in rows if r.category not in cur.categories]
        )
    )
    result = ImportResult(
        dry_run=True,
        applied=False,
        created=created,
        changed=changed,
        unchanged=unchanged,
        categories_created=new_categories,
        groups_created=[g.name for g in file.modifier_groups if g.name not in cur.groups],
        schedules_created=[s.name for s in file.schedules if s.name not in cur.schedules],
        rejected=rejected,
    )
    return _Plan(result=result, rows=rows, file=file), cur


async def _apply_parts(session: AsyncSession, v: int, file: _LooseFile, cur: _Venue) -> None:
    for st in file.stations:
        if st.name not in cur.stations:
            station = Station(venue_id=v, name=st.name, kind=st.kind, version=1)
            session.add(station)
            cur.stations[st.name] = station
    for s in file.schedules:
        schedule = cur.schedules.get(s.name)
        if schedule is None:
            schedule = Schedule(venue_id=v, name=s.name, version=1)
            session.add(schedule)
            cur.schedules[s.name] = schedule
        elif (list(schedule.weekdays), schedule.starts, schedule.ends) != (
            sorted(set(s.weekdays)),
            s.starts,
            s.ends,
        ):
            schedule.version += 1
        schedule.weekdays, schedule.starts, schedule.ends = (
            sorted(set(s.weekdays)),
            s.starts,
            s.ends,
        )
    await session.flush()
    for g in file.modifier_groups:
        group = cur.groups.get(g.name)
        if group is None:
            group = ModifierGroup(venue_id=v, name=g.name, version=1)
            session.add(group)
            cur.groups[g.name] = group
        elif (group.min_choices, group.max_choices) != (g.min_choices, g.max_choices):
            group.version += 1
        group.min_choices, group.max_choices = g.min_choices, g.max_choices
        await session.flush()
        options = cur.options[group.id]
        for pos, o in enumerate(g.options):
            option = options.get(o.name)
            if option is None:
                session.add(
                    ModifierOption(
                        venue_id=v,
                        group_id=group.id,
                        name=o.name,
                        price_delta=o.price_delta,
                        position=pos,
                        version=1,
                    )
                )
            elif option.price_delta != o.price_delta:
                option.price_delta = o.price_delta
                option.version += 1
    await session.flush()


async def _category_for(
    session: AsyncSession,
    v: int,
    name: str,
    spec: ImportCategory | None,
    row: MenuRow | None,
    cur: _Venue,
    courses: list[str],
) -> Category:
    category = cur.categories.get(name)
    course = (
        (spec.course if spec else "")
        or (row.course if row else "")
        or ("main" if "main" in courses else courses[0])
    )
    station_name = (spec.station if spec else "") or (row.station if row else "")
    station = cur.stations.get(station_name)
    if category is None:
        category = Category(
            venue_id=v,
            name=name,
            default_course=course,
            station_id=station.id if station else None,
            position=spec.position if spec else len(cur.categories),
            version=1,
            archived=False,
        )
        session.add(category)
        await session.flush()
        cur.categories[name] = category
    elif spec is not None:
        course = spec.course or category.default_course
        wanted = (course, station.id if station else None, spec.position, False)
        if (
            category.default_course,
            category.station_id,
            category.position,
            category.archived,
        ) != wanted:
            category.default_course, category.station_id, category.position = wanted[:3]
            category.archived = False
            category.version += 1
    else:
        category.archived = False
    if spec is not None:
        ids = {cur.schedules[s].id for s in spec.schedules}
        if ids != cur.category_schedules.get(category.id, set()):
            await session.execute(
                delete(CategorySchedule).where(
                    CategorySchedule.venue_id == v, CategorySchedule.category_id == category.id
                )
            )
            session.add_all(
                CategorySchedule(venue_id=v, category_id=category.id, schedule_id=s) for s in ids
            )
    return category


async def _apply_items(
    session: AsyncSession, v: int, plan: _Plan, cur: _Venue, courses: list[str]
) -> None:
    specs = {c.name: c for c in plan.file.categories}
    for spec in plan.file.categories:
        await _category_for(session, v, spec.name, spec, None, cur, courses)
    changed = {c.name for c in plan.result.changed}
    for row in plan.rows:
        category = await _category_for(
            session, v, row.category, specs.get(row.category), row, cur, courses
        )
        item = cur.items.get(row.name)
        if item is not None and row.name not in changed:
            continue
        station = cur.stations.get(row.station)
        values = {
            "category_id": category.id,
            "price": row.price,
            "tax_rate_ppm": row.tax_rate_ppm,
            "description": row.description,
            "station_id": station.id if station else None,
            "default_course": row.course or None,
            "prep_minutes": row.prep_minutes,
            "allergens": row.allergens,
            "position": row.position,
            "archived": False,
        }
        if item is None:
            item = Item(
                venue_id=v, name=row.name, available=True, gift_card=False, version=1, **values
            )
            session.add(item)
            await session.flush()
        else:
            for key, value in values.items():
                setattr(item, key, value)
            item.version += 1
            await session.execute(
                delete(ItemModifierGroup).where(
                    ItemModifierGroup.venue_id == v, ItemModifierGroup.item_id == item.id
                )
            )
            await session.execute(
                delete(ItemSchedule).where(
                    ItemSchedule.venue_id == v, ItemSchedule.item_id == item.id
                )
            )
        session.add_all(
            ItemModifierGroup(venue_id=v, item_id=item.id, group_id=cur.groups[g].id, position=n)
            for n, g in enumerate(row.modifier_groups)
        )
        session.add_all(
            ItemSchedule(venue_id=v, item_id=item.id, schedule_id=cur.schedules[s].id)
            for s in row.schedules
        )
    await session.flush()
