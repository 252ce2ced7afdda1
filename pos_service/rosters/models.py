"""Sections of the floor and planned (rostered) shifts.

Worked time is :class:`pos_service.staff.models.Shift` (clock-in/out); a
:class:`PlannedShift` is what a manager plans for a week and publishes.
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
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped


class Section(VenueScoped, Base):
    """A named group of tables a waiter serves during a shift."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("venue_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    table_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))


class PlannedShift(VenueScoped, Base):
    """A shift on the roster: who, as what, where, when, with how long a break.

    A draft until its week is published (``published_at``); a change to a published
    shift stamps ``changed_at`` and a cancelled one keeps its row (``cancelled_at``),
    so the member sees what changed."""

    __tablename__ = "roster_shifts"
    __table_args__ = (
        ForeignKeyConstraint(["venue_id", "staff_id"], ["staff.venue_id", "staff.id"]),
        ForeignKeyConstraint(["venue_id", "section_id"], ["sections.venue_id", "sections.id"]),
        Index("ix_roster_shifts_starts_at", "venue_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("break_minutes >= 0", name="break_not_negative"),
    )

    staff_id: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(16))
    station: Mapped[str] = mapped_column(String(64), server_default="")
    section_id: Mapped[int | None] = mapped_column(BigInteger)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    break_minutes: Mapped[int] = mapped_column(Integer, server_default="0")
    published_at: Mapped[dt.datetime | None]
    changed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]


class StaffWage(Base):
    """A member's hourly wage in minor units: read by owners and managers only (it is
    its own table so that no answer about staff can carry it by accident)."""

    __tablename__ = "staff_wages"
    __table_args__ = (
        ForeignKeyConstraint(["venue_id", "staff_id"], ["staff.venue_id", "staff.id"]),
    )

    venue_id: Mapped[int] = mapped_column(
        ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hourly_wage: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
