"""Menu tables. Prices are integer minor units; tax rates are basis points."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped


class Station(VenueScoped, Base):
    """A kitchen or bar station that items are routed to."""

    __tablename__ = "stations"
    __table_args__ = (UniqueConstraint("venue_id", "name"),)

    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), server_default="kitchen")
    warn_minutes: Mapped[int] = mapped_column(Integer, server_default="10")
    late_minutes: Mapped[int] = mapped_column(Integer, server_default="20")


class Category(VenueScoped, Base):
    """A menu section; its station and course are the defaults of its items."""

    __tablename__ = "categories"
    __table_args__ = (
        UniqueConstraint("venue_id", "name"),
        ForeignKeyConstraint(["venue_id", "station_id"], ["stations.venue_id", "stations.id"]),
    )

    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    station_id: Mapped[int | None] = mapped_column(BigInteger)
    default_course: Mapped[str] = mapped_column(String(32))


class Item(VenueScoped, Base):
    """A sellable item. ``remaining`` counts down portions; None means not counted.
    A ``gift_card`` item sells a gift card of its price: paying the check issues it."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("venue_id", "name"),
        ForeignKeyConstraint(["venue_id", "category_id"], ["categories.venue_id", "categories.id"]),
        ForeignKeyConstraint(["venue_id", "station_id"], ["stations.venue_id", "stations.id"]),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("remaining IS NULL OR remaining >= 0", name="remaining_not_negative"),
        CheckConstraint("tax_rate_ppm >= 0 AND tax_rate_ppm <= 1000000", name="tax_rate_range"),
    )

    category_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), server_default="")
    price: Mapped[int] = mapped_column(BigInteger)
    tax_rate_ppm: Mapped[int] = mapped_column(Integer)
    station_id: Mapped[int | None] = mapped_column(BigInteger)
    default_course: Mapped[str | None] = mapped_column(String(32))
    prep_minutes: Mapped[int] = mapped_column(Integer, server_default="0")
    allergens: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default="{}")
    available: Mapped[bool] = mapped_column(server_default="true")
    remaining: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    gift_card: Mapped[bool] = mapped_column(server_default="false")


class ModifierGroup(VenueScoped, Base):
    """A choice on items, e.g. "Cooking" (min 1, max 1) or "Extras" (min 0, max 3)."""

    __tablename__ = "modifier_groups"
    __table_args__ = (
        UniqueConstraint("venue_id", "name"),
        CheckConstraint("min_choices >= 0 AND max_choices >= min_choices", name="choices"),
    )

    name: Mapped[str] = mapped_column(String(100))
    min_choices: Mapped[int] = mapped_column(Integer, server_default="0")
    max_choices: Mapped[int] = mapped_column(Integer, server_default="1")


class ModifierOption(VenueScoped, Base):
    """One option of a group with its price difference."""

    __tablename__ = "modifier_options"
    __table_args__ = (
        ForeignKeyConstraint(
            ["venue_id", "group_id"], ["modifier_groups.venue_id", "modifier_groups.id"]
        ),
    )

    group_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    price_delta: Mapped[int] = mapped_column(BigInteger, server_default="0")
    position: Mapped[int] = mapped_column(Integer, server_default="0")


class ItemModifierGroup(Base):
    """Which modifier groups an item offers, in order."""

    __tablename__ = "item_modifier_groups"
    __table_args__ = (
        ForeignKeyConstraint(["venue_id", "item_id"], ["items.venue_id", "items.id"]),
        ForeignKeyConstraint(
            ["venue_id", "group_id"], ["modifier_groups.venue_id", "modifier_groups.id"]
        ),
    )

    venue_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    item_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    group_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, server_default="0")
