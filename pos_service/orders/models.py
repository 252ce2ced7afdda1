"""Checks and lines. A line keeps a snapshot of name, price and tax at the time it was
added, so a later menu change never alters a check."""

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
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check


class CheckStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    MERGED = "merged"


class LineState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    VOIDED = "voided"


class CheckKind(enum.StrEnum):
    DINE_IN = "dine_in"
    TAKEAWAY = "takeaway"


class Check(VenueScoped, Base):
    """A table's open tab, or a takeaway order's (``kind``, no table). ``version`` grows
    with every change, for optimistic writes."""

    __tablename__ = "checks"
    __table_args__ = (
        enum_check("kind", CheckKind),
        enum_check("status", CheckStatus),
        ForeignKeyConstraint(
            ["venue_id", "table_id"], ["dining_tables.venue_id", "dining_tables.id"]
        ),
        ForeignKeyConstraint(["venue_id", "waiter_id"], ["staff.venue_id", "staff.id"]),
        Index(
            "uq_checks_open_table",
            "venue_id",
            "table_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        CheckConstraint("covers > 0", name="covers_positive"),
    )

    table_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[CheckKind] = mapped_column(String(16), server_default="dine_in")
    covers: Mapped[int] = mapped_column(Integer)
    waiter_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[CheckStatus] = mapped_column(String(16), server_default="open")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    allergens: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default="{}")
    allergy_note: Mapped[str] = mapped_column(String(200), server_default="")
    notes: Mapped[str] = mapped_column(String(1000), server_default="")
    merged_into: Mapped[int | None] = mapped_column(BigInteger)
    closed_at: Mapped[dt.datetime | None]


class CheckLine(VenueScoped, Base):
    """An ordered item with its modifiers, seat, course and note."""

    __tablename__ = "check_lines"
    __table_args__ = (
        enum_check("state", LineState),
        ForeignKeyConstraint(["venue_id", "check_id"], ["checks.venue_id", "checks.id"]),
        ForeignKeyConstraint(["venue_id", "item_id"], ["items.venue_id", "items.id"]),
        Index("ix_check_lines_check", "venue_id", "check_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    check_id: Mapped[int] = mapped_column(BigInteger)
    item_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    tax_rate_ppm: Mapped[int] = mapped_column(Integer)
    modifiers: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    seat: Mapped[int | None] = mapped_column(Integer)
    course: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    allergens: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default="{}")
    station_id: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[LineState] = mapped_column(String(16), server_default="pending")
    added_by: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[dt.datetime | None]
    voided_at: Mapped[dt.datetime | None]
    voided_by: Mapped[int | None] = mapped_column(BigInteger)
    void_reason: Mapped[str | None] = mapped_column(String(200))
    void_approved_by: Mapped[int | None] = mapped_column(BigInteger)
