"""The floor plan editor's changes reach the handhelds and the host stand live: a table
added appears, a table removed disappears, without a reload."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


async def test_the_floor_editors_changes_reach_handhelds_and_the_host_live(
    demo: Demo, new_device: NewDevice
) -> None:
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    host = await (await new_device({"width": 1280, "height": 800})).open("/app/host", pin="2222")
    await host.click("button:has-text('Floor')")
    await expect(host.locator(".table[data-table='14']")).to_be_visible()
    for page in (phone, host):
        await page.evaluate("window.notReloaded = true")

    floor = (await demo.call("GET", "/api/floor", "host")).json()
    dining = floor["areas"][0]
    r = await demo.call(
        "POST",
        "/api/floor/tables",
        "manager",
        json={"area_id": dining["id"], "name": "15", "capacity": 2, "x": 560, "y": 560},
    )
    assert r.status_code == 201, r.text
    removed = await demo.table_id("14")
    r = await demo.call("DELETE", f"/api/floor/tables/{removed}", "manager")
    assert r.status_code == 200, r.text

    for page in (phone, host):
        await expect(page.locator(".table[data-table='15']")).to_be_visible()
        await expect(page.locator(".table[data-table='14']")).to_have_count(0)
        assert await page.evaluate("window.notReloaded") is True
