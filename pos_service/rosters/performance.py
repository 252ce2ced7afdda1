"""Performance per member and period, with the clocked hours for payroll.

Built from the back-office reports, so it agrees with them: the sales report by staff
(checks, covers, items, sales, tips of the checks a member served), the exceptions
(voids and comps by who made them) and the hours (clocked shifts). No wages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.money import round_div
from pos_service.reports import backoffice
from pos_service.rosters.schemas import PerformanceReport, PerformanceRow
from pos_service.venues import service as venues


async def performance(
    session: AsyncSession, caller: Caller, start: dt.date | None, end: dt.date | None
) -> PerformanceReport:
    """A row per member who served a check, voided or comped, or clocked in."""
    venue = await venues.get(session, caller.venue_id)
    start, end = backoffice.days(venue, start, end)
    names = await backoffice.staff_names(session, venue.id)
    sold = {
        int(r.key): r
        for r in (await backoffice.sales_of(session, venue, start, end, "staff")).rows
        if r.key
    }
    voids: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    comps: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for e in (await backoffice.exceptions(session, caller, start, end)).rows:
        if e.by_id is None or e.kind not in ("void", "comp"):
            continue
        found = voids if e.kind == "void" else comps
        found[e.by_id][0] += 1
        found[e.by_id][1] += e.amount
    seconds: dict[int, int] = defaultdict(int)
    for h in (await backoffice.hours(session, caller, start, end)).rows:
        seconds[h.staff_id] += h.seconds
    rows = []
    for staff_id in sorted({*sold, *voids, *comps, *seconds}, key=lambda i: (names.get(i, ""), i)):
        s = sold.get(staff_id)
        checks = s.checks if s else 0
        items = s.quantity if s else 0
        rows.append(
            PerformanceRow(
                staff_id=staff_id,
                name=names.get(staff_id, str(staff_id)),
                checks=checks,
                covers=s.covers if s else 0,
                items=items,
                items_per_check=round(items / checks, 2) if checks else 0.0,
                average_check=round_div(s.total, checks) if s and checks else 0,
                sales=s.total if s else 0,
                tips=s.tips if s else 0,
                voids=voids[staff_id][0],
                void_amount=voids[staff_id][1],
                comps=comps[staff_id][0],
                comp_amount=comps[staff_id][1],
                seconds=seconds[staff_id],
                hours=round(seconds[staff_id] / 3600, 2),
            )
        )
    return PerformanceReport(start=start, end=end, currency=venue.currency, rows=rows)
