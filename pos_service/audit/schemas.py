"""What the audit trail answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class AuditRead(msgspec.Struct, kw_only=True):
    id: int
    at: dt.datetime
    actor_id: int
    actor_name: str
    device_id: int | None
    action: str
    subject: str
    detail: dict[str, Any]
