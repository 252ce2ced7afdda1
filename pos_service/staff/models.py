"""Staff members. The PIN is stored as an argon2 hash plus a keyed lookup digest."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped


class Staff(VenueScoped, Base):
    """A person who signs in with a PIN. ``roles`` is a subset of :data:`ROLES`."""

    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("venue_id", "pin_lookup"),)

    name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    pin_hash: Mapped[str] = mapped_column(String(200))
    pin_lookup: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(server_default="true")
