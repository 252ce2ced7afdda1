"""Menu tables. Prices are integer minor units; tax rates are basis points.

Every row a manager edits carries a ``version``, bumped by each change; a write that
names an older version is refused with 409 and the current row. Items and categories
that checks or sales name are archived (``archived``), never deleted.
"""

from __future__ import annotations

import datetime as dt

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
    version: Mapped[int] = mapped_column(Integer, server_default="1")


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
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    archived: Mapped[bool] = mapped_column(server_default="false")


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
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    archived: Mapped[bool] = mapped_column(server_default="false")


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
    version: Mapped[int] = mapped_column(Integer, server_default="1")


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
    version: Mapped[int] = mapped_column(Integer, server_default="1")


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


class Schedule(VenueScoped, Base):
    """When linked items or categories can be ordered: ISO weekdays (1 = Monday) and a
    local start and end time in the venue's timezone; an end at or before the start runs
    past midnight (the weekday is the day it starts)."""

    __tablename__ = "menu_schedules"
    __table_args__ = (UniqueConstraint("venue_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    starts: Mapped[dt.time]
    ends: Mapped[dt.time]
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class ItemSchedule(Base):
    """An item orderable only within its schedules (any of them)."""

    __tablename__ = "item_schedules"
    __table_args__ = (
        ForeignKeyConstraint(
            ["venue_id", "item_id"], ["items.venue_id", "items.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["venue_id", "schedule_id"],
            ["menu_schedules.venue_id", "menu_schedules.id"],
            ondelete="CASCADE",
        ),
    )

    venue_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    item_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class CategorySchedule(Base):
    """A category whose items are orderable only within its schedules (any of them)."""

    __tablename__ = "category_schedules"
    __table_args__ = (
        ForeignKeyConstraint(
            ["venue_id", "category_id"],
            ["categories.venue_id", "categories.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["venue_id", "schedule_id"],
            ["menu_schedules.venue_id", "menu_schedules.id"],
            ondelete="CASCADE",
        ),
    )

    venue_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    category_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
