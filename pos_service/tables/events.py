"""Events of the floor."""

from __future__ import annotations

from typing import ClassVar

from pos_service.core.events import DomainEvent


class TableStatusChanged(DomainEvent, frozen=True, kw_only=True):
    """A table's live state changed (seated, ordered, course ready, paid, to clean, free).
    Carries the table, its new status and its open check if any."""

    type: ClassVar[str] = "table.status_changed"
    table_id: int
    name: str
    status: str
    check_id: int | None
