"""Promotions (discounts applied by the bill when their conditions hold) and day-part
prices (an item's price while a schedule is open, fixed on the line when it is ordered)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped

KINDS = ("percent_off", "amount_off", "buy_n_get_m", "combo_price")


class Promotion(VenueScoped, Base):
    """A promotion of one ``kind`` with its ``params`` (see ``schemas.PromotionParams``),
    on ``item_ids`` and items of ``category_ids`` (a combo names its own components),
    during ``windows`` (venue-local weekday and time windows; none = all day) from
    business day ``starts_on`` to ``ends_on`` (either open). A line ordered before
    ``ended_at`` keeps it; ``version`` grows with every change."""

    __tablename__ = "promotions"
    __table_args__ = (
        UniqueConstraint("venue_id", "name"),
        CheckConstraint(
            "kind IN ('percent_off', 'amount_off', 'buy_n_get_m', 'combo_price')", name="kind"
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    item_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), server_default="{}")
    category_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), server_default="{}")
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    windows: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_at: Mapped[dt.datetime | None]
    ended_by: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class DayPartPrice(VenueScoped, Base):
    """An item's ``price`` (minor units, before modifiers) for lines ordered while one of
    ``windows`` is open; the lowest open one wins. Removed rows change no ordered line."""

    __tablename__ = "day_part_prices"
    __table_args__ = (
        ForeignKeyConstraint(
            ["venue_id", "item_id"], ["items.venue_id", "items.id"], ondelete="CASCADE"
        ),
        CheckConstraint("price >= 0", name="price_not_negative"),
        Index("ix_day_part_prices_item", "venue_id", "item_id"),
    )

    item_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[int] = mapped_column(BigInteger)
    windows: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
