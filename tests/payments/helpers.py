"""Helpers for the bill and payment tests: a check with lines, approvals, payments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import Demo


async def check_with(
    demo: Demo, *items: tuple[str, int, int | None], table: str = "12", covers: int = 4
) -> dict[str, Any]:
    """Open a check and add ``(item, quantity, seat)`` lines; answers the check."""
    check = await demo.open_check(table, covers=covers)
    for name, quantity, seat in items:
        options: tuple[str, ...] = ()
        item = await demo.item(name)
        for group in item["modifier_groups"]:
            if group["min_choices"]:
                options += (group["options"][0]["name"],)
        r = await demo.add(check["id"], name, quantity, options, seat=seat)
        assert r.status_code == 201, r.text
    return check


async def approval(demo: Demo, action: str) -> str:
    r = await demo.call("POST", "/api/auth/approve", json={"pin": "9999", "action": action})
    assert r.status_code == 200, r.text
    return str(r.json()["approval"])


async def bill(demo: Demo, check_id: int) -> dict[str, Any]:
    r = await demo.call("GET", f"/api/checks/{check_id}/bill")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def pay(
    demo: Demo, check_id: int, status: int = 201, key: str | None = None, **body: Any
) -> dict[str, Any]:
    r = await demo.call("POST", f"/api/checks/{check_id}/payments", key=key, json=body)
    assert r.status_code == status, r.text
    return dict(r.json())


async def run_task(demo: Demo, name: str, now: dt.datetime | None = None) -> int:
    """Run a scheduled task once at ``now``, on the app's own event loop."""
    return int(await demo.app.state.scheduler.run_task(name, now))
