"""Adjustments (discounts, comps), split parts, payments and gift cards of a check.

No card data is stored: a card payment keeps the provider's reference, the brand and the
last four digits. Amounts are integers in minor units.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check


class AdjustmentKind(enum.StrEnum):
    DISCOUNT = "discount"
    COMP = "comp"


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    CARD = "card"
    GIFT_CARD = "gift_card"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Adjustment(VenueScoped, Base):
    """A discount (percent in bp or amount, on a line or the check) or a comp of a line."""

    __tablename__ = "check_adjustments"
    __table_args__ = (
        enum_check("kind", AdjustmentKind),
        ForeignKeyConstraint(["venue_id", "check_id"], ["checks.venue_id", "checks.id"]),
        ForeignKeyConstraint(["venue_id", "line_id"], ["check_lines.venue_id", "check_lines.id"]),
        Index("ix_check_adjustments_check", "venue_id", "check_id"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    check_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[AdjustmentKind] = mapped_column(String(16))
    line_id: Mapped[int | None] = mapped_column(BigInteger)
    discount_kind: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(BigInteger, server_default="0")
    reason: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[int] = mapped_column(BigInteger)
    approved_by: Mapped[int | None] = mapped_column(BigInteger)


class BillPart(VenueScoped, Base):
    """A part of a split check. ``basis`` digests the bill it was cut from; a part that a
    later split replaced is ``active = false`` and kept for the payments' history."""

    __tablename__ = "bill_parts"
    __table_args__ = (
        ForeignKeyConstraint(["venue_id", "check_id"], ["checks.venue_id", "checks.id"]),
        Index("ix_bill_parts_active", "venue_id", "check_id", postgresql_where=text("active")),
    )

    check_id: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(BigInteger)
    service_charge: Mapped[int] = mapped_column(BigInteger)
    taxes: Mapped[list[Any]] = mapped_column(JSONB)
    line_shares: Mapped[list[Any]] = mapped_column(JSONB)
    basis: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(server_default="true")


class GiftCard(VenueScoped, Base):
    """A gift card or voucher; its balance only moves by a conditional UPDATE (never < 0).
    One sold on a check names that check and line; one issued by a manager names none.
    A manager voids an unused one (``voided_at``; balance 0)."""

    __tablename__ = "gift_cards"
    __table_args__ = (
        UniqueConstraint("venue_id", "code"),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
        Index("ix_gift_cards_check", "venue_id", "check_id"),
    )

    code: Mapped[str] = mapped_column(String(64))
    balance: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[dt.datetime | None]
    initial_balance: Mapped[int | None] = mapped_column(BigInteger)
    check_id: Mapped[int | None] = mapped_column(BigInteger)
    line_id: Mapped[int | None] = mapped_column(BigInteger)
    voided_at: Mapped[dt.datetime | None]
    voided_by: Mapped[int | None] = mapped_column(BigInteger)


class Payment(VenueScoped, Base):
    """A payment (positive) or refund (negative, ``refund_of`` the payment) on a check.

    ``part_id`` None pays the part of the bill in no split part. ``reference`` is the
    provider's transaction reference, unique per venue and provider, so the same terminal
    transaction is never recorded twice.
    """

    __tablename__ = "payments"
    __table_args__ = (
        enum_check("method", PaymentMethod),
        enum_check("status", PaymentStatus),
        ForeignKeyConstraint(["venue_id", "check_id"], ["checks.venue_id", "checks.id"]),
        ForeignKeyConstraint(["venue_id", "part_id"], ["bill_parts.venue_id", "bill_parts.id"]),
        ForeignKeyConstraint(
            ["venue_id", "gift_card_id"], ["gift_cards.venue_id", "gift_cards.id"]
        ),
        ForeignKeyConstraint(["venue_id", "refund_of"], ["payments.venue_id", "payments.id"]),
        UniqueConstraint("venue_id", "provider", "reference"),
        Index("ix_payments_check", "venue_id", "check_id"),
        Index("ix_payments_pending", "venue_id", "id", postgresql_where=text("status = 'pending'")),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint("tip >= 0 AND change >= 0", name="tip_change_not_negative"),
    )

    check_id: Mapped[int] = mapped_column(BigInteger)
    part_id: Mapped[int | None] = mapped_column(BigInteger)
    method: Mapped[PaymentMethod] = mapped_column(String(16))
    status: Mapped[PaymentStatus] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    tip: Mapped[int] = mapped_column(BigInteger, server_default="0")
    tendered: Mapped[int | None] = mapped_column(BigInteger)
    change: Mapped[int] = mapped_column(BigInteger, server_default="0")
    provider: Mapped[str | None] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(100))
    provider_key: Mapped[str | None] = mapped_column(String(64))
    brand: Mapped[str | None] = mapped_column(String(32))
    last4: Mapped[str | None] = mapped_column(String(4))
    gift_card_id: Mapped[int | None] = mapped_column(BigInteger)
    refund_of: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(200))
    taken_by: Mapped[int | None] = mapped_column(BigInteger)
    resolved_at: Mapped[dt.datetime | None]
