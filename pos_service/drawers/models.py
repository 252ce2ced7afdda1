"""Drawer sessions and the cash movements of each."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKeyConstraint, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check


class DrawerMovementKind(enum.StrEnum):
    PAID_IN = "paid_in"
    PAID_OUT = "paid_out"
    NO_SALE = "no_sale"


class DrawerSession(VenueScoped, Base):
    """One staff member's (or one terminal's) time at a cash drawer, amounts in minor units.

    ``cash_sales`` and ``cash_tips`` grow with each cash payment its staff member takes;
    ``expected`` and ``counted`` are set at close (the count is blind: entered before the
    expected amount is shown), ``over_short = counted - expected``."""

    __tablename__ = "drawer_sessions"
    __table_args__ = (
        ForeignKeyConstraint(["venue_id", "staff_id"], ["staff.venue_id", "staff.id"]),
        CheckConstraint("opening_float >= 0", name="float_not_negative"),
        Index(
            "ux_drawer_sessions_open",
            "venue_id",
            "staff_id",
            unique=True,
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    staff_id: Mapped[int] = mapped_column(BigInteger)
    device_id: Mapped[int | None] = mapped_column(BigInteger)
    opening_float: Mapped[int] = mapped_column(BigInteger)
    cash_sales: Mapped[int] = mapped_column(BigInteger, server_default="0")
    cash_tips: Mapped[int] = mapped_column(BigInteger, server_default="0")
    paid_in: Mapped[int] = mapped_column(BigInteger, server_default="0")
    paid_out: Mapped[int] = mapped_column(BigInteger, server_default="0")
    no_sales: Mapped[int] = mapped_column(BigInteger, server_default="0")
    closed_at: Mapped[dt.datetime | None]
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    expected: Mapped[int | None] = mapped_column(BigInteger)
    counted: Mapped[int | None] = mapped_column(BigInteger)


class DrawerMovement(VenueScoped, Base):
    """A paid in, paid out or "no sale" open of a session, with its reason."""

    __tablename__ = "drawer_movements"
    __table_args__ = (
        ForeignKeyConstraint(
            ["venue_id", "session_id"], ["drawer_sessions.venue_id", "drawer_sessions.id"]
        ),
        enum_check("kind", DrawerMovementKind),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index("ix_drawer_movements_session", "venue_id", "session_id"),
    )

    session_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[DrawerMovementKind] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    staff_id: Mapped[int] = mapped_column(BigInteger)
