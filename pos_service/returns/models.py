"""A return: lines of a closed check given back, with what each refunded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKeyConstraint, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped


class CheckReturn(VenueScoped, Base):
    """Lines (some or all units) of a closed check given back, in minor units.

    ``lines`` is ``[[line_id, quantity, gross, net, tax_rate_ppm, tax], ...]``: each
    line's refunded share of its gross, its net (its discounts included) and its rate's
    tax; ``taxes`` is ``[[rate_ppm, base, tax], ...]``; ``amount`` is what the guest
    got back (lines, service charge share and, prices excluding tax, the tax);
    ``payment_ids`` are the refunds that paid it out."""

    __tablename__ = "check_returns"
    __table_args__ = (
        ForeignKeyConstraint(["venue_id", "check_id"], ["checks.venue_id", "checks.id"]),
        Index("ix_check_returns_check", "venue_id", "check_id"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    check_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    tender: Mapped[str] = mapped_column(String(16))
    lines: Mapped[list[Any]] = mapped_column(JSONB)
    taxes: Mapped[list[Any]] = mapped_column(JSONB)
    service_charge: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    payment_ids: Mapped[list[Any]] = mapped_column(JSONB)
    points: Mapped[int] = mapped_column(BigInteger, server_default="0")
    returned_by: Mapped[int | None] = mapped_column(BigInteger)
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
