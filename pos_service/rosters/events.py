"""Events of the rosters (topic ``rosters``)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pos_service.core.events import DomainEvent

TOPIC = "rosters"


class RosterPublished(DomainEvent, frozen=True, kw_only=True):
    """The week starting on ``week`` was published; ``staff_ids`` have shifts in it."""

    type: ClassVar[str] = "roster.published"
    week: dt.date
    staff_ids: list[int]


class RosterShiftChanged(DomainEvent, frozen=True, kw_only=True):
    """A published shift of ``staff_id`` changed or was cancelled."""

    type: ClassVar[str] = "roster.shift_changed"
    shift_id: int
    staff_id: int
    cancelled: bool
