"""What the bills, payments and guest APIs read and write. Amounts are minor units."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from pos_service.core.schemas import Id

Amount = Annotated[int, msgspec.Meta(ge=1, le=10**10)]
Tip = Annotated[int, msgspec.Meta(ge=0, le=10**10)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Approval = Annotated[str, msgspec.Meta(max_length=200)]
Count = Annotated[int, msgspec.Meta(ge=1, le=50)]
Reference = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
GiftCode = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class DiscountCreate(msgspec.Struct, kw_only=True):
    """``value`` in basis points (percent: 1000 = 10 %) or minor units (amount);
    ``line_id`` None discounts the whole check. Above the venue's threshold it needs a
    manager's ``approval`` for ``discount``."""

    kind: Literal["percent", "amount"]
    value: Annotated[int, msgspec.Meta(ge=1, le=10**10)]
    reason: Reason
    line_id: Id | None = None
    approval: Approval | None = None


class CompCreate(msgspec.Struct, kw_only=True):
    """Give a line away; always needs a manager's ``approval`` for ``comp``."""

    line_id: Id
    reason: Reason
    approval: Approval | None = None


class SplitRequest(msgspec.Struct, kw_only=True):
    """How to split what is not being paid yet.

    - ``even``: ``n`` even parts; with ``part_id`` that part only, the others kept.
    - ``seat``: one part per seat (lines without a seat shared over the seats).
    - ``items``: ``parts`` parts, ``assignment`` maps line ids to 0-based parts
      (unassigned lines shared evenly).
    - ``shares``: take ``line_id`` out of the unpaid parts and make it ``n`` parts.
    - ``custom``: parts of the given ``amounts`` (summing to what is split).
    """

    mode: Literal["even", "seat", "items", "shares", "custom"]
    n: Count | None = None
    part_id: Id | None = None
    parts: Count | None = None
    assignment: dict[int, Annotated[int, msgspec.Meta(ge=0, le=49)]] = {}
    line_id: Id | None = None
    amounts: Annotated[list[Annotated[int, msgspec.Meta(ge=0)]], msgspec.Meta(max_length=50)] = []


class PaymentCreate(msgspec.Struct, kw_only=True):
    """Pay a part (``part_id``) or, without one, the part of the check in no split part.

    ``amount`` None pays everything open on it (a gift card: as much of it as the card
    holds). Cash may hand over more than is due: the excess is change (``tendered`` is
    what the guest gave, default ``amount``; it covers the ``tip`` too). A tip is taken
    by card or in cash. ``reference``
    is the terminal's transaction reference when the charge was started on the terminal itself.
    """

    method: Literal["cash", "card", "gift_card"]
    part_id: Id | None = None
    amount: Amount | None = None
    tip: Tip = 0
    tendered: Amount | None = None
    gift_card_code: GiftCode | None = None
    reference: Reference | None = None


class GuestPaymentCreate(msgspec.Struct, kw_only=True):
    """A guest pays by card: a part, chosen items (``line_ids``) or an amount."""

    part_id: Id | None = None
    line_ids: Annotated[list[Id], msgspec.Meta(max_length=100)] = []
    amount: Amount | None = None
    tip: Tip = 0


class RefundCreate(msgspec.Struct, kw_only=True):
    """Give back (part of) an approved payment; ``amount`` None refunds what is left of it."""

    payment_id: Id
    reason: Reason
    amount: Amount | None = None


class GiftCardCreate(msgspec.Struct, kw_only=True):
    code: GiftCode
    balance: Amount
    expires_at: dt.datetime | None = None


class ReceiptEmail(msgspec.Struct, kw_only=True):
    to: Annotated[
        str, msgspec.Meta(pattern=r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$", max_length=200)
    ]


class TaxRead(msgspec.Struct, kw_only=True):
    rate_ppm: int
    base: int
    tax: int


class BillLineRead(msgspec.Struct, kw_only=True):
    line_id: int
    name: str
    quantity: int
    seat: int | None
    tax_rate_ppm: int
    gross: int
    discount: int
    net: int


class CompRead(msgspec.Struct, kw_only=True):
    line_id: int
    name: str
    value: int
    reason: str


class DiscountRead(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    value: int
    line_id: int | None
    reason: str


class PromotionLineRead(msgspec.Struct, kw_only=True):
    """What a promotion took off one line (it is in that line's ``discount``)."""

    promotion_id: int
    name: str
    line_id: int
    amount: int


class ShareRead(msgspec.Struct, kw_only=True):
    line_id: int
    amount: int


class PartRead(msgspec.Struct, kw_only=True):
    """A part of the bill (``id`` None: the rest, in no part) and what is paid on it."""

    id: int | None
    label: str
    amount: int
    service_charge: int
    taxes: list[TaxRead]
    lines: list[ShareRead]
    paid: int
    pending: int
    due: int


class PaymentRead(msgspec.Struct, kw_only=True):
    id: int
    check_id: int
    part_id: int | None
    method: str
    status: str
    amount: int
    tip: int
    tendered: int | None
    change: int
    reference: str | None
    brand: str | None
    last4: str | None
    refund_of: int | None
    reason: str | None
    created_at: dt.datetime
    resolved_at: dt.datetime | None


class BillRead(msgspec.Struct, kw_only=True):
    """The bill of a check: ``due = total - paid`` from the approved payments."""

    check_id: int
    status: str
    currency: str
    tax_inclusive: bool
    covers: int
    lines: list[BillLineRead]
    comps: list[CompRead]
    discounts: list[DiscountRead]
    subtotal: int
    discount_total: int
    service_charge: int
    taxes: list[TaxRead]
    total: int
    paid: int
    pending: int
    due: int
    tips: int
    parts: list[PartRead]
    rest: PartRead
    payments: list[PaymentRead]
    promotions: list[PromotionLineRead] = msgspec.field(default_factory=list)
    """The promotions applied, one row per promotion and line (docs/promotions.md)."""


class PaymentResult(msgspec.Struct, kw_only=True):
    """A payment as taken (``change`` to hand back for cash) and the bill after it."""

    payment: PaymentRead
    bill: BillRead


class GuestLinkRead(msgspec.Struct, kw_only=True):
    """``qr_svg``: the link's absolute address as a QR code (an SVG document) for the
    guest to scan from the waiter's screen."""

    token: str
    url: str
    expires_at: dt.datetime
    qr_svg: str = ""


class GiftCardRead(msgspec.Struct, kw_only=True):
    id: int
    code: str
    balance: int
    expires_at: dt.datetime | None


class ReceiptSent(msgspec.Struct, kw_only=True):
    check_id: int
    to: str


class ReceiptPrinted(msgspec.Struct, kw_only=True):
    """A receipt queued on the venue's receipt printer (``job_id`` of ``/api/print-jobs``)."""

    check_id: int
    job_id: int
    printer_id: int
