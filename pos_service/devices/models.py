"""Enrolled devices and their one-time pairing codes.

A device's credential is ``<venue_id>.<device_id>.<secret>``; only the SHA-256 of the
random secret is stored (it has 256 bits of entropy, so no slow hash is needed).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped


class Device(VenueScoped, Base):
    """A handheld, kitchen screen, host stand, print agent or back-office browser that
    staff may sign in on. ``revoked_at`` set: its credential and sessions are dead."""

    __tablename__ = "devices"

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary)
    paired_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_seen_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class DevicePairing(VenueScoped, Base):
    """A short-lived one-time code a manager made for pairing one device."""

    __tablename__ = "device_pairings"
    __table_args__ = (Index("uq_device_pairings_code", "venue_id", "code_hash", unique=True),)

    code_hash: Mapped[bytes] = mapped_column(LargeBinary)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    device_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
