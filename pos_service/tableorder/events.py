"""Events of ordering at the table."""

from __future__ import annotations

from typing import ClassVar

from pos_service.core.events import DomainEvent


class GuestOrdered(DomainEvent, frozen=True, kw_only=True):
    """A guest sent an order from the table's link. Fires on the check's topics (the
    handhelds and the check's guest page) after its ``line.added`` events; ``status``
    ``waiting``: the lines wait for the waiter to send them, ``sent``: they went to the
    kitchen. Carries the check, the table, the line ids and the check's version."""

    type: ClassVar[str] = "guest.ordered"
    check_id: int
    table_id: int
    table: str
    line_ids: list[int]
    status: str
    version: int
