"""Menu import and export, as JSON or CSV.

Export writes what import reads: importing an export into the same venue changes
nothing. Items, categories, stations, modifier groups and schedules are matched by
name; what the file names is created or updated, what it leaves out is left alone.
Every row is checked before anything is written: a dry run lists what would be
created and changed and every rejected row with its field and reason; a real import
with any rejected row writes nothing (422 with the same list). See
docs/decisions/1222-menu-files-match-by-name.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core import events
from pos_service.core.allergens import ALLERGENS
from pos_service.core.auth import Caller
from pos_service.core.errors import Invalid
from pos_service.core.export import FORMULA_STARTS
from pos_service.menu import service as menu
from pos_service.menu.admin import lock_menu, tax_rate_bp_of
from pos_service.menu.admin_schemas import (
    ImportCategory,
    ImportChange,
    ImportGroup,
    ImportOption,
    ImportResult,
    ImportSchedule,
    ImportStation,
    MenuFile,
    MenuRow,
    Rejected,
)
from pos_service.menu.events import MenuImported
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
from pos_service.venues import service as venues

FileFormat = Literal["json", "csv"]
CSV_FIELDS = [f.encode_name for f in msgspec.structs.fields(MenuRow)]
LISTS = ("allergens", "modifier_groups", "schedules")
REQUIRED = ("category", "name", "price", "tax_rate_ppm")
MAX_ROWS = 5000
MAX_PRICE = 100_000_000


class _LooseFile(msgspec.Struct, kw_only=True):
    stations: list[ImportStation] = msgspec.field(default_factory=list)
    modifier_groups: list[ImportGroup] = msgspec.field(default_factory=list)
    schedules: list[ImportSchedule] = msgspec.field(default_factory=list)
    categories: list[ImportCategory] = msgspec.field(default_factory=list)
    items: list[dict[str, Any]] = msgspec.field(default_factory=list)


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
            tax_rate_ppm=i.tax_rate_bp * 100,
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


# --- reading a file


def _parse(fmt: FileFormat, body: bytes) -> _LooseFile:
    if fmt == "json":
        try:
            return msgspec.json.decode(body, type=_LooseFile)
        except msgspec.ValidationError as exc:
            path = str(exc).split("`$.", 1)[1].split("`", 1)[0] if "`$." in str(exc) else "file"
            raise Invalid(f"the file is not a menu: {exc}", field=path) from exc
        except msgspec.DecodeError as exc:
            raise Invalid(f"the file is not JSON: {exc}", field="file") from exc
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("the file is not UTF-8 text", field="file") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    unknown = [h for h in header if h not in CSV_FIELDS]
    missing = [h for h in REQUIRED if h not in header]
    if unknown or missing:
        raise Invalid(
            f"the header must name {', '.join(REQUIRED)} and may name {', '.join(CSV_FIELDS)}"
            f" (unknown: {unknown}, missing: {missing})",
            field="header",
        )
    items: list[dict[str, Any]] = []
    for raw in reader:
        row: dict[str, Any] = {}
        for key, value in raw.items():
            if key is None:
                row["_extra"] = value
                continue
            cell = (value or "").strip()
            if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
                cell = cell[1:]
            row[key] = [x.strip() for x in cell.split("|") if x.strip()] if key in LISTS else cell
        items.append(row)
    return _LooseFile(items=items)


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _int(raw: Mapping[str, Any], name: str, low: int, high: int, default: int | None = None) -> int:
    value = raw.get(name, "")
    if value in ("", None):
        if default is None:
            raise _Bad(name, f"{name} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(name, f"{name} must be a whole number")
    try:
        number = int(value)
    except ValueError:
        hint = " in minor units (e.g. 1250 for 12.50)" if name == "price" else ""
        raise _Bad(name, f"{name} must be a whole number{hint}, not {value!r}") from None
    if not low <= number <= high:
        raise _Bad(name, f"{name} must be between {low} and {high}, not {number}")
    return number


def _text(raw: Mapping[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = raw.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _Bad(name, f"{name} must be text")
    value = value.strip()
    if required and not value:
        raise _Bad(name, f"{name} is required")
    if len(value) > limit:
        raise _Bad(name, f"{name} is longer than {limit} characters")
    return value


def _names(raw: Mapping[str, Any], name: str) -> list[str]:
    value = raw.get(name, [])
    if value in ("", None):
        return []
    if isinstance(value, str):
        value = [x.strip() for x in value.split("|") if x.strip()]
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise _Bad(name, f"{name} must be a list of names")
    return list(dict.fromkeys(value))


def _known_names(raw: Mapping[str, Any], name: str, known: set[str], what: str) -> list[str]:
    values = _names(raw, name)
    for value in values:
        if value not in known:
            raise _Bad(name, f"unknown {what} {value!r}")
    return values


@dataclass
class _Known:
    """What rows may name: the venue's and the file's stations, groups, schedules."""

    courses: list[str]
    stations: set[str]
    groups: set[str]
    schedules: set[str]
    seen: dict[str, int] = field(default_factory=dict)


def _row(raw: Mapping[str, Any], known: _Known, line: int) -> MenuRow:
    if raw.get("_extra"):
        raise _Bad("row", "the line has more cells than the header")
    unknown = [k for k in raw if k not in CSV_FIELDS]
    if unknown:
        raise _Bad(unknown[0], f"unknown field {unknown[0]!r}")
    name = _text(raw, "name", 100, required=True)
    if name in known.seen:
        raise _Bad("name", f"{name!r} appears twice (also row {known.seen[name]})")
    known.seen[name] = line
    category = _text(raw, "category", 100, required=True)
    price = _int(raw, "price", 0, MAX_PRICE)
    ppm = _int(raw, "tax_rate_ppm", 0, 1_000_000)
    try:
        tax_rate_bp_of(ppm)
    except Invalid as exc:
        raise _Bad("tax_rate_ppm", exc.detail) from None
    station = _text(raw, "station", 64)
    if station and station not in known.stations:
        raise _Bad("station", f"unknown station {station!r}")
    course = _text(raw, "course", 32)
    if course and course not in known.courses:
        raise _Bad("course", f"unknown course {course!r}; one of {known.courses}")
    allergens = _known_names(raw, "allergens", set(ALLERGENS), "allergen")
    groups = _known_names(raw, "modifier_groups", known.groups, "modifier group")
    schedules = _known_names(raw, "schedules", known.schedules, "schedule")
    return MenuRow(
        category=category,
        name=name,
        price=price,
        tax_rate_ppm=ppm,
        description=_text(raw, "description", 500),
        station=station,
        course=course,
        prep_minutes=_int(raw, "prep_minutes", 0, 600, 0),
        allergens=allergens,
        modifier_groups=groups,
        schedules=schedules,
        position=_int(raw, "position", 0, 100_000, 0),
    )


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
        "tax_rate_ppm": item.tax_rate_bp * 100,
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
        raise Invalid(f"at most {MAX_ROWS} items per file", field="items")
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
            "tax_rate_bp": tax_rate_bp_of(row.tax_rate_ppm),
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


async def import_menu(
    session: AsyncSession, caller: Caller, fmt: FileFormat, body: bytes, dry_run: bool
) -> ImportResult:
    """Check a menu file and (unless ``dry_run``) apply it, all or nothing."""
    v = caller.venue_id
    if not dry_run:
        await lock_menu(session, v)
    plan, cur = await _plan(session, v, fmt, body)
    result = plan.result
    if dry_run:
        return result
    if result.rejected:
        raise Invalid(
            f"{len(result.rejected)} row(s) rejected; nothing was imported",
            field=result.rejected[0].field,
            rejected=msgspec.to_builtins(result.rejected),
        )
    courses = list((await venues.get(session, v)).courses)
    await _apply_parts(session, v, plan.file, cur)
    await _apply_items(session, v, plan, cur, courses)
    result.dry_run = False
    result.applied = True
    await audit.record(
        session,
        caller,
        "menu.imported",
        f"venue:{v}",
        {
            "format": fmt,
            "created": result.created[:100],
            "changed": [c.name for c in result.changed][:100],
            "at": dt.datetime.now(dt.UTC).isoformat(),
        },
    )
    events.record(
        session,
        v,
        menu.MENU_TOPICS,
        MenuImported(created=len(result.created), changed=len(result.changed)),
    )
    return result
