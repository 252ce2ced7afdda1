"""The mail outbox: messages waiting to go out, sent, or given up on."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base, VenueScoped, enum_check


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class MailMessage(VenueScoped, Base):
    """One e-mail to one address; ``next_attempt_at`` is when it is due (again)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        enum_check("status", MailStatus),
        Index(
            "ix_mail_outbox_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    to_address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(
        String(16), default=MailStatus.PENDING, server_default="pending"
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None]
