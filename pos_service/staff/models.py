"""Staff members, their shifts and their memberships of other venues of a group.

The PIN is stored as an argon2 hash plus a keyed lookup digest.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped


class Staff(VenueScoped, Base):
    """A person who signs in with a PIN. ``roles`` is a subset of :data:`ROLES`."""

    __tablename__ = "staff"
    __table_args__ = (
        UniqueConstraint("venue_id", "pin_lookup"),
        CheckConstraint("language IS NULL OR language IN ('en', 'nl', 'de')", name="language"),
    )

    name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    pin_hash: Mapped[str] = mapped_column(String(200))
    pin_lookup: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(server_default="true")
    epoch: Mapped[int] = mapped_column(Integer, server_default="0")
    """Raised by a role change, deactivation or PIN change: older sessions end."""
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    language: Mapped[str | None] = mapped_column(String(8))
    """The language the member's pages speak (``nl``, ``de``, ``en``); None: the venue's."""


class Shift(VenueScoped, Base):
    """Clocked working time of a member; ``clock_out`` is None while the shift is open.
    A member has at most one open shift (a partial unique index)."""

    __tablename__ = "shifts"
    __table_args__ = (
        ForeignKeyConstraint(["venue_id", "staff_id"], ["staff.venue_id", "staff.id"]),
        ForeignKeyConstraint(
            ["venue_id", "planned_shift_id"], ["roster_shifts.venue_id", "roster_shifts.id"]
        ),
        Index(
            "uq_shifts_open",
            "venue_id",
            "staff_id",
            unique=True,
            postgresql_where=text("clock_out IS NULL"),
        ),
        Index("ix_shifts_clock_in", "venue_id", "clock_in"),
        CheckConstraint("clock_out IS NULL OR clock_out >= clock_in", name="out_after_in"),
    )

    staff_id: Mapped[int] = mapped_column(BigInteger)
    clock_in: Mapped[dt.datetime]
    clock_out: Mapped[dt.datetime | None]
    planned_shift_id: Mapped[int | None] = mapped_column(BigInteger)
    """The published roster shift clocked against (None: no roster that day)."""
    planned_end: Mapped[dt.datetime | None]
    """That shift's planned end: a forgotten clock-out is closed there by the day close."""
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    """The manager who let an early, late or unplanned clock-in through."""
    break_started_at: Mapped[dt.datetime | None]
    break_seconds: Mapped[int] = mapped_column(Integer, server_default="0")
    closed_by_day_close: Mapped[bool] = mapped_column(server_default="false")
    """Nobody clocked out: the day close ended the shift (a forgotten clock-out)."""


class StaffMembership(Base):
    """Staff row ``staff_id`` of this venue is the person ``home_staff_id`` of the venue
    ``home_venue_id`` (same group), whose PIN is kept there. The local row carries the
    roles here and is what checks, shifts and tips of this venue refer to."""

    __tablename__ = "staff_memberships"
    __table_args__ = (
        ForeignKeyConstraint(["venue_id", "staff_id"], ["staff.venue_id", "staff.id"]),
        UniqueConstraint("venue_id", "home_venue_id", "home_staff_id"),
    )

    venue_id: Mapped[int] = mapped_column(
        ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    home_venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    home_staff_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
