"""Events of the floor."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pos_service.core.events import DomainEvent


class TableStatusChanged(DomainEvent, frozen=True, kw_only=True):
    """A table's live state changed (seated, ordered, course ready, paid, to clean, free),
    or its open check's brief did (opened, claimed, moved). Carries the table, its new
    status and its open check's id, and the whole live state as ``GET /api/floor`` shows
    it (``status_changed_at``, ``open_check``: id, covers, waiter), so a floor applies it
    without a request."""

    type: ClassVar[str] = "table.status_changed"
    table_id: int
    name: str
    status: str
    check_id: int | None
    status_changed_at: dt.datetime | None = None
    open_check: dict[str, Any] | None = None


class TableNextReservationChanged(DomainEvent, frozen=True, kw_only=True):
    """A table's next reservation of the day changed (booked, cancelled, seated, released).
    Carries the table and the reservation brief, or ``None`` when nothing is booked."""

    type: ClassVar[str] = "table.next_reservation_changed"
    table_id: int
    name: str
    next_reservation: dict[str, Any] | None


class AreaChanged(DomainEvent, frozen=True, kw_only=True):
    """An area was added, renamed, reordered or removed (``archived``) in the floor plan
    editor. Carries the area without its tables."""

    type: ClassVar[str] = "area.changed"
    area: dict[str, Any]
    archived: bool = False


class TableChanged(DomainEvent, frozen=True, kw_only=True):
    """A table was added, moved, resized, renamed, re-seated or archived in the floor plan
    editor, or its neighbours changed. Carries the table as ``GET /api/floor`` shows it,
    with its new version."""

    type: ClassVar[str] = "table.changed"
    table: dict[str, Any]
    archived: bool = False
