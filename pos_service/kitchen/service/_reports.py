"""The pass (expo) and the kitchen's counts: all-day and prep-time history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Invalid
from pos_service.kitchen import courses as pacing
from pos_service.kitchen.models import CheckCourse, KitchenTicket, TicketItem
from pos_service.kitchen.schemas import (
    AllDayItem,
    AllDayModifier,
    AllDayRead,
    ExpoCourse,
    ExpoItem,
    ExpoOrder,
    ExpoRead,
    ExpoTicket,
    PrepTimeRow,
    PrepTimesRead,
)
from pos_service.kitchen.service._common import (
    ACTIVE,
    course_state,
    items_of,
    station_named,
    station_names,
    status_of,
)
from pos_service.orders.models import Check
from pos_service.venues import service as venues


def _expo_course(
    course: str,
    row: CheckCourse | None,
    items: list[tuple[TicketItem, KitchenTicket, str]],
) -> ExpoCourse:
    return ExpoCourse(
        course=course,
        state=course_state(row),
        fired_at=row.fired_at if row else None,
        ready_at=row.ready_at if row else None,
        pickup_at=row.pickup_at if row else None,
        served_at=row.served_at if row else None,
        items=[
            ExpoItem(
                id=i.id,
                ticket_id=t.id,
                number=t.number,
                station=station,
                name=i.name,
                quantity=i.quantity,
                seat=i.seat,
                status=status_of(i),
            )
            for i, t, station in items
        ],
    )


async def expo(session: AsyncSession, caller: Caller, now: dt.datetime | None = None) -> ExpoRead:
    """Whole orders across stations, for every check with a ticket still on a screen."""
    venue_id = caller.venue_id
    venue = await venues.get(session, venue_id)
    check_ids = set(
        (
            await session.execute(
                select(KitchenTicket.check_id).where(
                    KitchenTicket.venue_id == venue_id, KitchenTicket.state.in_(ACTIVE)
                )
            )
        ).scalars()
    )
    # a course cooked but not served stays on the pass until it is served or paid for
    check_ids |= set(
        (
            await session.execute(
                select(CheckCourse.check_id)
                .join(
                    Check,
                    (Check.venue_id == CheckCourse.venue_id) & (Check.id == CheckCourse.check_id),
                )
                .where(
                    CheckCourse.venue_id == venue_id,
                    CheckCourse.ready_at.is_not(None),
                    CheckCourse.served_at.is_(None),
                    Check.closed_at.is_(None),
                )
            )
        ).scalars()
    )
    tickets = (
        await session.execute(
            select(KitchenTicket).where(
                KitchenTicket.venue_id == venue_id, KitchenTicket.check_id.in_(check_ids)
            )
        )
    ).scalars()
    by_id = {t.id: t for t in tickets}
    items = await items_of(session, venue_id, by_id.keys())
    names = await station_names(session, venue_id)
    rows = {
        (c.check_id, c.course): c
        for c in (
            await session.execute(
                select(CheckCourse).where(
                    CheckCourse.venue_id == venue_id, CheckCourse.check_id.in_(check_ids)
                )
            )
        ).scalars()
    }
    closed = set(
        (
            await session.execute(
                select(Check.id).where(
                    Check.venue_id == venue_id,
                    Check.id.in_(check_ids),
                    Check.closed_at.is_not(None),
                )
            )
        ).scalars()
    )
    grouped: dict[int, dict[str, list[tuple[TicketItem, KitchenTicket, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for ticket_id in sorted(by_id):
        t = by_id[ticket_id]
        for i in items[ticket_id]:
            grouped[t.check_id][i.course].append((i, t, names[t.station_id]))
    orders_read = []
    for check_id in sorted(
        grouped, key=lambda c: min(i[1].id for v in grouped[c].values() for i in v)
    ):
        courses = grouped[check_id]
        first = next(iter(courses.values()))[0][1]
        latest = max((i[1] for v in courses.values() for i in v), key=lambda t: t.id)
        orders_read.append(
            ExpoOrder(
                check_id=check_id,
                table_id=first.table_id,
                table=first.table_name,
                waiter=first.waiter_name,
                covers=first.covers,
                allergies=list(latest.allergies),
                courses=[
                    _expo_course(c, rows.get((check_id, c)), courses[c])
                    for c in sorted(courses, key=lambda c: pacing.rank(venue.courses, c))
                ],
                tickets=[
                    ExpoTicket(id=t.id, state=t.state)
                    for t in sorted(
                        {i[1].id: i[1] for v in courses.values() for i in v}.values(),
                        key=lambda t: t.id,
                    )
                ],
                closed=check_id in closed,
            )
        )
    return ExpoRead(at=now or now_utc(), orders=orders_read, courses=list(venue.courses))


_ALL_DAY_ITEMS = text(
    """
    SELECT name, sum(quantity) AS quantity,
           coalesce(sum(quantity) FILTER (WHERE fired_at IS NULL), 0) AS held
    FROM kitchen_ticket_items
    WHERE venue_id = :v AND bumped_at IS NULL AND voided_at IS NULL
      AND (CAST(:s AS bigint) IS NULL OR station_id = :s)
    GROUP BY name ORDER BY name
    """
)


_ALL_DAY_MODIFIERS = text(
    """
    SELECT i.name AS item, m.modifier, sum(i.quantity) AS quantity
    FROM kitchen_ticket_items AS i, unnest(i.modifiers) AS m(modifier)
    WHERE i.venue_id = :v AND i.bumped_at IS NULL AND i.voided_at IS NULL
      AND (CAST(:s AS bigint) IS NULL OR i.station_id = :s)
    GROUP BY i.name, m.modifier ORDER BY i.name, m.modifier
    """
)


async def all_day(session: AsyncSession, caller: Caller, station: str | None = None) -> AllDayRead:
    """Outstanding portions (sent, not bumped, not voided) per item and per modifier."""
    found = await station_named(session, caller.venue_id, station) if station else None
    params = {"v": caller.venue_id, "s": found.id if found else None}
    items = (await session.execute(_ALL_DAY_ITEMS, params)).all()
    modifiers = (await session.execute(_ALL_DAY_MODIFIERS, params)).all()
    return AllDayRead(
        station=station,
        items=[AllDayItem(name=r.name, quantity=r.quantity, held=r.held) for r in items],
        modifiers=[
            AllDayModifier(item=r.item, modifier=r.modifier, quantity=r.quantity) for r in modifiers
        ],
    )


_PREP_TIMES = text(
    """
    SELECT s.name AS station, i.name AS item, count(*) AS n,
           avg(extract(epoch FROM i.bumped_at - i.fired_at))::float8 AS avg_seconds,
           percentile_cont(0.9) WITHIN GROUP (
               ORDER BY extract(epoch FROM i.bumped_at - i.fired_at)) AS p90_seconds
    FROM kitchen_ticket_items AS i
    JOIN kitchen_tickets AS t ON t.venue_id = i.venue_id AND t.id = i.ticket_id
    JOIN stations AS s ON s.venue_id = i.venue_id AND s.id = i.station_id
    WHERE i.venue_id = :v AND i.bumped_at IS NOT NULL AND i.fired_at IS NOT NULL
      AND i.voided_at IS NULL AND t.business_day BETWEEN :start AND :end
      AND (CAST(:s AS bigint) IS NULL OR i.station_id = :s)
    GROUP BY s.name, i.name ORDER BY s.name, i.name
    """
)


async def prep_times(
    session: AsyncSession,
    caller: Caller,
    station: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> PrepTimesRead:
    """Average and 90th percentile seconds from fired to bumped, per station and item,
    over the business days ``start`` to ``end`` (both default to today)."""
    today = venues.business_day(await venues.get(session, caller.venue_id), now_utc())
    start, end = start or today, end or today
    if end < start:
        raise Invalid("to is before from", field="to")
    found = await station_named(session, caller.venue_id, station) if station else None
    params = {"v": caller.venue_id, "s": found.id if found else None, "start": start, "end": end}
    rows = (await session.execute(_PREP_TIMES, params)).all()
    return PrepTimesRead(
        start=start,
        end=end,
        rows=[
            PrepTimeRow(
                station=r.station,
                item=r.item,
                count=r.n,
                avg_seconds=round(r.avg_seconds, 1),
                p90_seconds=round(r.p90_seconds, 1),
            )
            for r in rows
        ],
    )
