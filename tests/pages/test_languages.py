"""A page speaks its reader's language: the member signed in, or the guest's browser."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import ViewportSize, expect

from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice

pytestmark = pytest.mark.browser

TABLET: ViewportSize = {"width": 1280, "height": 800}


@pytest.mark.timeout(120)
async def test_the_handheld_follows_the_member_signed_in(demo: Demo, new_device: NewDevice) -> None:
    tablet = await (await new_device(TABLET)).open("/app/manager", pin="9999")
    await tablet.click("#nav button:has-text('Staff')")
    await tablet.select_option("tr[data-staff='Anna'] select[name=language]", "de")
    await expect(tablet.locator("#toasts")).to_contain_text("Anna: language saved")
    [(language,)] = await demo.sql("SELECT language FROM staff WHERE name = 'Anna'")
    assert language == "de"

    device = await new_device(PHONE)
    phone = await device.open("/app/handheld", pin="1111")  # Anna
    await expect(phone.locator("html")).to_have_attribute("lang", "de")
    await expect(phone).to_have_title(re.compile("^Handgerät"))
    await expect(phone.locator(".dot")).to_have_attribute("title", "Live-Aktualisierung")

    # Ben keeps the venue's language: the same device speaks English to him
    await phone.click("#signout")
    await phone.wait_for_selector("#login", state="visible")
    await expect(phone.locator("#login label").first).to_contain_text("Betrieb")
    await device.open("/app/handheld", pin="1112")
    await expect(phone.locator("html")).to_have_attribute("lang", "en")
    await expect(phone).to_have_title(re.compile("^Handheld"))
