"""Wages (owners and managers only) and labour cost per hour beside sales per hour.

Labour cost is the clocked time (:class:`pos_service.staff.models.Shift`, open shifts up
to now) of each member times their hourly wage, split over the local hours it covers;
sales per hour are the sales report's rows by hour, so both agree with the journal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Invalid
from pos_service.core.money import round_div
from pos_service.reports import backoffice
from pos_service.reports.labour import clocked
from pos_service.rosters.models import StaffWage
from pos_service.rosters.schemas import LabourDay, LabourReport, LabourRow, WageRead, WageWrite
from pos_service.staff.models import Staff
from pos_service.venues import service as venues


async def list_wages(session: AsyncSession, caller: Caller) -> list[WageRead]:
    """The venue's members with a wage, by name."""
    rows = await session.execute(
        select(StaffWage, Staff)
        .join(Staff, (Staff.venue_id == StaffWage.venue_id) & (Staff.id == StaffWage.staff_id))
        .where(StaffWage.venue_id == caller.venue_id)
        .order_by(Staff.name, Staff.id)
    )
    return [
        WageRead(staff_id=member.id, name=member.name, hourly_wage=wage.hourly_wage)
        for wage, member in rows.all()
    ]


async def set_wage(session: AsyncSession, caller: Caller, data: WageWrite) -> WageRead:
    """Set a member's hourly wage; 422 naming ``staff_id`` for someone not of this venue."""
    member = await session.get(Staff, (caller.venue_id, data.staff_id))
    if member is None:
        raise Invalid(
            "no staff member {staff_id} in this venue", staff_id=data.staff_id, field="staff_id"
        )
    await session.execute(
        insert(StaffWage)
        .values(venue_id=caller.venue_id, staff_id=member.id, hourly_wage=data.hourly_wage)
        .on_conflict_do_update(
            index_elements=["venue_id", "staff_id"],
            set_={"hourly_wage": data.hourly_wage, "updated_at": now_utc()},
        )
    )
    await audit.record(
        session, caller, "wage.changed", f"staff:{member.id}", {"hourly_wage": data.hourly_wage}
    )
    return WageRead(staff_id=member.id, name=member.name, hourly_wage=data.hourly_wage)


async def labour(
    session: AsyncSession, caller: Caller, start: dt.date | None, end: dt.date | None
) -> LabourReport:
    """Sales and labour cost per local hour over business days (a day, a week), and per
    business day (the week report)."""
    venue = await venues.get(session, caller.venue_id)
    start, end = backoffice.days(venue, start, end)
    found = await clocked(session, venue, start, end, now_utc())
    cost: dict[int, int] = defaultdict(int)  # hour -> wage x seconds
    seconds: dict[int, int] = defaultdict(int)
    for (_, hour), value in found.cost.items():
        cost[hour] += value
    for (_, hour), value in found.seconds.items():
        seconds[hour] += value
    sold = await backoffice.sales_of(session, venue, start, end, "hour")
    sales = {int(r.key): r.total for r in sold.rows}
    rows = [
        LabourRow(
            hour=f"{h:02d}",
            label=f"{h:02d}:00",
            sales=sales.get(h, 0),
            labour_cost=round_div(cost[h], 3600),
            labour_seconds=seconds[h],
        )
        for h in sorted({*sales, *seconds})
    ]
    by_day = await backoffice.sales_of(session, venue, start, end, "day")
    day_sales = {r.key: r.total for r in by_day.rows}
    worked_days = {d for d, _ in found.seconds}
    days = [
        LabourDay(
            business_date=start + dt.timedelta(days=i),
            sales=day_sales.get((start + dt.timedelta(days=i)).isoformat(), 0),
            labour_cost=found.day_cost(start + dt.timedelta(days=i)),
            labour_seconds=found.day_seconds(start + dt.timedelta(days=i)),
        )
        for i in range((end - start).days + 1)
        if (start + dt.timedelta(days=i)).isoformat() in day_sales
        or start + dt.timedelta(days=i) in worked_days
    ]
    return LabourReport(
        start=start,
        end=end,
        currency=venue.currency,
        sales=sum(r.sales for r in rows),
        labour_cost=sum(r.labour_cost for r in rows),
        labour_seconds=sum(r.labour_seconds for r in rows),
        rows=rows,
        days=days,
    )
