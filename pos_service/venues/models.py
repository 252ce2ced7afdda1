"""The venue table: the root every other row hangs from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, String, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base

DEFAULT_COURSES = ["drinks", "starter", "main", "dessert"]


class VenueGroup(Base):
    """A chain of venues with one owner: group reports, shared staff, menus copied."""

    __tablename__ = "venue_groups"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Venue(Base):
    """A restaurant. ``day_cutoff`` is the local time at which its business day ends;
    ``group_id`` names the venue group it belongs to, if any; ``locale`` (a tag such as
    "en", "nl-NL", "de-DE") writes its money, rates and dates on paper."""

    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(35), server_default="en")
    timezone: Mapped[str] = mapped_column(String(64))
    tax_inclusive: Mapped[bool]
    day_cutoff: Mapped[dt.time] = mapped_column(server_default="04:00")
    courses: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    group_id: Mapped[int | None] = mapped_column(ForeignKey("venue_groups.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
