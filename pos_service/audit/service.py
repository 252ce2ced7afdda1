"""Recording and reading the audit trail.

Every service that changes something security-relevant (staff, roles, PINs, devices,
printers, webhooks, venue settings ...) calls :func:`record` in the same transaction as
the change, so the trail and the change commit or roll back together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit.models import AuditEntry
from pos_service.audit.schemas import AuditRead
from pos_service.core.auth import Caller


async def record(
    session: AsyncSession,
    caller: Caller,
    action: str,
    subject: str,
    detail: Mapping[str, Any] | None = None,
    *,
    venue_id: int | None = None,
) -> None:
    """Append one entry for ``caller`` (at ``venue_id``, the caller's venue by default)."""
    session.add(
        AuditEntry(
            venue_id=venue_id if venue_id is not None else caller.venue_id,
            actor_id=caller.actor,
            actor_name=caller.name,
            device_id=caller.device_id,
            action=action,
            subject=subject,
            detail=dict(detail or {}),
        )
    )
    await session.flush()


async def list_entries(
    session: AsyncSession,
    caller: Caller,
    since: dt.datetime | None = None,
    action: str | None = None,
    limit: int = 200,
) -> list[AuditRead]:
    """The venue's newest entries first (``action`` may be a prefix such as ``staff.``)."""
    query = select(AuditEntry).where(AuditEntry.venue_id == caller.venue_id)
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    rows = (
        await session.execute(query.order_by(AuditEntry.id.desc()).limit(min(limit, 1000)))
    ).scalars()
    return [
        AuditRead(
            id=row.id,
            at=row.created_at,
            actor_id=row.actor_id,
            actor_name=row.actor_name,
            device_id=row.device_id,
            action=row.action,
            subject=row.subject,
            detail=row.detail,
        )
        for row in rows
    ]
