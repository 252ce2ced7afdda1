"""Clocking in against the published roster.

A clock-in is measured against the member's published shift running now or starting
next (within 12 hours): more than the venue's tolerance (``clock_tolerance_minutes``,
default 10) before or after its start, or with no shift while the venue has a published
roster this week, it needs a manager's one-use approval for the action ``clock_in``
(``POST /api/auth/approve``); without one it is refused 403 naming ``approval`` and
saying why (``reason``: early, late, unplanned). A venue that publishes no roster
clocks freely. See decision 1410.
"""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Forbidden
from pos_service.i18n import N_
from pos_service.rosters import service as rosters
from pos_service.rosters.models import PlannedShift
from pos_service.rosters.schemas import ClockIn, ClockRules, ClockStatus
from pos_service.staff import service as staff
from pos_service.staff.schemas import ShiftRead
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

SETTINGS_KEY = "clock_tolerance_minutes"
LOOKAHEAD = dt.timedelta(hours=12)


def rules_of(venue: Venue) -> ClockRules:
    """The venue's clocking rules (the default tolerance until a manager sets one)."""
    value = venue.settings.get(SETTINGS_KEY)
    return ClockRules() if value is None else ClockRules(clock_tolerance_minutes=int(value))


async def get_rules(session: AsyncSession, caller: Caller) -> ClockRules:
    """The venue's clock-in tolerance."""
    return rules_of(await venues.get(session, caller.venue_id))


async def set_rules(session: AsyncSession, caller: Caller, data: ClockRules) -> ClockRules:
    """Set the clock-in tolerance (managers); audited."""
    venue = await venues.get(session, caller.venue_id)
    before = rules_of(venue)
    venue.settings = {**venue.settings, SETTINGS_KEY: data.clock_tolerance_minutes}
    await session.flush()
    await audit.record(
        session,
        caller,
        "settings.changed",
        f"venue:{venue.id}",
        {"from": msgspec.to_builtins(before), "to": msgspec.to_builtins(data)},
    )
    return data


async def planned_now(
    session: AsyncSession, venue_id: int, staff_id: int, now: dt.datetime
) -> PlannedShift | None:
    """The member's published, uncancelled shift running now or starting next (within
    12 hours): what a clock-in now is measured against."""
    found: PlannedShift | None = await session.scalar(
        select(PlannedShift)
        .where(
            PlannedShift.venue_id == venue_id,
            PlannedShift.staff_id == staff_id,
            PlannedShift.published_at.is_not(None),
            PlannedShift.cancelled_at.is_(None),
            PlannedShift.ends_at > now,
            PlannedShift.starts_at < now + LOOKAHEAD,
        )
        .order_by(PlannedShift.starts_at, PlannedShift.id)
        .limit(1)
    )
    return found


async def _roster_in_use(session: AsyncSession, venue: Venue, now: dt.datetime) -> bool:
    """Whether the venue published shifts for the week of ``now``."""
    monday = rosters.week_start(venues.business_day(venue, now))
    start, end = rosters.week_bounds(venue.timezone, monday)
    found = await session.scalar(
        select(PlannedShift.id)
        .where(
            PlannedShift.venue_id == venue.id,
            PlannedShift.published_at.is_not(None),
            PlannedShift.starts_at >= start,
            PlannedShift.starts_at < end,
        )
        .limit(1)
    )
    return found is not None


async def _measure(
    session: AsyncSession, venue: Venue, staff_id: int, now: dt.datetime
) -> tuple[PlannedShift | None, str | None, int]:
    """The planned shift, why a clock-in now needs an approval (or None), and how many
    minutes off its start it is (negative: early)."""
    tolerance = rules_of(venue).clock_tolerance_minutes
    planned = await planned_now(session, venue.id, staff_id, now)
    if planned is None:
        return None, ("unplanned" if await _roster_in_use(session, venue, now) else None), 0
    off = int((now - planned.starts_at).total_seconds() // 60)
    if off < -tolerance:
        return planned, "early", off
    if off > tolerance:
        return planned, "late", off
    return planned, None, off


WHY = {
    "early": N_("a manager must approve this clock-in: it is {gap} minutes before your shift"),
    "late": N_("a manager must approve this clock-in: it is {gap} minutes after your shift began"),
    "unplanned": N_(
        "a manager must approve this clock-in: it is outside any shift of yours on the roster"
    ),
}


async def clock_in(session: AsyncSession, caller: Caller, data: ClockIn | None) -> ShiftRead:
    """Clock the signed-in member in against their published shift (see the module)."""
    staff_id = caller.staff_id
    if staff_id is None:
        raise Forbidden("only a staff member clocks in", field="Authorization")
    if await staff.open_shift(session, caller.venue_id, staff_id) is not None:
        raise Conflict("you are already clocked in", field="Authorization")
    venue = await venues.get(session, caller.venue_id)
    now = now_utc()
    planned, reason, off = await _measure(session, venue, staff_id, now)
    approver = None
    if reason is not None:
        if data is None or not data.approval:
            raise Forbidden(
                WHY[reason],
                gap=abs(off),
                field="approval",
                reason=reason,
                minutes=off,
                shift_id=planned.id if planned else None,
            )
        approver = await staff.consume_approval(session, venue.id, data.approval, "clock_in")
    return await staff.clock_in(
        session,
        caller,
        planned=(planned.id, planned.ends_at) if planned is not None else None,
        approved_by=approver,
    )


async def status(session: AsyncSession, caller: Caller) -> ClockStatus:
    """The signed-in member's clock (see :class:`ClockStatus`)."""
    staff_id = caller.staff_id or 0
    venue = await venues.get(session, caller.venue_id)
    now = now_utc()
    open_row = await staff.open_shift(session, venue.id, staff_id)
    if open_row is not None:
        planned_row = (
            await session.get(PlannedShift, (venue.id, open_row.planned_shift_id))
            if open_row.planned_shift_id is not None
            else None
        )
        reason = None
    else:
        planned_row, reason, _ = await _measure(session, venue, staff_id, now)
    planned = (
        (await rosters.reads(session, venue.id, [planned_row]))[0]
        if planned_row is not None
        else None
    )
    return ClockStatus(
        shift=staff.shift_read(open_row) if open_row is not None else None,
        planned=planned,
        tolerance_minutes=rules_of(venue).clock_tolerance_minutes,
        needs_approval=reason,
    )
