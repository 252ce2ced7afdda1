"""Events of stock. Recorded on ``stock`` (managers, kitchen and bar) and ``orders``."""

from __future__ import annotations

from typing import ClassVar

from pos_service.core.events import DomainEvent


class StockLow(DomainEvent, frozen=True, kw_only=True):
    """A send took a stock item down to (or below) its alert level, or ran it out
    (``out``: nothing left; the items using it were 86'd). Carries the level."""

    type: ClassVar[str] = "stock.low"
    stock_item_id: int
    name: str
    unit: str
    on_hand: int
    low_at: int
    out: bool


class StockCounted(DomainEvent, frozen=True, kw_only=True):
    """Stock was counted. Carries each counted item's new level and the difference."""

    type: ClassVar[str] = "stock.counted"
    counts: list[dict[str, int]]
    note: str
