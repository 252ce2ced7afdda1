"""Helpers of the takeaway tests."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import Demo
from tests.kitchen.support import venue_setting

BERLIN = ZoneInfo("Europe/Berlin")


async def online(demo: Demo, **settings: Any) -> None:
    """Open the demo venue's public order page (with these settings too)."""
    await venue_setting(demo, "takeaway_online", True)
    for key, value in settings.items():
        await venue_setting(demo, key, value)


def next_local(hour: int, minute: int, *, after: dt.timedelta = dt.timedelta(hours=1)) -> dt.datetime:
    """The next venue-local ``hour:minute`` at least ``after`` from now."""
    now = dt.datetime.now(BERLIN)
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    while at < now + after:
        at += dt.timedelta(days=1)
    return at


async def line(demo: Demo, item: str, *options: str, quantity: int = 1) -> dict[str, Any]:
    return {
        "item_id": (await demo.item(item))["id"],
        "quantity": quantity,
        "modifiers": [await demo.option(item, o) for o in options],
    }


async def count(demo: Demo, table: str) -> int:
    return int((await demo.sql(f"SELECT count(*) AS n FROM {table}"))[0].n)  # noqa: S608
