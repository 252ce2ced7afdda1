"""End-of-day and journal API: thin handlers, one service call each."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.journal import Verification
from pos_service.core.uow import UoW
from pos_service.reports import service
from pos_service.reports.schemas import DayCloseRequest, Report


class ReportsController(Controller):
    path = "/api"
    tags = ["reports"]
    guards = [requires("manager")]

    @get("/reports/x", responses=problems(404))
    async def x_report(self, uow: UoW) -> Report:
        """Totals since the last close, without closing (X report)."""
        return await uow.read(service.x_report)

    @post("/days/close", responses=problems(404, 409))
    async def close_day(self, uow: UoW, data: JSONBody[DayCloseRequest]) -> Report:
        """Close the business day (Z report) with the cash counted."""
        return await uow.write(service.close_day, data)

    @get("/days/{business_date:date}", responses=problems(404))
    async def get_day(self, uow: UoW, business_date: FromPath[dt.date]) -> Report:
        """The stored Z report of a closed business day."""
        return await uow.read(service.get_day, business_date)

    @get("/journal/verify", responses=problems(404))
    async def verify_journal(self, uow: UoW) -> Verification:
        """Recompute the venue's hash-chained journal; ``ok`` false names the first break."""
        return await uow.read(service.verify_journal)
