"""Helpers of the takeaway tests."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import Demo

BERLIN = ZoneInfo("Europe/Berlin")


async def online(demo: Demo, **settings: Any) -> None:
    """Open the demo venue's public order page (with these takeaway settings too), as
    its manager does."""
    r = await demo.call(
        "PUT", "/api/takeaway/settings", "manager", json={"online": True, **settings}
    )
    assert r.status_code == 200, r.text


def next_local(
    hour: int, minute: int, *, after: dt.timedelta = dt.timedelta(hours=1)
) -> dt.datetime:
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
    return int((await demo.sql(f"SELECT count(*) AS n FROM {table}"))[0].n)
