"""Availability schedules: whether an item can be ordered at a moment.

A schedule is ISO weekdays and a local start and end time in the venue's timezone; an
end at or before the start runs past midnight, and belongs to the day it starts (a
Friday late menu 22:00 to 02:00 is open early on Saturday). An item is orderable when
it has no schedule or is within one of its own, AND its category has none or is within
one of the category's. The handheld applies the same rule (web/static/handheld.js).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.errors import Invalid
from pos_service.menu.models import CategorySchedule, Item, ItemSchedule, Schedule
from pos_service.venues import service as venues


class Window(Protocol):
    @property
    def weekdays(self) -> list[int]: ...

    @property
    def starts(self) -> dt.time: ...

    @property
    def ends(self) -> dt.time: ...


def is_open(window: Window, local: dt.datetime) -> bool:
    """Whether ``local`` (a venue-local time) is within ``window``."""
    now = local.time().replace(tzinfo=None)
    if window.starts < window.ends:
        return local.isoweekday() in window.weekdays and window.starts <= now < window.ends
    if now >= window.starts:
        return local.isoweekday() in window.weekdays
    yesterday = (local - dt.timedelta(days=1)).isoweekday()
    return now < window.ends and yesterday in window.weekdays


def any_open(windows: Iterable[Window], local: dt.datetime) -> bool:
    """True if there are no windows, or ``local`` is within one of them."""
    found = list(windows)
    return not found or any(is_open(w, local) for w in found)


async def refuse_outside(
    session: AsyncSession, venue_id: int, item: Item, now: dt.datetime
) -> None:
    """422 naming the item if its schedules or its category's do not cover ``now``."""
    own = (
        (
            await session.execute(
                select(Schedule)
                .join(
                    ItemSchedule,
                    (ItemSchedule.venue_id == Schedule.venue_id)
                    & (ItemSchedule.schedule_id == Schedule.id),
                )
                .where(ItemSchedule.venue_id == venue_id, ItemSchedule.item_id == item.id)
            )
        )
        .scalars()
        .all()
    )
    section = (
        (
            await session.execute(
                select(Schedule)
                .join(
                    CategorySchedule,
                    (CategorySchedule.venue_id == Schedule.venue_id)
                    & (CategorySchedule.schedule_id == Schedule.id),
                )
                .where(
                    CategorySchedule.venue_id == venue_id,
                    CategorySchedule.category_id == item.category_id,
                )
            )
        )
        .scalars()
        .all()
    )
    if not own and not section:
        return
    venue = await venues.get(session, venue_id)
    local = now.astimezone(ZoneInfo(venue.timezone))
    for windows in (own, section):
        if not any_open(windows, local):
            names = ", ".join(sorted(w.name for w in windows))
            raise Invalid(
                "{item} is not on the menu now (only {names})",
                names=names,
                field="item_id",
                item=item.name,
            )
