"""axe-core on the pages guests and managers open beyond the service pages: the guest's
bill, ordering at the table, the booking page, the takeaway order page, the pickup
screen and the manager's page. No WCAG 2 A or AA violation on any of them."""

from __future__ import annotations

import pytest
from playwright.async_api import ViewportSize, expect

from pos_service.core import ratelimit
from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice
from tests.pages.test_friday import axe_violations
from tests.takeaway.support import online

TABLET: ViewportSize = {"width": 1280, "height": 800}


@pytest.mark.timeout(240)
async def test_axe_finds_no_wcag_violation_on_the_guests_and_managers_pages(
    demo: Demo, new_device: NewDevice, server_url: str
) -> None:
    ratelimit._windows.counts.clear()
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    link = await demo.call("POST", f"/api/checks/{check['id']}/guest-link")
    guest = (await new_device(PHONE)).page

    await guest.goto(server_url + link.json()["url"])
    await expect(guest.locator("#main")).not_to_contain_text("Loading")
    assert await axe_violations(guest) == [], "guest bill"

    r = await demo.call(
        "PUT", "/api/venue/guest-settings", "manager", json={"guest_ordering": "direct"}
    )
    assert r.status_code == 200, r.text
    tent = await demo.call("GET", f"/api/tables/{await demo.table_id('6')}/order-link")
    url = tent.json()["url"]
    await guest.goto(url if url.startswith("http") else server_url + url)
    await expect(guest.locator(".order-item").first).to_be_visible()
    assert await axe_violations(guest) == [], "ordering at the table"

    await guest.goto(f"{server_url}/book/demo")
    await expect(guest.locator("select[name='party_size']")).to_be_visible()
    assert await axe_violations(guest) == [], "booking"

    await online(demo)
    await guest.goto(f"{server_url}/order/demo")
    await expect(guest.locator("button[aria-label='Add Burger']")).to_be_visible()
    assert await axe_violations(guest) == [], "takeaway order page"

    pickup = await (await new_device(TABLET)).open("/app/pickup", pin="2222")
    assert await axe_violations(pickup) == [], "pickup screen"

    manager = await (await new_device(TABLET)).open("/app/manager", pin="9999")
    for section in ("Live", "Roster", "Labour", "Promotions", "Books", "Guests", "Staff"):
        await manager.click(f"#nav button:has-text('{section}')")
        await manager.wait_for_timeout(300)
        assert await axe_violations(manager) == [], section
