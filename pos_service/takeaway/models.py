"""A takeaway order: the check without a table, who collects it and when.

The check (``checks.kind = 'takeaway'``) holds the lines as any check does; this row adds
the guest's name and contact, the pickup time, the order number of the business day and
how far the kitchen is with it (``state``: ``held`` until its tickets fire, ``preparing``,
``ready`` once every ticket item is bumped, ``collected``).
"""

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
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check


class Channel(enum.StrEnum):
    COUNTER = "counter"
    PHONE = "phone"
    ONLINE = "online"


class PickupState(enum.StrEnum):
    HELD = "held"
    PREPARING = "preparing"
    READY = "ready"
    COLLECTED = "collected"


class TakeawayOrder(VenueScoped, Base):
    """A takeaway order; ``fire_at`` is when its held tickets fire (pickup minus prep)."""

    __tablename__ = "takeaway_orders"
    __table_args__ = (
        enum_check("channel", Channel),
        enum_check("state", PickupState),
        ForeignKeyConstraint(["venue_id", "check_id"], ["checks.venue_id", "checks.id"]),
        UniqueConstraint("venue_id", "check_id"),
        UniqueConstraint("venue_id", "business_day", "number"),
        CheckConstraint("language IS NULL OR language IN ('en', 'nl', 'de')", name="language"),
        Index("ix_takeaway_orders_pickup", "venue_id", "pickup_at"),
        Index(
            "ix_takeaway_orders_fire_due",
            "fire_at",
            postgresql_where=text("fired_at IS NULL AND fire_at IS NOT NULL"),
        ),
    )

    check_id: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[Channel] = mapped_column(String(16))
    business_day: Mapped[dt.date] = mapped_column(Date)
    number: Mapped[int | None] = mapped_column(Integer)
    customer_name: Mapped[str] = mapped_column(String(100))
    customer_phone: Mapped[str | None] = mapped_column(String(40))
    customer_email: Mapped[str | None] = mapped_column(String(254))
    pickup_at: Mapped[dt.datetime]
    payment: Mapped[str] = mapped_column(String(16), server_default="at_pickup")
    state: Mapped[PickupState] = mapped_column(String(16), server_default="held")
    fire_at: Mapped[dt.datetime | None]
    fired_at: Mapped[dt.datetime | None]
    ready_at: Mapped[dt.datetime | None]
    collected_at: Mapped[dt.datetime | None]
    language: Mapped[str | None] = mapped_column(String(8))
    """The language the guest ordered in (the public order page's); its e-mails are
    written in it. None (taken by staff): the venue's."""
