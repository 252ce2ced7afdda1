"""Reservations, waitlist entries and the scheduled jobs of reservations. ``Guest`` (the
profile a booking belongs to) lives in :mod:`pos_service.guests` and is re-exported here."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check
from pos_service.guests.models import Guest

__all__ = [
    "HOLDING",
    "Guest",
    "JobKind",
    "Reservation",
    "ReservationJob",
    "ReservationStatus",
    "WaitlistEntry",
    "WaitlistStatus",
]


class ReservationStatus(enum.StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    ARRIVED = "arrived"
    SEATED = "seated"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


HOLDING = (ReservationStatus.BOOKED, ReservationStatus.CONFIRMED, ReservationStatus.ARRIVED)
"""Statuses in which a reservation holds its tables for its slot."""


class WaitlistStatus(enum.StrEnum):
    WAITING = "waiting"
    SEATED = "seated"
    CANCELLED = "cancelled"


class JobKind(enum.StrEnum):
    REMINDER = "reminder"
    NO_SHOW = "no_show"
    FLOOR = "floor"


class Reservation(VenueScoped, Base):
    """A booking. ``day`` is the venue's business day of ``starts_at``; the party holds
    ``table_ids`` (the first one carries the check) from ``starts_at`` to ``ends_at``."""

    __tablename__ = "reservations"
    __table_args__ = (
        enum_check("status", ReservationStatus),
        ForeignKeyConstraint(["venue_id", "guest_id"], ["guests.venue_id", "guests.id"]),
        Index("ix_reservations_day", "venue_id", "day", "starts_at"),
        Index("ix_reservations_guest", "venue_id", "guest_id"),
        CheckConstraint("party_size > 0", name="party_size_positive"),
        CheckConstraint("language IS NULL OR language IN ('en', 'nl', 'de')", name="language"),
    )

    guest_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    party_size: Mapped[int] = mapped_column(Integer)
    day: Mapped[dt.date] = mapped_column(Date)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    status: Mapped[ReservationStatus] = mapped_column(String(16), server_default="booked")
    status_changed_at: Mapped[dt.datetime | None]
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")
    notes: Mapped[str] = mapped_column(String(500), server_default="")
    allergens: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default="{}")
    allergy_note: Mapped[str] = mapped_column(String(200), server_default="")
    table_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    seated_at: Mapped[dt.datetime | None]
    check_id: Mapped[int | None] = mapped_column(BigInteger)
    booked_by: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    language: Mapped[str | None] = mapped_column(String(8))
    """The language the guest booked in (the public page's); its e-mails are written in
    it. None (booked at the host stand): the venue's."""


class WaitlistEntry(VenueScoped, Base):
    """A walk-in party waiting; ``quoted_minutes`` is the wait told when it was added,
    ``ready_table_ids`` the tables last announced free for it."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        enum_check("status", WaitlistStatus),
        ForeignKeyConstraint(["venue_id", "guest_id"], ["guests.venue_id", "guests.id"]),
        Index(
            "ix_waitlist_entries_waiting",
            "venue_id",
            "id",
            postgresql_where=text("status = 'waiting'"),
        ),
        CheckConstraint("party_size > 0", name="party_size_positive"),
    )

    guest_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    party_size: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(String(500), server_default="")
    status: Mapped[WaitlistStatus] = mapped_column(String(16), server_default="waiting")
    quoted_minutes: Mapped[int | None] = mapped_column(Integer)
    ready_table_ids: Mapped[list[int] | None] = mapped_column(ARRAY(BigInteger))
    seated_at: Mapped[dt.datetime | None]
    table_id: Mapped[int | None] = mapped_column(BigInteger)
    check_id: Mapped[int | None] = mapped_column(BigInteger)
    closed_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class ReservationJob(VenueScoped, Base):
    """Scheduled work of a reservation (reminder, no-show release, floor refresh at the
    start of its day), due at ``due_at``; claimed with SKIP LOCKED and marked ``done_at``
    in the transaction that does it."""

    __tablename__ = "reservation_jobs"
    __table_args__ = (
        enum_check("kind", JobKind),
        ForeignKeyConstraint(
            ["venue_id", "reservation_id"], ["reservations.venue_id", "reservations.id"]
        ),
        Index(
            "ix_reservation_jobs_due", "kind", "due_at", postgresql_where=text("done_at IS NULL")
        ),
    )

    reservation_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[JobKind] = mapped_column(String(16))
    due_at: Mapped[dt.datetime]
    done_at: Mapped[dt.datetime | None]
