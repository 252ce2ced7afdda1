"""Closed business days and their tip settlements. Written once at the close, never changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped


class DayClose(VenueScoped, Base):
    """The Z report of one business day: journal entries ``from_seq`` to ``to_seq``."""

    __tablename__ = "day_closes"
    __table_args__ = (UniqueConstraint("venue_id", "business_date"),)

    business_date: Mapped[dt.date]
    from_seq: Mapped[int] = mapped_column(BigInteger)
    to_seq: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[dt.datetime]
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    counted_cash: Mapped[int | None] = mapped_column(BigInteger)
    report: Mapped[dict[str, Any]] = mapped_column(JSONB)


class TipSettlement(VenueScoped, Base):
    """The card tips of a closed business day and how the venue's rule shared them;
    ``unallocated`` is what nobody in the pool could take (no rule, nobody clocked in)."""

    __tablename__ = "tip_settlements"
    __table_args__ = (UniqueConstraint("venue_id", "business_date"),)

    business_date: Mapped[dt.date]
    mode: Mapped[str] = mapped_column(String(16))
    card_tips: Mapped[int] = mapped_column(BigInteger)
    cash_tips: Mapped[int] = mapped_column(BigInteger, server_default="0")
    unallocated: Mapped[int] = mapped_column(BigInteger)
    rule: Mapped[dict[str, Any]] = mapped_column(JSONB)


class TipShare(VenueScoped, Base):
    """One member's share of a day's pooled card tips, with the weight it came from."""

    __tablename__ = "tip_shares"
    __table_args__ = (
        ForeignKeyConstraint(
            ["venue_id", "settlement_id"], ["tip_settlements.venue_id", "tip_settlements.id"]
        ),
        ForeignKeyConstraint(["venue_id", "staff_id"], ["staff.venue_id", "staff.id"]),
        UniqueConstraint("venue_id", "settlement_id", "staff_id"),
    )

    settlement_id: Mapped[int] = mapped_column(BigInteger)
    staff_id: Mapped[int] = mapped_column(BigInteger)
    weight: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
