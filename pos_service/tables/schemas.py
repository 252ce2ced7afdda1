"""What the floor API reads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec


class OpenCheckRead(msgspec.Struct, kw_only=True):
    """The open check of a table, as set on the table by ``orders``."""

    id: int
    covers: int
    waiter_id: int | None
    waiter: str
    opened_at: dt.datetime


class TurnoverSettings(msgspec.Struct, kw_only=True):
    """How a paid table comes back: ``clean_after_minutes`` after it turned ``to_clean``
    it is set free by itself; ``None``: only when someone marks it clean."""

    clean_after_minutes: Annotated[int, msgspec.Meta(ge=1, le=240)] | None = None


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
