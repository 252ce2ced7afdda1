"""Tip pooling at the day close: the day's card and cash tips shared by the venue's rule.

:func:`settle` runs inside the day close (``reports.service``), after the Z report: the
card and cash tips are the report's, the members are those who clocked in on the business day
(an open shift counts up to the close), and the shares come from
:func:`pos_service.staff.tips.shares` (``allocate``: they sum to the cent). The
settlement and its shares are written once and never change (append-only tables).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.errors import NotFound
from pos_service.reports.models import TipSettlement, TipShare
from pos_service.reports.schemas import DayTips, Report, TipShareRead
from pos_service.staff import service as staff
from pos_service.staff import tips
from pos_service.staff.models import Staff
from pos_service.venues import service as venues
from pos_service.venues.models import Venue


async def worked(
    session: AsyncSession, venue: Venue, business_date: dt.date, now: dt.datetime
) -> list[tips.Worked]:
    """Who clocked in on the business day, with their roles and seconds worked."""
    start, end = venues.business_days(venue, business_date, business_date)
    seconds: dict[int, int] = defaultdict(int)
    members: dict[int, Staff] = {}
    for shift, member in await staff.shifts_between(session, venue.id, start, end):
        until = shift.clock_out or max(now, shift.clock_in)
        seconds[member.id] += int((until - shift.clock_in).total_seconds())
        members[member.id] = member
    return [
        tips.Worked(staff_id=i, roles=list(members[i].roles), seconds=seconds[i])
        for i in sorted(members)
    ]


async def settle(
    session: AsyncSession, venue: Venue, report: Report, now: dt.datetime
) -> TipSettlement:
    """Share the card and cash tips of the closed day ``report``; store the settlement."""
    rule = staff.tip_pool_of(venue.settings)
    card_tips = sum(m.tips for m in report.by_method if m.method == "card")
    cash_tips = sum(m.tips for m in report.by_method if m.method == "cash")
    pooled = card_tips + cash_tips
    found = tips.shares(pooled, rule, await worked(session, venue, report.business_date, now))
    settlement = TipSettlement(
        venue_id=venue.id,
        business_date=report.business_date,
        mode=rule.mode,
        card_tips=card_tips,
        cash_tips=cash_tips,
        unallocated=pooled - sum(share.amount for share in found),
        rule=msgspec.to_builtins(rule),
    )
    session.add(settlement)
    await session.flush()
    session.add_all(
        TipShare(
            venue_id=venue.id,
            settlement_id=settlement.id,
            staff_id=share.staff_id,
            weight=share.weight,
            amount=share.amount,
        )
        for share in found
    )
    await session.flush()
    return settlement


async def day_tips(session: AsyncSession, caller: Caller, business_date: dt.date) -> DayTips:
    """The tip settlement of a closed business day."""
    settlement = (
        await session.execute(
            select(TipSettlement).where(
                TipSettlement.venue_id == caller.venue_id,
                TipSettlement.business_date == business_date,
            )
        )
    ).scalar_one_or_none()
    if settlement is None:
        raise NotFound(
            "business day {business_date} is not closed", business_date=business_date, field="date"
        )
    rows = await session.execute(
        select(TipShare, Staff.name)
        .join(Staff, (Staff.venue_id == TipShare.venue_id) & (Staff.id == TipShare.staff_id))
        .where(TipShare.venue_id == caller.venue_id, TipShare.settlement_id == settlement.id)
        .order_by(TipShare.staff_id)
    )
    return DayTips(
        business_date=business_date,
        mode=settlement.mode,
        card_tips=settlement.card_tips,
        cash_tips=settlement.cash_tips,
        unallocated=settlement.unallocated,
        shares=[
            TipShareRead(staff_id=s.staff_id, name=name, weight=s.weight, amount=s.amount)
            for s, name in rows.all()
        ],
    )
