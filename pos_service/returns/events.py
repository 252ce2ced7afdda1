"""Events of returns and gift-card voids, recorded on ``payments``, ``orders`` and
``check:<id>``."""

from __future__ import annotations

from typing import ClassVar

from pos_service.core.events import DomainEvent


class CheckReturned(DomainEvent, frozen=True, kw_only=True):
    """Lines of a closed check were given back. Carries the return, the lines and
    quantities, the amount refunded, the refund payments and who approved it."""

    type: ClassVar[str] = "check.returned"
    check_id: int
    return_id: int
    lines: list[list[int]]
    amount: int
    payment_ids: list[int]
    approved_by: int | None


class GiftCardVoidedEvent(DomainEvent, frozen=True, kw_only=True):
    """An unused gift card was voided by a manager. Carries its id, the value it held
    and the return that refunded its sale (None for a card no check sold)."""

    type: ClassVar[str] = "gift_card.voided"
    gift_card_id: int
    check_id: int | None
    amount: int
    return_id: int | None
