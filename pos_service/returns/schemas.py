"""What the returns and gift-card void APIs read and write. Amounts are minor units."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from pos_service.core.schemas import Id
from pos_service.payments.schemas import Approval, Reason

Quantity = Annotated[int, msgspec.Meta(ge=1, le=10_000)]
Tender = Literal["original", "cash"]


class ReturnLine(msgspec.Struct, kw_only=True):
    """``quantity`` units of the check's line ``line_id`` given back."""

    line_id: Id
    quantity: Quantity


class ReturnCreate(msgspec.Struct, kw_only=True):
    """Lines of a closed check given back. The refund goes to the payments the check was
    paid with (``original``: cash, gift card, card, in that order) or all in ``cash``.
    Above the venue's ``return_approval_minor`` it needs a manager's ``approval`` for
    ``return``. ``restock`` puts what the items use back on stock."""

    lines: Annotated[list[ReturnLine], msgspec.Meta(min_length=1, max_length=200)]
    reason: Reason
    tender: Tender = "original"
    approval: Approval | None = None
    restock: bool = True


class ReturnLineRead(msgspec.Struct, kw_only=True):
    line_id: int
    name: str
    quantity: int
    gross: int
    net: int
    tax_rate_ppm: int
    tax: int


class ReturnTaxRead(msgspec.Struct, kw_only=True):
    rate_ppm: int
    base: int
    tax: int


class ReturnRead(msgspec.Struct, kw_only=True):
    """A return: the lines' refunded net (their discounts included), the service charge
    share, tax per rate, the ``amount`` refunded and the refund payments (a card refund
    is ``pending`` until the provider answers)."""

    id: int
    check_id: int
    reason: str
    tender: str
    lines: list[ReturnLineRead]
    taxes: list[ReturnTaxRead]
    service_charge: int
    amount: int
    payment_ids: list[int]
    points: int
    returned_by: int | None
    approved_by: int | None
    created_at: dt.datetime


class GiftCardVoid(msgspec.Struct, kw_only=True):
    """Void an unused gift card; one sold on a check is refunded like a return of it."""

    reason: Reason
    tender: Tender = "original"


class GiftCardVoided(msgspec.Struct, kw_only=True):
    gift_card_id: int
    code: str
    amount: int
    voided_at: dt.datetime
    refund: ReturnRead | None
