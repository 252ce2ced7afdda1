"""Floor tables. A table's live ``status`` is set only through ``tables.service``."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check


class TableStatus(enum.StrEnum):
    """What the floor plan colours a table by."""

    FREE = "free"
    SEATED = "seated"
    ORDERED = "ordered"
    COURSE_READY = "course_ready"
    BILL_REQUESTED = "bill_requested"
    PAID = "paid"
    TO_CLEAN = "to_clean"


class Area(VenueScoped, Base):
    """A room or terrace. A removed area is archived (its old tables keep it)."""

    __tablename__ = "areas"
    __table_args__ = (
        Index(
            "uq_areas_live_name",
            "venue_id",
            "name",
            unique=True,
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    archived_at: Mapped[dt.datetime | None]


class DiningTable(VenueScoped, Base):
    """A table on the floor plan; ``combinable_with`` lists neighbours it can join.

    ``x, y`` is the centre of the table on the area's plan and ``width, height`` its size,
    in plan units; ``capacity`` is its seats. An archived table (``archived_at``) is off
    the floor but stays for the checks that name it; its name may be taken again."""

    __tablename__ = "dining_tables"
    __table_args__ = (
        enum_check("status", TableStatus),
        Index(
            "uq_dining_tables_live_name",
            "venue_id",
            "name",
            unique=True,
            postgresql_where=text("archived_at IS NULL"),
        ),
        ForeignKeyConstraint(["venue_id", "area_id"], ["areas.venue_id", "areas.id"]),
    )

    area_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(32))
    capacity: Mapped[int] = mapped_column(Integer)
    x: Mapped[int] = mapped_column(Integer, server_default="0")
    y: Mapped[int] = mapped_column(Integer, server_default="0")
    shape: Mapped[str] = mapped_column(String(16), server_default="square")
    width: Mapped[int] = mapped_column(Integer, server_default="80")
    height: Mapped[int] = mapped_column(Integer, server_default="80")
    combinable_with: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), server_default="{}")
    status: Mapped[TableStatus] = mapped_column(String(16), server_default="free")
    status_changed_at: Mapped[dt.datetime | None]
    open_check: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    next_reservation: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    archived_at: Mapped[dt.datetime | None]
