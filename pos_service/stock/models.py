"""Stock items, recipes and the log of every stock movement.

Quantities are integers in the stock item's unit (pieces, grams, millilitres), so no
fraction is ever rounded. ``on_hand`` may go below zero: the count is an estimate, and a
dish already ordered is not refused because the book says the fridge is empty.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check


class MovementKind(enum.StrEnum):
    SALE = "sale"
    COUNT = "count"
    RETURN = "return"


class StockItem(VenueScoped, Base):
    """An ingredient (or a whole item kept in stock) with what is on hand; ``low_at``
    is the level at which managers are alerted."""

    __tablename__ = "stock_items"
    __table_args__ = (
        UniqueConstraint("venue_id", "name"),
        CheckConstraint("low_at >= 0", name="low_at_not_negative"),
    )

    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(16))
    on_hand: Mapped[int] = mapped_column(BigInteger, server_default="0")
    low_at: Mapped[int] = mapped_column(BigInteger, server_default="0")


class RecipeLine(Base):
    """How much of a stock item one portion of a menu item takes."""

    __tablename__ = "recipe_lines"
    __table_args__ = (
        ForeignKeyConstraint(["venue_id", "item_id"], ["items.venue_id", "items.id"]),
        ForeignKeyConstraint(
            ["venue_id", "stock_item_id"], ["stock_items.venue_id", "stock_items.id"]
        ),
        Index("ix_recipe_lines_stock_item", "venue_id", "stock_item_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    venue_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    item_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    stock_item_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    quantity: Mapped[int] = mapped_column(BigInteger)


class StockMovement(VenueScoped, Base):
    """A change of a stock item: a send consuming it (``sale``, negative) or a count
    (``count``, the difference to what the book said). ``on_hand`` is the level after."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        enum_check("kind", MovementKind),
        ForeignKeyConstraint(
            ["venue_id", "stock_item_id"], ["stock_items.venue_id", "stock_items.id"]
        ),
        Index("ix_stock_movements_item", "venue_id", "stock_item_id", "id"),
    )

    stock_item_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[MovementKind] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(BigInteger)
    on_hand: Mapped[int] = mapped_column(BigInteger)
    check_id: Mapped[int | None] = mapped_column(BigInteger)
    staff_id: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(200), server_default="")
