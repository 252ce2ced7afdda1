"""The floor and each table's live state.

Other domains (orders, kitchen, payments, reservations) set a table's state only through
:func:`set_status`, so the floor view needs no import of them.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections import defaultdict
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core import events, locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, NotFound, Term
from pos_service.tables.events import TableNextReservationChanged, TableStatusChanged
from pos_service.tables.models import Area, DiningTable, TableStatus
from pos_service.tables.schemas import (
    AreaRead,
    FloorRead,
    OpenCheckRead,
    ReservationBrief,
    TableRead,
    TurnoverSettings,
)
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

FLOOR_TOPIC = "floor"
SETTINGS_KEY = "turnover"


async def lock(
    session: AsyncSession, venue_id: int, table_id: int, field: str = "table_id"
) -> DiningTable:
    """The table, locked for this transaction (seating and opening checks serialise on it)."""
    table = await locks.row(session, locks.Lock.TABLE, DiningTable, (venue_id, table_id))
    if table is None or table.archived_at is not None:
        raise NotFound("no table {table_id}", table_id=table_id, field=field)
    return table


_KEEP = msgspec.UNSET


async def set_state(
    session: AsyncSession,
    venue_id: int,
    table: DiningTable | int,
    status: TableStatus,
    *,
    open_check: OpenCheckRead | msgspec.UnsetType | None = _KEEP,
) -> DiningTable:
    """Set a table's live state (and its open check) and record it on ``floor``."""
    if isinstance(table, int):
        found = await session.get(DiningTable, (venue_id, table))
        if found is None:
            raise NotFound("no table {table}", table=table, field="table_id")
        table = found
    event = change_state(table, status, now_utc(), open_check=open_check)
    if event is not None:
        events.record(session, venue_id, FLOOR_TOPIC, event)
    return table


class TableState(typing.Protocol):
    """What :func:`change_state` reads and sets: a table row, or a lean write's facts."""

    id: int
    name: str
    status: TableStatus
    status_changed_at: dt.datetime | None
    open_check: dict[str, Any] | None


def change_state(
    table: TableState,
    status: TableStatus,
    at: dt.datetime,
    *,
    open_check: OpenCheckRead | msgspec.UnsetType | None = _KEEP,
) -> TableStatusChanged | None:
    """The rule of a table's live state, pure: ``table`` set to ``status`` (and its open
    check) at ``at``, and the ``floor`` event to record, None if nothing changed."""
    changed = table.status != status
    if open_check is not _KEEP:
        new = None if open_check is None else msgspec.to_builtins(open_check)
        changed = changed or new != table.open_check
        table.open_check = new
    if not changed:
        return None
    if table.status != status:
        table.status = status
        table.status_changed_at = at
    check_id = table.open_check["id"] if table.open_check else None
    return TableStatusChanged(
        table_id=table.id,
        name=table.name,
        status=status,
        check_id=check_id,
        status_changed_at=table.status_changed_at,
        open_check=table.open_check,
    )


async def set_next_reservation(
    session: AsyncSession, venue_id: int, table_id: int, brief: ReservationBrief | None
) -> None:
    """Set the reservation the floor shows next on a table, recording a change on ``floor``."""
    table = await session.get(DiningTable, (venue_id, table_id))
    if table is None:
        raise NotFound("no table {table_id}", table_id=table_id, field="table_id")
    new = None if brief is None else msgspec.to_builtins(brief)
    if new != table.next_reservation:
        table.next_reservation = new
        events.record(
            session,
            venue_id,
            FLOOR_TOPIC,
            TableNextReservationChanged(table_id=table.id, name=table.name, next_reservation=new),
        )


def table_read(t: DiningTable) -> TableRead:
    return TableRead(
        id=t.id,
        area_id=t.area_id,
        name=t.name,
        capacity=t.capacity,
        x=t.x,
        y=t.y,
        shape=t.shape,
        width=t.width,
        height=t.height,
        combinable_with=list(t.combinable_with),
        version=t.version,
        status=t.status,
        status_changed_at=t.status_changed_at,
        open_check=None
        if t.open_check is None
        else msgspec.convert(t.open_check, OpenCheckRead, strict=False),
        next_reservation=None
        if t.next_reservation is None
        else msgspec.convert(t.next_reservation, ReservationBrief, strict=False),
    )


async def get_floor(session: AsyncSession, caller: Caller) -> FloorRead:
    """Areas and tables with live status and open checks."""
    venue_id = caller.venue_id
    tables: dict[int, list[TableRead]] = defaultdict(list)
    for t in (
        await session.execute(
            select(DiningTable)
            .where(DiningTable.venue_id == venue_id, DiningTable.archived_at.is_(None))
            .order_by(DiningTable.id)
        )
    ).scalars():
        tables[t.area_id].append(table_read(t))
    areas = (
        await session.execute(
            select(Area)
            .where(Area.venue_id == venue_id, Area.archived_at.is_(None))
            .order_by(Area.position, Area.id)
        )
    ).scalars()
    return FloorRead(
        areas=[
            AreaRead(
                id=a.id, name=a.name, tables=tables[a.id], position=a.position, version=a.version
            )
            for a in areas
        ]
    )


def turnover(venue: Venue) -> TurnoverSettings:
    """The venue's table turnover settings (cleaned by hand unless set)."""
    raw = venue.settings.get(SETTINGS_KEY)
    return TurnoverSettings() if raw is None else msgspec.convert(raw, TurnoverSettings)


async def get_turnover(session: AsyncSession, caller: Caller) -> TurnoverSettings:
    return turnover(await venues.get(session, caller.venue_id))


async def set_turnover(
    session: AsyncSession, caller: Caller, data: TurnoverSettings
) -> TurnoverSettings:
    """Set how paid tables come back (a venue setting, audited)."""
    venue = await session.get(Venue, caller.venue_id, with_for_update=True)
    if venue is None:
        raise NotFound("no such venue", field="venue")
    venue.settings = {**venue.settings, SETTINGS_KEY: msgspec.to_builtins(data)}
    venue.version += 1  # a manager's open venue form is stale now
    await audit.record(
        session,
        caller,
        "settings.changed",
        f"venue:{venue.id}",
        {SETTINGS_KEY: msgspec.to_builtins(data)},
    )
    return data


async def clean(session: AsyncSession, caller: Caller, table_id: int) -> TableRead:
    """A table that was being cleaned is ready again: ``to_clean`` -> ``free``."""
    table = await lock(session, caller.venue_id, table_id)
    if table.status != TableStatus.TO_CLEAN:
        raise Conflict(
            "table {table} is {state}, not to clean",
            table=table.name,
            state=Term(table.status.replace("_", " ")),
            field="table_id",
            table_status=table.status,
        )
    await set_state(session, caller.venue_id, table, TableStatus.FREE, open_check=None)
    return table_read(table)


def ready_at(venue: Venue, table: DiningTable, fallback_minutes: int) -> dt.datetime | None:
    """When a table being cleaned is expected back: by the venue's automatic clean, else
    ``fallback_minutes`` after it turned ``to_clean``; ``None`` if it is not being cleaned."""
    if table.status != TableStatus.TO_CLEAN:
        return None
    minutes = turnover(venue).clean_after_minutes or fallback_minutes
    since = table.status_changed_at or now_utc()
    return since + dt.timedelta(minutes=minutes)


async def clean_due(session: AsyncSession, now: dt.datetime) -> int:
    """Set free the tables whose venue cleans automatically and whose time has come
    (a scheduled task; rows claimed with ``SKIP LOCKED``)."""
    done = 0
    for venue in (await session.execute(select(Venue))).scalars():
        minutes = turnover(venue).clean_after_minutes
        if minutes is None:
            continue
        due = (
            await session.execute(
                select(DiningTable)
                .where(
                    DiningTable.venue_id == venue.id,
                    DiningTable.status == TableStatus.TO_CLEAN,
                    DiningTable.status_changed_at <= now - dt.timedelta(minutes=minutes),
                )
                .order_by(DiningTable.id)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
        for table in due:
            await set_state(session, venue.id, table, TableStatus.FREE, open_check=None)
            done += 1
    return done
