"""Webhook subscriptions and their deliveries."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookSubscription(VenueScoped, Base):
    """An endpoint that receives the venue's events of the given types. ``cursor`` is the
    last event ``seq`` turned into deliveries; it only moves forward."""

    __tablename__ = "webhook_subscriptions"

    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    secret: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200), server_default="")
    active: Mapped[bool] = mapped_column(server_default="true")
    cursor: Mapped[int] = mapped_column(BigInteger, server_default="0")


class WebhookDelivery(VenueScoped, Base):
    """One event for one subscription, with every attempt's outcome."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        enum_check("status", DeliveryStatus),
        ForeignKeyConstraint(
            ["venue_id", "subscription_id"],
            ["webhook_subscriptions.venue_id", "webhook_subscriptions.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("venue_id", "subscription_id", "event_seq"),
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    subscription_id: Mapped[int] = mapped_column(BigInteger)
    event_seq: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[DeliveryStatus] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[dt.datetime]
    last_attempt_at: Mapped[dt.datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[dt.datetime | None]


class ApiKey(VenueScoped, Base):
    """An integration's key: only the SHA-256 of the key is stored (it carries 256 random
    bits, so no slow hash is needed); ``prefix`` (its first characters) tells keys apart
    on screen. ``revoked_at`` set: refused at once. Calls act as ``created_by``."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("uq_api_keys_hash", "key_hash", unique=True),)

    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[bytes] = mapped_column(LargeBinary)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    rate_per_minute: Mapped[int] = mapped_column(Integer, server_default="600")
    created_by: Mapped[int] = mapped_column(BigInteger)
    last_used_at: Mapped[dt.datetime | None]
    rotated_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
