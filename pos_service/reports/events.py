"""Events of reports. Recorded on ``reports`` (managers only)."""

from __future__ import annotations

from typing import ClassVar

from pos_service.core.events import DomainEvent


class DayClosed(DomainEvent, frozen=True, kw_only=True):
    """A business day was closed (Z report), by a manager or by the scheduler. Carries
    the date, the journal range it covers and its totals."""

    type: ClassVar[str] = "day.closed"
    business_date: str
    from_seq: int
    to_seq: int
    sales_total: int
    cash_expected: int
    counted_cash: int | None
    closed_by: int | None
