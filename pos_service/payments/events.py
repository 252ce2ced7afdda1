"""Events of bills and payments. Each is recorded on ``payments``, ``orders`` and
``check:<id>`` (what the guest's phone follows). Those that change the bill carry it
whole as ``bill`` (as ``GET /api/checks/{id}/bill`` shows it), and those that bump the
check's version carry the new ``version``: a page showing the bill applies them without
a request (docs/live.md)."""

from __future__ import annotations

from typing import Any, ClassVar

from pos_service.core.events import DomainEvent


class BillAdjusted(DomainEvent, frozen=True, kw_only=True):
    """A discount or comp was added to a check. Carries its kind, line, value, reason,
    who added it and who approved it, the check's new total and version, and the bill."""

    type: ClassVar[str] = "bill.adjusted"
    check_id: int
    adjustment_id: int
    kind: str
    line_id: int | None
    value: int
    reason: str
    added_by: int
    approved_by: int | None
    total: int
    version: int | None = None
    bill: dict[str, Any] | None = None


class BillSplit(DomainEvent, frozen=True, kw_only=True):
    """The check was split (again). Carries the mode, the current parts' ids and amounts,
    the check's new version and the bill."""

    type: ClassVar[str] = "bill.split"
    check_id: int
    mode: str
    part_ids: list[int]
    amounts: list[int]
    version: int | None = None
    bill: dict[str, Any] | None = None


class BillRequested(DomainEvent, frozen=True, kw_only=True):
    """The bill was asked for (pre-bill printed or a guest link made). Carries the total."""

    type: ClassVar[str] = "bill.requested"
    check_id: int
    total: int


class PaymentChanged(DomainEvent, frozen=True, kw_only=True):
    """A payment was started (pending), approved, declined, or a refund made. Carries the
    payment's part, method, status and amounts, what is still due on the check, and the
    bill after it, and the check's bill total (``total``, from which the manager's live
    figures follow the open bills; absent in events recorded before it was added)."""

    type: ClassVar[str] = "payment.changed"
    check_id: int
    payment_id: int
    part_id: int | None
    method: str
    status: str
    amount: int
    tip: int
    due: int
    bill: dict[str, Any] | None = None
    total: int | None = None


class CheckClosed(DomainEvent, frozen=True, kw_only=True):
    """Nothing is due any more: the check closed. Carries its table, final total, the
    check's new version and the closed bill."""

    type: ClassVar[str] = "check.closed"
    check_id: int
    table_id: int | None
    total: int
    paid: int
    version: int | None = None
    bill: dict[str, Any] | None = None


class GiftCardIssued(DomainEvent, frozen=True, kw_only=True):
    """Paying a check that sold a gift card issued it. Carries the card (code, balance,
    expiry) for the waiter to hand over or print."""

    type: ClassVar[str] = "gift_card.issued"
    check_id: int
    gift_card: dict[str, Any]
