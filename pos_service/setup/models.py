"""The one-time setup codes of a server that has no venue yet."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Identity, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core.db import Base


class SetupCode(Base):
    """A code printed in the server's log that opens the setup API once, until
    ``expires_at``. Only its digest is kept. ``failures`` counts wrong codes against it
    (``locked_until`` throttles them); ``used_at`` marks it spent."""

    __tablename__ = "setup_codes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    failures: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
