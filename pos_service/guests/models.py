"""Guest profiles, the checks linked to them, and the loyalty points ledger."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check


class LoyaltyKind(enum.StrEnum):
    EARN = "earn"
    REDEEM = "redeem"
    RETURN = "return"


class Guest(VenueScoped, Base):
    """A guest profile, found by normalised phone or email; ``tags`` gathers every tag
    given on the guest's reservations. ``points`` only moves by a conditional UPDATE
    (never below zero). An erased profile keeps its id and nothing else."""

    __tablename__ = "guests"
    __table_args__ = (
        UniqueConstraint("venue_id", "phone"),
        UniqueConstraint("venue_id", "email"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")
    allergens: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default="{}")
    allergy_note: Mapped[str] = mapped_column(String(200), server_default="")
    marketing_consent: Mapped[bool] = mapped_column(server_default="false")
    consent_changed_at: Mapped[dt.datetime | None]
    points: Mapped[int] = mapped_column(BigInteger, server_default="0")
    erased_at: Mapped[dt.datetime | None]


class GuestCheck(VenueScoped, Base):
    """A check linked to a guest (a visit). ``total`` and ``points`` are set when the
    check closes; a check has at most one guest."""

    __tablename__ = "guest_checks"
    __table_args__ = (
        ForeignKeyConstraint(["venue_id", "guest_id"], ["guests.venue_id", "guests.id"]),
        ForeignKeyConstraint(["venue_id", "check_id"], ["checks.venue_id", "checks.id"]),
        UniqueConstraint("venue_id", "check_id"),
        Index("ix_guest_checks_guest", "venue_id", "guest_id"),
    )

    guest_id: Mapped[int] = mapped_column(BigInteger)
    check_id: Mapped[int] = mapped_column(BigInteger)
    linked_by: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[dt.datetime | None]
    total: Mapped[int | None] = mapped_column(BigInteger)
    points: Mapped[int] = mapped_column(BigInteger, server_default="0")


class LoyaltyMovement(VenueScoped, Base):
    """Points earned on a closed check (positive) or redeemed on one (negative);
    ``balance`` is the guest's points after it."""

    __tablename__ = "loyalty_movements"
    __table_args__ = (
        enum_check("kind", LoyaltyKind),
        ForeignKeyConstraint(["venue_id", "guest_id"], ["guests.venue_id", "guests.id"]),
        Index("ix_loyalty_movements_guest", "venue_id", "guest_id"),
    )

    guest_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[LoyaltyKind] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(BigInteger)
    balance: Mapped[int] = mapped_column(BigInteger)
    check_id: Mapped[int | None] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
