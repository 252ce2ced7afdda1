"""The audit trail's one table: append-only rows, never updated."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped


class AuditEntry(VenueScoped, Base):
    """One security-relevant change: ``action`` (``staff.created``, ``device.revoked``,
    ``printer.changed`` ...) on ``subject`` (``staff:7``), by ``actor_id`` (a staff id; 0
    for the system or a setup code) from ``device_id``, with what changed in ``detail``."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_venue_created", "venue_id", "created_at"),)

    actor_id: Mapped[int] = mapped_column(BigInteger)
    actor_name: Mapped[str] = mapped_column(String(100), server_default="")
    device_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
