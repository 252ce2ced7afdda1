"""End-of-day, journal and back-office report API: thin handlers, one service call each."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from pos_service.core.auth import owner_only, requires
from pos_service.core.errors import problems
from pos_service.core.export import CsvOperation, Format, answer, report_responses
from pos_service.core.journal import Verification
from pos_service.core.uow import UoW
from pos_service.kitchen import service as kitchen
from pos_service.kitchen.schemas import PrepTimeRow, PrepTimesRead
from pos_service.reports import backoffice, service, tips
from pos_service.reports.schemas import (
    DayCloseRequest,
    DayTips,
    ExceptionRow,
    ExceptionsReport,
    GroupSalesReport,
    GroupSalesRow,
    HoursReport,
    HoursRow,
    LiveSales,
    Report,
    SalesGroup,
    SalesReport,
    SalesRow,
    TurnRow,
    TurnsReport,
    VenueGroupRead,
)

From = Annotated[dt.date | None, QueryParameter(name="from", description="first business day")]
To = Annotated[dt.date | None, QueryParameter(name="to", description="last business day")]
AnyRequest = Request[Any, Any, Any]


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
        """Close the business day (Z report) with the cash counted; settles the tip pool."""
        return await uow.write(service.close_day, data)

    @get("/reports/live", responses=problems(404))
    async def live(self, uow: UoW) -> LiveSales:
        """Sales so far and the open checks' bills, by hour: the manager's live figures, a
        snapshot named by its event ``seq`` that the page keeps by applying the events of
        ``orders`` and ``payments`` after it (docs/live.md, "Page reducers")."""
        return await uow.read(service.live_sales)

    @get("/days/{business_date:date}", responses=problems(404))
    async def get_day(self, uow: UoW, business_date: FromPath[dt.date]) -> Report:
        """The stored Z report of a closed business day."""
        return await uow.read(service.get_day, business_date)

    @get("/days/{business_date:date}/tips", responses=problems(404))
    async def get_day_tips(self, uow: UoW, business_date: FromPath[dt.date]) -> DayTips:
        """How the card and cash tips of a closed business day were shared."""
        return await uow.read(tips.day_tips, business_date)

    @get("/journal/verify", responses=problems(404))
    async def verify_journal(self, uow: UoW) -> Verification:
        """Recompute the venue's hash-chained journal; ``ok`` false names the first break."""
        return await uow.read(service.verify_journal)

    @get(
        "/reports/sales",
        responses=report_responses(SalesReport, 404),
        operation_class=CsvOperation,
    )
    async def sales(
        self,
        request: AnyRequest,
        uow: UoW,
        start: From = None,
        end: To = None,
        group: FromQuery[SalesGroup] = "day",
        format: FromQuery[Format | None] = None,
    ) -> Response[bytes]:
        """Sales of business days in rows of ``group``, with covers and average check."""
        report = await uow.read(backoffice.sales, start, end, group)
        name = f"sales-{report.start}-{report.end}-{group}.csv"
        return answer(request, format, report, report.rows, SalesRow, name)

    @get(
        "/reports/exceptions",
        responses=report_responses(ExceptionsReport, 404),
        operation_class=CsvOperation,
    )
    async def exceptions(
        self,
        request: AnyRequest,
        uow: UoW,
        start: From = None,
        end: To = None,
        format: FromQuery[Format | None] = None,
    ) -> Response[bytes]:
        """Voids, discounts, comps and refunds with their reasons and approvers."""
        report = await uow.read(backoffice.exceptions, start, end)
        name = f"exceptions-{report.start}-{report.end}.csv"
        return answer(request, format, report, report.rows, ExceptionRow, name)

    @get(
        "/reports/turns", responses=report_responses(TurnsReport, 404), operation_class=CsvOperation
    )
    async def turns(
        self,
        request: AnyRequest,
        uow: UoW,
        start: From = None,
        end: To = None,
        format: FromQuery[Format | None] = None,
    ) -> Response[bytes]:
        """Table turn times, seated to closed, per table."""
        report = await uow.read(backoffice.turns, start, end)
        name = f"turns-{report.start}-{report.end}.csv"
        return answer(request, format, report, report.rows, TurnRow, name)

    @get(
        "/reports/prep-times",
        responses=report_responses(PrepTimesRead, 404),
        operation_class=CsvOperation,
    )
    async def prep_times(
        self,
        request: AnyRequest,
        uow: UoW,
        start: From = None,
        end: To = None,
        station: FromQuery[str | None] = None,
        format: FromQuery[Format | None] = None,
    ) -> Response[bytes]:
        """Kitchen prep times (fired to bumped) per station and item."""
        report = await uow.read(kitchen.prep_times, station, start, end)
        name = f"prep-times-{report.start}-{report.end}.csv"
        return answer(request, format, report, report.rows, PrepTimeRow, name)

    @get(
        "/reports/hours", responses=report_responses(HoursReport, 404), operation_class=CsvOperation
    )
    async def hours(
        self,
        request: AnyRequest,
        uow: UoW,
        start: From = None,
        end: To = None,
        format: FromQuery[Format | None] = None,
    ) -> Response[bytes]:
        """Hours worked per member and business day, from the clocked shifts."""
        report = await uow.read(backoffice.hours, start, end)
        name = f"hours-{report.start}-{report.end}.csv"
        return answer(request, format, report, report.rows, HoursRow, name)


class GroupController(Controller):
    path = "/api/group"
    tags = ["venue groups"]
    guards = [owner_only]

    @get("/venues", responses=problems(404))
    async def venues(self, uow: UoW) -> VenueGroupRead:
        """The owner's venue group and every venue in it."""
        return await uow.read(backoffice.group)

    @get(
        "/reports/sales",
        responses=report_responses(GroupSalesReport, 404),
        operation_class=CsvOperation,
    )
    async def sales(
        self,
        request: AnyRequest,
        uow: UoW,
        start: From = None,
        end: To = None,
        group: FromQuery[SalesGroup] = "day",
        format: FromQuery[Format | None] = None,
    ) -> Response[bytes]:
        """Each venue's sales report (its own timezone and cutoff) and sums per currency."""
        report = await uow.read(backoffice.group_sales, start, end, group)
        rows = backoffice.group_rows(report)
        name = f"group-sales-{report.start}-{report.end}-{group}.csv"
        return answer(request, format, report, rows, GroupSalesRow, name)
