"""A reload keeps the place (issue #20, point 7): the host stand's half-typed forms and
its tab, and the guest's choice of what to pay and the tip. (The handheld's open check,
menu and bill: tests/pages/test_handheld_lines.py.)"""

from __future__ import annotations

import pytest
from playwright.async_api import ViewportSize, expect

from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice

pytestmark = pytest.mark.browser

TABLET: ViewportSize = {"width": 1180, "height": 820}


@pytest.mark.timeout(120)
async def test_the_host_stands_forms_survive_a_reload(demo: Demo, new_device: NewDevice) -> None:
    page = await (await new_device(TABLET)).open("/app/host", pin="2222")
    await page.fill("#side input[placeholder='Name']", "Rossi")
    await page.fill("#side input[placeholder='Phone (optional)']", "+39 06 1234")
    await page.click("#side .tabs button:has-text('Book')")
    await page.click("#side .choices button:text-is('6')")
    await page.fill("#side input[placeholder='Notes']", "window seat")

    await page.reload()
    await page.wait_for_selector("body[data-live='live']")
    await expect(page.locator("#side .tabs button.on")).to_have_text("Book")
    await expect(page.locator("#side .choices button.on")).to_have_text("6")
    await expect(page.locator("#side input[placeholder='Notes']")).to_have_value("window seat")
    await page.click("#side .tabs button:has-text('Waitlist')")
    await expect(page.locator("#side input[placeholder='Name']")).to_have_value("Rossi")
    await expect(page.locator("#side input[placeholder='Phone (optional)']")).to_have_value(
        "+39 06 1234"
    )


@pytest.mark.timeout(120)
async def test_the_guests_choice_and_tip_survive_a_reload(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata", seat=1)).status_code == 201
    assert (await demo.add(check["id"], "Tiramisu", seat=2)).status_code == 201
    link = (await demo.call("POST", f"/api/checks/{check['id']}/guest-link")).json()
    guest = await (await new_device(PHONE)).open(link["url"])
    await guest.click("button:has-text('Only my items')")
    await guest.click("label.row:has-text('Tiramisu') input")
    await guest.click("button:has-text('15 %')")
    await expect(guest.locator(".big-pay")).to_have_text("Pay €9.78 by card")

    await guest.reload()
    await expect(guest.locator(".big-pay")).to_have_text("Pay €9.78 by card")
    await expect(guest.locator(".choices button.on", has_text="Only my items")).to_have_count(1)
    await expect(guest.locator("label.row:has-text('Tiramisu') input")).to_be_checked()
