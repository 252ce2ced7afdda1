"""Closed business days. A row and its report are written once and never change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped


class DayClose(VenueScoped, Base):
    """The Z report of one business day: journal entries ``from_seq`` to ``to_seq``."""

    __tablename__ = "day_closes"
    __table_args__ = (UniqueConstraint("venue_id", "business_date"),)

    business_date: Mapped[dt.date]
    from_seq: Mapped[int] = mapped_column(BigInteger)
    to_seq: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[dt.datetime]
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    counted_cash: Mapped[int | None] = mapped_column(BigInteger)
    report: Mapped[dict[str, Any]] = mapped_column(JSONB)
