"""Turnover and moves on the pages: the handheld and the host stand clean a table; the
kitchen screen says where a ticket's check went."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.conftest import Demo
from tests.pages.conftest import KDS, PHONE, NewDevice

pytestmark = pytest.mark.browser


async def _paid(demo: Demo, table: str) -> None:
    check = await demo.open_check(table, covers=2)
    assert (await demo.add(check["id"], "Espresso")).status_code == 201
    r = await demo.call("POST", f"/api/checks/{check['id']}/payments", json={"method": "cash"})
    assert r.status_code == 201, r.text


@pytest.mark.timeout(120)
async def test_the_handheld_and_the_host_stand_clean_a_paid_table(
    demo: Demo, new_device: NewDevice
) -> None:
    await _paid(demo, "5")
    await _paid(demo, "6")
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    five = phone.locator(".table[data-table='5']")
    await expect(five).to_have_attribute("data-status", "to_clean")
    await five.click()
    await expect(phone.locator("#sheet")).to_contain_text("Table 5 is being cleaned")
    await phone.click("#sheet button:has-text('Clean')")
    await expect(five).to_have_attribute("data-status", "free", timeout=15000)

    host = await (await new_device(KDS)).open("/app/host", pin="2222")
    await host.click("#side .tabs button:has-text('Floor')")
    six = host.locator("#side .table[data-table='6']")
    await expect(six).to_have_attribute("data-status", "to_clean")
    await six.click()
    await host.click("#sheet button:has-text('Clean')")
    await expect(six).to_have_attribute("data-status", "free", timeout=15000)
    statuses = await demo.sql(
        "SELECT name, status FROM dining_tables WHERE name IN ('5', '6') ORDER BY name"
    )
    assert [tuple(s) for s in statuses] == [("5", "free"), ("6", "free")]


@pytest.mark.timeout(120)
async def test_the_kitchen_screen_says_where_a_ticket_went(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Sirloin", 1, ("rare", "fries"))).status_code == 201
    assert (await demo.call("POST", f"/api/checks/{check['id']}/send", json={})).status_code == 200
    kitchen = await (await new_device(KDS)).open("/app/kitchen?station=hot", pin="3333")
    await expect(kitchen.locator(".ticket", has_text="Table 12")).to_contain_text("Sirloin")
    five = await demo.table_id("5")
    r = await demo.call("POST", f"/api/checks/{check['id']}/transfer", json={"table_id": five})
    assert r.status_code == 200, r.text
    ticket = kitchen.locator(".ticket", has_text="Table 5")
    await expect(ticket).to_contain_text("moved to table 5", ignore_case=True, timeout=15000)
