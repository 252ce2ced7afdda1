"""The audit trail, read by managers and owners."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from pos_service.audit import service
from pos_service.audit.schemas import AuditRead
from pos_service.core.auth import requires
from pos_service.core.errors import Invalid, problems
from pos_service.core.uow import UoW

AWARE_DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"
"""A moment with its offset (a number is not a moment, whatever msgspec would allow)."""


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]
    guards = [requires()]

    @get("/", responses=problems())
    async def list_audit(
        self,
        uow: UoW,
        since: Annotated[
            str | None,
            QueryParameter(
                pattern=AWARE_DATETIME,
                description="entries from this moment on, ISO 8601 with an offset",
            ),
        ] = None,
        action: Annotated[str | None, QueryParameter(max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
    ) -> list[AuditRead]:
        """Security-relevant changes, newest first (``action`` filters by prefix)."""
        try:
            start = dt.datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
        except ValueError as exc:
            raise Invalid("not a moment in time", field="since") from exc
        return await uow.read(service.list_entries, start, action, limit)
