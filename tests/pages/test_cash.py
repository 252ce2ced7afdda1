"""Cash on the handheld: the waiter types what the guest handed over and the tip, sees
the change, and the payment keeps all three."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice

pytestmark = pytest.mark.browser


@pytest.mark.timeout(120)
async def test_cash_with_a_tip_shows_the_change(demo: Demo, new_device: NewDevice) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata", seat=1)).status_code == 201  # 13.50
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await phone.click(".table[data-table='12']")
    await phone.click("button:has-text('Bill & pay')")
    await phone.click(".part button:has-text('Cash')")
    await phone.fill("#sheet input[name=tendered]", "20")
    await phone.fill("#sheet input[name=tip]", "1.50")
    await expect(phone.locator("#sheet [data-change]")).to_contain_text("5.00")
    await phone.click("#sheet button:has-text('Take cash')")
    await expect(phone.locator("#toasts")).to_contain_text("Change: €5.00")

    [(amount, tip, tendered, change)] = await demo.sql(
        "SELECT amount, tip, tendered, change FROM payments WHERE check_id = :c", c=check["id"]
    )
    assert (amount, tip, tendered, change) == (1350, 150, 2000, 500)
