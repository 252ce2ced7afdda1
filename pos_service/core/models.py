"""Tables owned by the core: the event log, per-venue counters, idempotency keys,
approvals and the failed PIN checks of the sign-in throttle."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped


class EventRow(Base):
    """One event of a venue's log. ``seq`` is gap-free and in commit order per venue."""

    __tablename__ = "events"

    venue_id: Mapped[int] = mapped_column(
        ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Counter(Base):
    """A per-venue counter row (event seq, ticket numbers of a day ...).

    Incremented with ``UPDATE ... RETURNING`` as late as possible in a transaction: the
    row lock it takes serialises the writers of one venue from there to their commit,
    which is what makes ``seq`` follow commit order.
    """

    __tablename__ = "counters"

    venue_id: Mapped[int] = mapped_column(
        ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, server_default="0")


class IdempotencyKey(Base):
    """A claimed ``Idempotency-Key`` and the first answer given for it."""

    __tablename__ = "idempotency_keys"

    venue_id: Mapped[int] = mapped_column(
        ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Approval(VenueScoped, Base):
    """A one-use manager approval for a named action (a void, a comp, a discount)."""

    __tablename__ = "approvals"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    approver_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class AuthFailure(Base):
    """Failed PIN checks of one subject of a venue (``device:7``, ``staff:3``, ``venue``)
    within the current window, and the back-off lock they earned. ``unclaimed`` (devices
    only) counts the failures since the device's last sign-in: the member who signs in
    next is charged with them."""

    __tablename__ = "auth_failures"

    venue_id: Mapped[int] = mapped_column(
        ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True
    )
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, server_default="0")
    unclaimed: Mapped[int] = mapped_column(Integer, server_default="0")
    last_failure_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    locked_until: Mapped[dt.datetime | None]


__all__ = ["Approval", "AuthFailure", "Counter", "EventRow", "IdempotencyKey"]
