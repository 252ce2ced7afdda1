"""Printers, the stations they serve, and the print queue."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check


class Connection(enum.StrEnum):
    NETWORK = "network"
    FILE = "file"
    USB = "usb"
    SERIAL = "serial"


class Role(enum.StrEnum):
    KITCHEN = "kitchen"
    BAR = "bar"
    RECEIPT = "receipt"


class PrinterState(enum.StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    UNKNOWN = "unknown"


class JobKind(enum.StrEnum):
    TICKET = "ticket"
    VOID = "void"
    REPRINT = "reprint"
    PREBILL = "prebill"
    RECEIPT = "receipt"
    DRAWER = "drawer"


class DocumentType(enum.StrEnum):
    KITCHEN_TICKET = "kitchen_ticket"
    PREBILL = "prebill"
    RECEIPT = "receipt"
    DRAWER_PULSE = "drawer_pulse"


class JobState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    PRINTED = "printed"
    FAILED = "failed"


class Printer(VenueScoped, Base):
    """A ticket or receipt printer; ``address`` is ``host:port``, a path or a device."""

    __tablename__ = "printers"
    __table_args__ = (
        enum_check("connection", Connection),
        enum_check("role", Role),
        enum_check("status", PrinterState),
        UniqueConstraint("venue_id", "name"),
        ForeignKeyConstraint(["venue_id", "backup_id"], ["printers.venue_id", "printers.id"]),
        CheckConstraint("width IN (32, 42, 48)", name="width"),
        CheckConstraint("backup_id IS NULL OR backup_id <> id", name="backup_not_self"),
        CheckConstraint("language IN ('en', 'nl', 'de')", name="language"),
    )

    name: Mapped[str] = mapped_column(String(64))
    connection: Mapped[Connection] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer, server_default="42")
    code_page: Mapped[str] = mapped_column(String(16), server_default="CP858")
    two_colour: Mapped[bool] = mapped_column(server_default="false")
    buzzer: Mapped[bool] = mapped_column(server_default="false")
    drawer: Mapped[bool] = mapped_column(server_default="false")
    """The cash drawer hangs on this printer: drawer pulses go here (one per venue)."""
    backup_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[PrinterState] = mapped_column(String(16), server_default="unknown")
    status_detail: Mapped[str | None] = mapped_column(String(300))
    last_seen: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    language: Mapped[str] = mapped_column(String(8), server_default="en")
    """The language its kitchen tickets print in: its kitchen's (docs/i18n.md)."""


class PrinterStation(Base):
    """Which printer a station's tickets go to: at most one per station."""

    __tablename__ = "printer_stations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["venue_id", "station_id"], ["stations.venue_id", "stations.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["venue_id", "printer_id"], ["printers.venue_id", "printers.id"], ondelete="CASCADE"
        ),
        Index("ix_printer_stations_printer", "venue_id", "printer_id"),
    )

    venue_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    station_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    printer_id: Mapped[int] = mapped_column(BigInteger)


class PrintJob(VenueScoped, Base):
    """One document for one printer, from ``queued`` through ``sending`` to ``printed``.

    ``document`` is the msgspec encoding of a ``printers.documents`` struct, so the job can
    be rendered again with a banner or a REPRINT mark; a kitchen ticket's is stored
    without its number, which is ``number`` (the ticket's, written by the database) and
    is joined when the job is claimed and rendered. ``lease_until`` bounds a claim: a
    ``sending`` row past it belongs to a sender that died and is queued again with
    ``may_have_printed``. ``tried_printer_ids`` lists the printers it was routed to.
    """

    __tablename__ = "print_jobs"
    __table_args__ = (
        enum_check("kind", JobKind),
        enum_check("document_type", DocumentType),
        enum_check("state", JobState),
        ForeignKeyConstraint(["venue_id", "printer_id"], ["printers.venue_id", "printers.id"]),
        Index(
            "ix_print_jobs_due",
            "next_attempt_at",
            postgresql_where=text("state = 'queued'"),
        ),
        Index("ix_print_jobs_sending", "lease_until", postgresql_where=text("state = 'sending'")),
        Index("ix_print_jobs_printer_state", "venue_id", "printer_id", "state"),
    )

    printer_id: Mapped[int] = mapped_column(BigInteger)
    station_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[JobKind] = mapped_column(String(16))
    document_type: Mapped[DocumentType] = mapped_column(String(16))
    number: Mapped[int | None] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    state: Mapped[JobState] = mapped_column(String(16), server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[dt.datetime] = mapped_column(server_default=text("now()"))
    lease_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    banner: Mapped[str | None] = mapped_column(String(100))
    reprint: Mapped[int | None] = mapped_column(Integer)
    reprint_of: Mapped[int | None] = mapped_column(BigInteger)
    may_have_printed: Mapped[bool] = mapped_column(server_default="false")
    rerouted_from: Mapped[int | None] = mapped_column(BigInteger)
    tried_printer_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), server_default="{}")
    printed_at: Mapped[dt.datetime | None]
