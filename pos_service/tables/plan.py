"""The floor plan editor: areas and tables placed, sized, seated and made neighbours.

Every change takes the row's ``version`` (409 with the current row when stale), is
audited, and is recorded on the ``floor`` topic, which host stands and handhelds follow.
Two tables of one area may not overlap: each is the rectangle ``width`` by ``height``
around its centre ``x, y`` (a round table counts as its square). A table that has been
used is never deleted: it is archived, and refused while it has an open check.
"""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound, Term
from pos_service.tables.events import AreaChanged, TableChanged
from pos_service.tables.models import Area, DiningTable
from pos_service.tables.schemas import (
    AreaCreate,
    AreaPatch,
    AreaRead,
    TableCreate,
    TablePatch,
    TableRead,
)
from pos_service.tables.service import FLOOR_TOPIC, table_read

Box = tuple[int, int, int, int]


def overlaps(a: Box, b: Box) -> bool:
    """Whether two tables ``(x, y, width, height)`` (centre and size) overlap; touching
    edges do not."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return 2 * abs(ax - bx) < aw + bw and 2 * abs(ay - by) < ah + bh


def _area_read(area: Area) -> AreaRead:
    return AreaRead(
        id=area.id, name=area.name, tables=[], position=area.position, version=area.version
    )


def _stale(kind: str, row_id: int, version: int, wanted: int, current: Any) -> Conflict:
    return Conflict(
        "{kind} {row_id} changed (version {version}, not {wanted})",
        kind=Term(kind),
        row_id=row_id,
        version=version,
        wanted=wanted,
        field="version",
        current=msgspec.to_builtins(current),
    )


async def _area(session: AsyncSession, venue_id: int, area_id: int, *, lock: bool) -> Area:
    area = await session.get(Area, (venue_id, area_id), with_for_update=lock)
    if area is None or area.archived_at is not None:
        raise Invalid("no area {area_id}", area_id=area_id, field="area_id")
    return area


async def _check_area_name(session: AsyncSession, venue_id: int, name: str, own: int = 0) -> None:
    taken = await session.scalar(
        select(Area.id).where(
            Area.venue_id == venue_id, Area.name == name, Area.archived_at.is_(None), Area.id != own
        )
    )
    if taken is not None:
        raise Conflict("an area is already called {name!r}", name=name, field="name")


def _area_event(session: AsyncSession, venue_id: int, area: Area, archived: bool = False) -> None:
    events.record(
        session,
        venue_id,
        FLOOR_TOPIC,
        AreaChanged(area=msgspec.to_builtins(_area_read(area)), archived=archived),
    )


async def create_area(session: AsyncSession, caller: Caller, data: AreaCreate) -> AreaRead:
    """Add an area (a room, a terrace) to the floor plan."""
    v = caller.venue_id
    await _check_area_name(session, v, data.name)
    area = Area(venue_id=v, name=data.name, position=data.position)
    session.add(area)
    await session.flush()
    await session.refresh(area)
    _area_event(session, v, area)
    await audit.record(session, caller, "area.created", f"area:{area.id}", {"name": area.name})
    return _area_read(area)


async def patch_area(
    session: AsyncSession, caller: Caller, area_id: int, data: AreaPatch
) -> AreaRead:
    """Rename or reorder an area."""
    v = caller.venue_id
    area = await session.get(Area, (v, area_id), with_for_update=True)
    if area is None or area.archived_at is not None:
        raise NotFound("no area {area_id}", area_id=area_id, field="area_id")
    if data.version != area.version:
        raise _stale("area", area_id, area.version, data.version, _area_read(area))
    if data.name is not msgspec.UNSET:
        await _check_area_name(session, v, data.name, area.id)
        area.name = data.name
    if data.position is not msgspec.UNSET:
        area.position = data.position
    area.version += 1
    await session.flush()
    _area_event(session, v, area)
    await audit.record(session, caller, "area.changed", f"area:{area.id}", {"name": area.name})
    return _area_read(area)


async def archive_area(session: AsyncSession, caller: Caller, area_id: int) -> AreaRead:
    """Remove an empty area from the floor plan (409 while it has tables)."""
    v = caller.venue_id
    area = await session.get(Area, (v, area_id), with_for_update=True)
    if area is None or area.archived_at is not None:
        raise NotFound("no area {area_id}", area_id=area_id, field="area_id")
    tables = await session.scalar(
        select(func.count()).where(
            DiningTable.venue_id == v,
            DiningTable.area_id == area_id,
            DiningTable.archived_at.is_(None),
        )
    )
    if tables:
        raise Conflict(
            "area {area} still has {tables} tables", area=area.name, tables=tables, field="area_id"
        )
    area.archived_at = now_utc()
    area.version += 1
    await session.flush()
    _area_event(session, v, area, archived=True)
    await audit.record(session, caller, "area.archived", f"area:{area.id}", {"name": area.name})
    return _area_read(area)


# --- tables


async def _live_tables(session: AsyncSession, venue_id: int, area_id: int) -> list[DiningTable]:
    found = await session.execute(
        select(DiningTable).where(
            DiningTable.venue_id == venue_id,
            DiningTable.area_id == area_id,
            DiningTable.archived_at.is_(None),
        )
    )
    return list(found.scalars())


async def _check_table_name(session: AsyncSession, venue_id: int, name: str, own: int = 0) -> None:
    taken = await session.scalar(
        select(DiningTable.id).where(
            DiningTable.venue_id == venue_id,
            DiningTable.name == name,
            DiningTable.archived_at.is_(None),
            DiningTable.id != own,
        )
    )
    if taken is not None:
        raise Conflict(
            "a table is already called {name!r}", name=name, field="name", table_id=taken
        )


def _check_place(table: DiningTable, others: list[DiningTable]) -> None:
    """422 naming ``x`` if ``table`` would stand on another table of its area."""
    box = (table.x, table.y, table.width, table.height)
    for other in others:
        if other.id != table.id and overlaps(box, (other.x, other.y, other.width, other.height)):
            raise Invalid(
                "table {table} would stand on table {other}",
                table=table.name,
                other=other.name,
                field="x",
                table_id=other.id,
            )


def _check_neighbours(table: DiningTable, wanted: list[int], others: list[DiningTable]) -> None:
    """422 naming ``combinable_with`` unless every neighbour is another table of the area."""
    ids = {other.id for other in others if other.id != table.id}
    unknown = sorted(set(wanted) - ids)
    if unknown:
        raise Invalid(
            "tables {unknown} are not other tables of this area",
            unknown=unknown,
            field="combinable_with",
        )


def _set_neighbours(
    session: AsyncSession,
    venue_id: int,
    table: DiningTable,
    wanted: list[int],
    others: list[DiningTable],
) -> None:
    """Make ``combinable_with`` symmetric: ``table``'s neighbours list it, others do not."""
    table.combinable_with = sorted(set(wanted))
    for other in others:
        if other.id == table.id:
            continue
        has = table.id in other.combinable_with
        if (other.id in wanted) != has:
            other.combinable_with = sorted(
                {*other.combinable_with, table.id}
                if not has
                else set(other.combinable_with) - {table.id}
            )
            other.version += 1
            _table_event(session, venue_id, other)


def _table_event(
    session: AsyncSession, venue_id: int, table: DiningTable, archived: bool = False
) -> None:
    events.record(
        session,
        venue_id,
        FLOOR_TOPIC,
        TableChanged(table=msgspec.to_builtins(table_read(table)), archived=archived),
    )


def _layout(table: DiningTable) -> dict[str, Any]:
    return {
        "name": table.name,
        "area_id": table.area_id,
        "capacity": table.capacity,
        "x": table.x,
        "y": table.y,
        "width": table.width,
        "height": table.height,
        "shape": table.shape,
        "combinable_with": list(table.combinable_with),
    }


async def create_table(session: AsyncSession, caller: Caller, data: TableCreate) -> TableRead:
    """Place a new table in an area (422 if it would stand on another or names a
    neighbour outside the area)."""
    v = caller.venue_id
    await _area(session, v, data.area_id, lock=True)
    await _check_table_name(session, v, data.name)
    table = DiningTable(
        venue_id=v,
        area_id=data.area_id,
        name=data.name,
        capacity=data.capacity,
        x=data.x,
        y=data.y,
        width=data.width,
        height=data.height,
        shape=data.shape,
        combinable_with=[],
    )
    others = await _live_tables(session, v, data.area_id)
    _check_place(table, others)
    _check_neighbours(table, data.combinable_with, others)
    session.add(table)
    await session.flush()
    await session.refresh(table)
    _set_neighbours(session, v, table, data.combinable_with, others)
    await session.flush()
    _table_event(session, v, table)
    await audit.record(session, caller, "table.created", f"table:{table.id}", _layout(table))
    return table_read(table)


async def _table(
    session: AsyncSession, venue_id: int, table_id: int, to_area: int | None = None
) -> DiningTable:
    """The table, locked after its area (and ``to_area``, in id order): every change of a
    plan takes its area's row first, so two edits of one area cannot both pass the
    overlap check, and neighbours are changed under the same lock."""
    found = await session.get(DiningTable, (venue_id, table_id))
    if found is None or found.archived_at is not None:
        raise NotFound("no table {table_id}", table_id=table_id, field="table_id")
    areas = sorted({found.area_id, to_area or found.area_id})
    for area_id in areas:
        await _area(session, venue_id, area_id, lock=True)
    table = await session.get(
        DiningTable, (venue_id, table_id), with_for_update=True, populate_existing=True
    )
    if table is None or table.archived_at is not None:
        raise NotFound("no table {table_id}", table_id=table_id, field="table_id")
    if table.area_id not in areas:
        raise Conflict(
            "table {table_id} moved meanwhile; try again", table_id=table_id, field="version"
        )
    return table


async def patch_table(
    session: AsyncSession, caller: Caller, table_id: int, data: TablePatch
) -> TableRead:
    """Move, resize, reshape, rename, re-seat a table or change its neighbours. Moving it
    to another area drops its neighbours unless new ones are given."""
    v = caller.venue_id
    to_area = None if data.area_id is msgspec.UNSET else data.area_id
    table = await _table(session, v, table_id, to_area)
    if data.version != table.version:
        raise _stale("table", table_id, table.version, data.version, table_read(table))
    old_area = table.area_id
    neighbours = list(table.combinable_with)
    if to_area is not None and to_area != table.area_id:
        table.area_id = to_area
        neighbours = []
    if data.name is not msgspec.UNSET:
        await _check_table_name(session, v, data.name, table.id)
        table.name = data.name
    for field in ("capacity", "x", "y", "width", "height", "shape"):
        value = getattr(data, field)
        if value is not msgspec.UNSET:
            setattr(table, field, value)
    if data.combinable_with is not msgspec.UNSET:
        neighbours = data.combinable_with
    others = await _live_tables(session, v, table.area_id)
    _check_place(table, others)
    _check_neighbours(table, neighbours, others)
    if old_area != table.area_id:
        _set_neighbours(session, v, table, [], await _live_tables(session, v, old_area))
    _set_neighbours(session, v, table, neighbours, others)
    table.version += 1
    await session.flush()
    _table_event(session, v, table)
    await audit.record(session, caller, "table.changed", f"table:{table.id}", _layout(table))
    return table_read(table)


async def archive_table(
    session: AsyncSession, caller: Caller, table_id: int, version: int | None
) -> TableRead:
    """Take a table off the floor (its past checks keep it); 409 while it has an open
    check or when ``version`` is stale."""
    v = caller.venue_id
    table = await _table(session, v, table_id)
    if version is not None and version != table.version:
        raise _stale("table", table_id, table.version, version, table_read(table))
    if table.open_check is not None:
        raise Conflict(
            "table {table} has an open check",
            table=table.name,
            field="table_id",
            check_id=table.open_check.get("id"),
        )
    _set_neighbours(session, v, table, [], await _live_tables(session, v, table.area_id))
    table.archived_at = now_utc()
    table.version += 1
    await session.flush()
    _table_event(session, v, table, archived=True)
    await audit.record(session, caller, "table.archived", f"table:{table.id}", _layout(table))
    return table_read(table)
