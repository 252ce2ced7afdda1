"""The rosters API: sections, planned shifts, weeks (managers) and "my shifts"."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.params import FromQuery, JSONBody, QueryParameter

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.export import CsvOperation, Format, answer, report_responses
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.rosters import clocking, labour, performance, service
from pos_service.rosters.schemas import (
    ClockRules,
    ClockStatus,
    LabourReport,
    LabourRow,
    PerformanceReport,
    PerformanceRow,
    PlannedShiftRead,
    SectionRead,
    SectionWrite,
    ShiftPlan,
    ShiftPlanPatch,
    WageRead,
    WageWrite,
    WeekChoice,
    WeekRead,
)

From = Annotated[dt.date | None, QueryParameter(name="from", description="first business day")]
To = Annotated[dt.date | None, QueryParameter(name="to", description="last business day")]
MANAGERS = [requires("owner")]
"""Managers and owners: wages are theirs alone."""
WORKERS = [requires("waiter", "host", "kitchen", "bar", "owner")]


class RostersController(Controller):
    path = "/api"
    tags = ["rosters"]

    @get("/sections", guards=[requires("waiter", "host")], responses=problems(404))
    async def list_sections(self, uow: UoW) -> list[SectionRead]:
        """The venue's sections and their tables."""
        return await uow.read(service.list_sections)

    @post("/sections", guards=[requires()], responses=problems(404, 409))
    async def create_section(self, uow: UoW, data: JSONBody[SectionWrite]) -> SectionRead:
        """Add a section of tables (managers)."""
        return await uow.write(service.create_section, data)

    @put("/sections/{section_id:int}", guards=[requires()], responses=problems(404, 409))
    async def replace_section(
        self, uow: UoW, section_id: PathId, data: JSONBody[SectionWrite]
    ) -> SectionRead:
        """Rename a section and set its tables (managers)."""
        return await uow.write(service.replace_section, section_id, data)

    @get("/rosters", guards=[requires()], responses=problems(404))
    async def get_week(self, uow: UoW, week: Annotated[dt.date, QueryParameter()]) -> WeekRead:
        """Every shift of the week holding ``week`` (managers)."""
        return await uow.read(service.get_week, week)

    @post("/rosters/shifts", guards=[requires()], responses=problems(404))
    async def plan_shift(self, uow: UoW, data: JSONBody[ShiftPlan]) -> PlannedShiftRead:
        """Plan a shift (a draft until its week is published); 422 naming the field for
        a shift ending before it starts or overlapping another of the person's."""
        return await uow.write(service.plan_shift, data)

    @patch("/rosters/shifts/{shift_id:int}", guards=[requires()], responses=problems(404))
    async def change_shift(
        self, uow: UoW, shift_id: PathId, data: JSONBody[ShiftPlanPatch]
    ) -> PlannedShiftRead:
        """Change a shift; a published one is flagged changed for its member."""
        return await uow.write(service.change_shift, shift_id, data)

    @delete("/rosters/shifts/{shift_id:int}", guards=[requires()], responses=problems(404))
    async def cancel_shift(self, uow: UoW, shift_id: PathId) -> None:
        """Remove a draft shift, or cancel a published one (its member sees it)."""
        await uow.write(service.cancel_shift, shift_id)

    @post(
        "/rosters/publish",
        status_code=200,
        guards=[requires()],
        responses=problems(404, 409),
    )
    async def publish_week(self, uow: UoW, data: JSONBody[WeekChoice]) -> WeekRead:
        """Publish the draft shifts of the week holding ``week`` (409 if it has none)."""
        return await uow.write(service.publish_week, data.week)

    @post(
        "/rosters/copy-previous",
        guards=[requires()],
        responses=problems(404, 409),
    )
    async def copy_previous_week(self, uow: UoW, data: JSONBody[WeekChoice]) -> WeekRead:
        """Copy the shifts of the week before into the (empty) week holding ``week``, as
        drafts (409 otherwise)."""
        return await uow.write(service.copy_previous_week, data.week)

    @get("/rosters/mine", guards=WORKERS, responses=problems(404))
    async def my_shifts(
        self, uow: UoW, week: Annotated[dt.date | None, QueryParameter()] = None
    ) -> WeekRead:
        """The signed-in member's published shifts of a week (this one by default)."""
        return await uow.read(service.my_shifts, week)

    @get("/rosters/clock", guards=WORKERS, responses=problems(404))
    async def my_clock(self, uow: UoW) -> ClockStatus:
        """The signed-in member's clock: open shift, break, the planned shift a clock-in
        now is measured against and whether it would need a manager's approval."""
        return await uow.read(clocking.status)

    @get("/rosters/clock-rules", guards=[requires()], responses=problems(404))
    async def get_clock_rules(self, uow: UoW) -> ClockRules:
        """The venue's clock-in tolerance (managers)."""
        return await uow.read(clocking.get_rules)

    @put("/rosters/clock-rules", guards=[requires()], responses=problems(404))
    async def set_clock_rules(self, uow: UoW, data: JSONBody[ClockRules]) -> ClockRules:
        """Set how many minutes off the planned start a clock-in may be unapproved."""
        return await uow.write(clocking.set_rules, data)

    @get("/wages", guards=MANAGERS, responses=problems(404))
    async def list_wages(self, uow: UoW) -> list[WageRead]:
        """Hourly wages of the venue's members (owners and managers)."""
        return await uow.read(labour.list_wages)

    @put("/wages", guards=MANAGERS, responses=problems(404))
    async def set_wage(self, uow: UoW, data: JSONBody[WageWrite]) -> WageRead:
        """Set a member's hourly wage (422 naming ``staff_id`` for another venue's)."""
        return await uow.write(labour.set_wage, data)

    @get(
        "/reports/labour",
        guards=MANAGERS,
        responses=report_responses(LabourReport, 404),
        operation_class=CsvOperation,
    )
    async def labour_report(
        self,
        request: Request[Any, Any, Any],
        uow: UoW,
        start: From = None,
        end: To = None,
        format: FromQuery[Format | None] = None,
    ) -> Response[bytes]:
        """Labour cost per local hour beside sales per hour, over business days (a day:
        ``from`` = ``to``; a week: Monday to Sunday); CSV with ``format=csv``."""
        report = await uow.read(labour.labour, start, end)
        name = f"labour-{report.start}-{report.end}.csv"
        return answer(request, format, report, report.rows, LabourRow, name)

    @get(
        "/reports/performance",
        guards=[requires()],
        responses=report_responses(PerformanceReport, 404),
        operation_class=CsvOperation,
    )
    async def performance_report(
        self,
        request: Request[Any, Any, Any],
        uow: UoW,
        start: From = None,
        end: To = None,
        format: FromQuery[Format | None] = None,
    ) -> Response[bytes]:
        """Per member: checks, covers, items per check, average check, sales, tips, voids,
        comps and clocked hours (CSV with ``format=csv``, for payroll)."""
        report = await uow.read(performance.performance, start, end)
        name = f"performance-{report.start}-{report.end}.csv"
        return answer(request, format, report, report.rows, PerformanceRow, name)
