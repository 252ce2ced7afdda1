"""What the floor API reads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from pos_service.core.schemas import Id


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
    width: int
    height: int
    combinable_with: list[int]
    version: int
    status: str
    status_changed_at: dt.datetime | None
    open_check: OpenCheckRead | None = None
    next_reservation: ReservationBrief | None = None


class AreaRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    tables: list[TableRead]
    position: int = 0
    version: int = 1


class FloorRead(msgspec.Struct, kw_only=True):
    areas: list[AreaRead]


# --- the floor plan editor

AreaName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
TableName = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Position = Annotated[int, msgspec.Meta(ge=0, le=1000)]
Coordinate = Annotated[int, msgspec.Meta(ge=0, le=5000, description="plan units, the centre")]
Size = Annotated[int, msgspec.Meta(ge=20, le=1000, description="plan units")]
Seats = Annotated[int, msgspec.Meta(ge=1, le=99)]
Shape = Literal["round", "square", "rect"]
Neighbours = Annotated[list[Id], msgspec.Meta(max_length=20)]
Version = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class AreaCreate(msgspec.Struct, kw_only=True):
    name: AreaName
    position: Position = 0


class AreaPatch(msgspec.Struct, kw_only=True):
    """Rename or reorder an area; ``version`` is the one the change was made on."""

    version: Version
    name: AreaName | UnsetType = UNSET
    position: Position | UnsetType = UNSET


class TableCreate(msgspec.Struct, kw_only=True):
    """A new table placed at ``x, y`` (its centre) in an area; ``capacity`` is its seats."""

    area_id: Id
    name: TableName
    capacity: Seats
    x: Coordinate
    y: Coordinate
    width: Size = 80
    height: Size = 80
    shape: Shape = "square"
    combinable_with: Neighbours = msgspec.field(default_factory=list)


class TablePatch(msgspec.Struct, kw_only=True):
    """Move, resize, reshape, rename or re-seat a table, or change its neighbours."""

    version: Version
    area_id: Id | UnsetType = UNSET
    name: TableName | UnsetType = UNSET
    capacity: Seats | UnsetType = UNSET
    x: Coordinate | UnsetType = UNSET
    y: Coordinate | UnsetType = UNSET
    width: Size | UnsetType = UNSET
    height: Size | UnsetType = UNSET
    shape: Shape | UnsetType = UNSET
    combinable_with: Neighbours | UnsetType = UNSET
