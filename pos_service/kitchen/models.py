"""Kitchen tables: tickets (one per station and send), their items, and the courses of
a check as the kitchen paces them."""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check


class TicketState(enum.StrEnum):
    """Where a ticket is on its station's screen."""

    HELD = "held"
    OPEN = "open"
    STARTED = "started"
    BUMPED = "bumped"


class KitchenTicket(VenueScoped, Base):
    """What one send asks of one station. ``number`` counts per venue and business day.

    ``fired_at`` is when work on it last became due (its timer runs from there);
    ``late_at`` is when the late alert was raised for that run.
    """

    __tablename__ = "kitchen_tickets"
    __table_args__ = (
        enum_check("state", TicketState),
        ForeignKeyConstraint(["venue_id", "check_id"], ["checks.venue_id", "checks.id"]),
        ForeignKeyConstraint(["venue_id", "station_id"], ["stations.venue_id", "stations.id"]),
        UniqueConstraint("venue_id", "business_day", "number"),
        Index("ix_kitchen_tickets_station_state", "venue_id", "station_id", "state"),
        Index("ix_kitchen_tickets_check", "venue_id", "check_id"),
        Index(
            "ix_kitchen_tickets_lateness",
            "fired_at",
            postgresql_where=text("state IN ('open', 'started') AND late_at IS NULL"),
        ),
    )

    check_id: Mapped[int] = mapped_column(BigInteger)
    station_id: Mapped[int] = mapped_column(BigInteger)
    business_day: Mapped[dt.date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    table_id: Mapped[int | None] = mapped_column(BigInteger)
    table_name: Mapped[str | None] = mapped_column(String(32))
    waiter_id: Mapped[int] = mapped_column(BigInteger)
    waiter_name: Mapped[str] = mapped_column(String(100))
    covers: Mapped[int] = mapped_column(Integer)
    allergies: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")
    state: Mapped[TicketState] = mapped_column(String(16))
    fired_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    bumped_at: Mapped[dt.datetime | None]
    late_at: Mapped[dt.datetime | None]
    moved: Mapped[str | None] = mapped_column(String(64))


class TicketItem(VenueScoped, Base):
    """One sent line on a ticket, with the timing of its course.

    ``fired_at`` is NULL while its course is held; ``release_at`` is when the cook should
    start it (later than ``fired_at`` for quick items, so a course comes out together);
    ``released_at`` is set by the release task (or at fire time when there is no wait).
    """

    __tablename__ = "kitchen_ticket_items"
    __table_args__ = (
        ForeignKeyConstraint(
            ["venue_id", "ticket_id"], ["kitchen_tickets.venue_id", "kitchen_tickets.id"]
        ),
        ForeignKeyConstraint(["venue_id", "line_id"], ["check_lines.venue_id", "check_lines.id"]),
        Index("ix_kitchen_ticket_items_ticket", "venue_id", "ticket_id"),
        Index("ix_kitchen_ticket_items_line", "venue_id", "line_id"),
        Index("ix_kitchen_ticket_items_course", "venue_id", "check_id", "course"),
        Index(
            "ix_kitchen_ticket_items_release",
            "release_at",
            postgresql_where=text("released_at IS NULL AND voided_at IS NULL"),
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    ticket_id: Mapped[int] = mapped_column(BigInteger)
    check_id: Mapped[int] = mapped_column(BigInteger)
    station_id: Mapped[int] = mapped_column(BigInteger)
    line_id: Mapped[int] = mapped_column(BigInteger)
    item_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer)
    seat: Mapped[int | None] = mapped_column(Integer)
    course: Mapped[str] = mapped_column(String(32))
    modifiers: Mapped[list[str]] = mapped_column(ARRAY(String(100)), server_default="{}")
    note: Mapped[str | None] = mapped_column(String(500))
    allergens: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default="{}")
    allergy_flags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")
    prep_minutes: Mapped[int] = mapped_column(Integer, server_default="0")
    fired_at: Mapped[dt.datetime | None]
    release_at: Mapped[dt.datetime | None]
    released_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    bumped_at: Mapped[dt.datetime | None]
    voided_at: Mapped[dt.datetime | None]
    void_reason: Mapped[str | None] = mapped_column(String(200))


class CheckCourse(VenueScoped, Base):
    """A course of a check the kitchen has fired, when all of it came up, when the pass
    called it up for pickup and when it was served."""

    __tablename__ = "kitchen_courses"
    __table_args__ = (
        ForeignKeyConstraint(["venue_id", "check_id"], ["checks.venue_id", "checks.id"]),
        UniqueConstraint("venue_id", "check_id", "course"),
    )

    check_id: Mapped[int] = mapped_column(BigInteger)
    course: Mapped[str] = mapped_column(String(32))
    fired_at: Mapped[dt.datetime]
    ready_at: Mapped[dt.datetime | None]
    pickup_at: Mapped[dt.datetime | None]
    served_at: Mapped[dt.datetime | None]
