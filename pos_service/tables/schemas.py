"""What the floor API reads."""

from __future__ import annotations

import datetime as dt

import msgspec


class OpenCheckRead(msgspec.Struct, kw_only=True):
    """The open check of a table, as set on the table by ``orders``."""

    id: int
    covers: int
    waiter_id: int
    waiter: str
    opened_at: dt.datetime


class ReservationBrief(msgspec.Struct, kw_only=True):
    """The table's next reservation, as set on the table by ``reservations``."""

    id: int
    name: str
    party_size: int
    starts_at: dt.datetime


class TableRead(msgspec.Struct, kw_only=True):
    id: int
    area_id: int
    name: str
    capacity: int
    x: int
    y: int
    shape: str
    combinable_with: list[int]
    status: str
    status_changed_at: dt.datetime | None
    open_check: OpenCheckRead | None = None
    next_reservation: ReservationBrief | None = None


class AreaRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    tables: list[TableRead]


class FloorRead(msgspec.Struct, kw_only=True):
    areas: list[AreaRead]
