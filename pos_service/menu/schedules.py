"""Availability schedules: whether an item can be ordered at a moment.

A schedule is ISO weekdays and a local start and end time in the venue's timezone; an
end at or before the start runs past midnight, and belongs to the day it starts (a
Friday late menu 22:00 to 02:00 is open early on Saturday). An item is orderable when
it has no schedule or is within one of its own, AND its category has none or is within
one of the category's. The handheld applies the same rule (web/static/handheld.js).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol
from zoneinfo import ZoneInfo

from pos_service.core.errors import Invalid


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


class Named(Window, Protocol):
    @property
    def name(self) -> str: ...


def refuse_outside(
    item: str, own: Sequence[Named], section: Sequence[Named], timezone: str, now: dt.datetime
) -> None:
    """422 naming the item if its schedules (``own``) or its category's (``section``) do
    not cover ``now`` in the venue's ``timezone``."""
    if not own and not section:
        return
    local = now.astimezone(ZoneInfo(timezone))
    for windows in (own, section):
        if not any_open(windows, local):
            names = ", ".join(sorted(w.name for w in windows))
            raise Invalid(
                "{item} is not on the menu now (only {names})",
                names=names,
                field="item_id",
                item=item,
            )
