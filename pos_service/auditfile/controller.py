"""The audit file download (managers): a thin handler."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import QueryParameter

from pos_service.auditfile import service
from pos_service.core.auth import requires
from pos_service.core.db import now_utc
from pos_service.core.errors import problems
from pos_service.core.uow import UoW

XML = "text/xml; charset=utf-8"
"""RFC 7303 XML; text/xml rather than application/xml so client generators take it as text."""


class AuditFileController(Controller):
    path = "/api/audit-file"
    tags = ["reports"]
    guards = [requires()]

    @get("/", media_type=XML, responses=problems(404))
    async def audit_file(
        self,
        uow: UoW,
        start: Annotated[dt.date, QueryParameter(name="from", description="first business day")],
        end: Annotated[dt.date, QueryParameter(name="to", description="last business day")],
    ) -> Response[bytes]:
        """The closed business days ``from`` to ``to`` as a SAF-T Cash Register file."""
        body = await uow.read(service.audit_file, start, end, now_utc())
        name = f"saf-t-{start.isoformat()}-{end.isoformat()}.xml"
        return Response(
            body,
            media_type=XML,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
