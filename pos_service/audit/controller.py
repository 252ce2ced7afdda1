"""The audit trail, read by managers and owners."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get
from litestar.params import FromQuery, QueryParameter

from pos_service.audit import service
from pos_service.audit.schemas import AuditRead
from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.uow import UoW


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]
    guards = [requires()]

    @get("/", responses=problems())
    async def list_audit(
        self,
        uow: UoW,
        since: FromQuery[dt.datetime | None] = None,
        action: Annotated[str | None, QueryParameter(max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
    ) -> list[AuditRead]:
        """Security-relevant changes, newest first (``action`` filters by prefix)."""
        return await uow.read(service.list_entries, since, action, limit)
