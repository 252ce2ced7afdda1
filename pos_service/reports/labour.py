"""Labour cost of clocked time, shared by the day close (Z report) and the labour report.

Each clocked shift (an open one up to now) is split over the local hours it covers and
counted on the business day of its clock-in; an hour's cost is its seconds times the
member's hourly wage, rounded once per business day and hour. Wages are read from
``pos_service.rosters.models`` (a table, no logic), so reports need no roster service.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.money import round_div
from pos_service.rosters.models import StaffWage
from pos_service.staff import service as staff
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

HOUR = dt.timedelta(hours=1)


def split_by_hour(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> list[tuple[int, int]]:
    """(local hour, seconds) of ``[start, end)``, one per local hour it touches."""
    found: list[tuple[int, int]] = []
    cursor = start
    while cursor < end:
        local = cursor.astimezone(zone)
        into = dt.timedelta(
            minutes=local.minute, seconds=local.second, microseconds=local.microsecond
        )
        boundary = min(cursor - into + HOUR, end)
        found.append((local.hour, int((boundary - cursor).total_seconds())))
        cursor = boundary
    return found


async def wages(session: AsyncSession, venue_id: int) -> dict[int, int]:
    """Staff id -> hourly wage in minor units."""
    rows = await session.execute(
        select(StaffWage.staff_id, StaffWage.hourly_wage).where(StaffWage.venue_id == venue_id)
    )
    return {staff_id: wage for staff_id, wage in rows.all()}


class Clocked:
    """Clocked seconds and wage-seconds per (business day, local hour)."""

    def __init__(self) -> None:
        self.cost: dict[tuple[dt.date, int], int] = defaultdict(int)
        self.seconds: dict[tuple[dt.date, int], int] = defaultdict(int)

    def day_cost(self, day: dt.date) -> int:
        """The business day's labour cost: each hour rounded, summed."""
        return sum(round_div(c, 3600) for (d, _), c in self.cost.items() if d == day)

    def day_seconds(self, day: dt.date) -> int:
        return sum(s for (d, _), s in self.seconds.items() if d == day)


async def clocked(
    session: AsyncSession, venue: Venue, start: dt.date, end: dt.date, now: dt.datetime
) -> Clocked:
    """The clocked time of the business days ``start`` to ``end`` and what it cost."""
    lo, hi = venues.business_days(venue, start, end)
    zone = ZoneInfo(venue.timezone)
    paid = await wages(session, venue.id)
    found = Clocked()
    for shift, member in await staff.shifts_between(session, venue.id, lo, hi):
        day = venues.business_day(venue, shift.clock_in)
        out = shift.clock_out or max(now, shift.clock_in)
        for hour, worked in split_by_hour(shift.clock_in, out, zone):
            found.seconds[day, hour] += worked
            found.cost[day, hour] += worked * paid.get(member.id, 0)
    return found
