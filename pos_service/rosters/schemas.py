"""What the rosters and sections APIs read and write."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from pos_service.core.auth import Role
from pos_service.core.schemas import Id
from pos_service.staff.schemas import ShiftRead

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Station = Annotated[str, msgspec.Meta(max_length=64)]
BreakMinutes = Annotated[int, msgspec.Meta(ge=0, le=720)]


class SectionWrite(msgspec.Struct, kw_only=True):
    name: Name
    table_ids: Annotated[list[Id], msgspec.Meta(max_length=200)]


class SectionRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    table_ids: list[int]


class ShiftPlan(msgspec.Struct, kw_only=True):
    staff_id: Id
    role: Role
    starts_at: dt.datetime
    ends_at: dt.datetime
    station: Station = ""
    section_id: Id | None = None
    break_minutes: BreakMinutes = 0


class ShiftPlanPatch(msgspec.Struct, kw_only=True):
    role: Role | UnsetType = UNSET
    starts_at: dt.datetime | UnsetType = UNSET
    ends_at: dt.datetime | UnsetType = UNSET
    station: Station | UnsetType = UNSET
    section_id: Id | UnsetType | None = UNSET
    break_minutes: BreakMinutes | UnsetType = UNSET


class PlannedShiftRead(msgspec.Struct, kw_only=True):
    id: int
    staff_id: int
    staff_name: str
    role: str
    station: str
    section_id: int | None
    section_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    break_minutes: int
    published: bool
    changed: bool
    """Changed after it was published (the member sees it flagged)."""
    cancelled: bool


class WeekRead(msgspec.Struct, kw_only=True):
    week: dt.date
    """The Monday the week starts on (in the venue's timezone)."""
    shifts: list[PlannedShiftRead]


class WeekChoice(msgspec.Struct, kw_only=True):
    week: dt.date
    """Any day of the week (weeks start on Monday, in the venue's timezone)."""


class WageWrite(msgspec.Struct, kw_only=True):
    staff_id: Id
    hourly_wage: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
    """In minor units of the venue's currency."""


class WageRead(msgspec.Struct, kw_only=True):
    staff_id: int
    name: str
    hourly_wage: int


class LabourRow(msgspec.Struct, kw_only=True):
    """One local hour of the day: what was sold and what the clocked staff cost."""

    hour: str
    label: str
    sales: int
    labour_cost: int
    labour_seconds: int


class LabourDay(msgspec.Struct, kw_only=True):
    """One business day of the period (a week report's row): sales beside labour; the
    same figures as that day's Z report."""

    business_date: dt.date
    sales: int
    labour_cost: int
    labour_seconds: int


class LabourReport(msgspec.Struct, kw_only=True):
    start: dt.date
    end: dt.date
    currency: str
    sales: int
    labour_cost: int
    rows: list[LabourRow]
    days: list[LabourDay] = []
    labour_seconds: int = 0


class PerformanceRow(msgspec.Struct, kw_only=True):
    """One member over the period: their checks (as the checks' waiter), the voids and
    comps they made, and their clocked hours (for payroll)."""

    staff_id: int
    name: str
    checks: int
    covers: int
    items: int
    items_per_check: float
    average_check: int
    sales: int
    tips: int
    voids: int
    void_amount: int
    comps: int
    comp_amount: int
    seconds: int
    hours: float


class PerformanceReport(msgspec.Struct, kw_only=True):
    start: dt.date
    end: dt.date
    currency: str
    rows: list[PerformanceRow]


class ClockIn(msgspec.Struct, kw_only=True):
    """A clock-in; ``approval``: a manager's one-use approval for the action ``clock_in``
    (``POST /api/auth/approve``), needed when it is early, late or unplanned."""

    approval: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class ClockRules(msgspec.Struct, kw_only=True):
    """How far from the planned start a clock-in may be without a manager's approval."""

    clock_tolerance_minutes: Annotated[int, msgspec.Meta(ge=0, le=240)] = 10


class ClockStatus(msgspec.Struct, kw_only=True):
    """The signed-in member's clock: the open shift (None: clocked out), the planned shift
    a clock-in now is measured against, and whether it would need an approval (``early``,
    ``late``, ``unplanned`` or None)."""

    shift: ShiftRead | None
    planned: PlannedShiftRead | None
    tolerance_minutes: int
    needs_approval: str | None
