"""Promotions on the manager's page: a manager creates a 2 for 1 and a happy hour with
its hours, the bill applies them, and the manager ends one. Saves docs/screens/promotions.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import ViewportSize, expect

from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice
from tests.payments.helpers import bill, check_with

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


@pytest.mark.timeout(120)
async def test_a_manager_creates_schedules_and_ends_promotions(
    demo: Demo, new_device: NewDevice
) -> None:
    page = await (await new_device(DESKTOP)).open("/app/manager", pin="9999")
    await page.click("#nav button:has-text('Promotions')")
    await expect(page.locator("#promotions")).to_contain_text("No promotions running")
    form = page.locator("form[data-form=promotion]")

    # a percentage that is not one is refused before anything is sent
    await form.locator("[name=promo-name]").fill("Happy hour")
    await form.locator("[name=promo-percent]").fill("lots")
    await form.locator("button[type=submit]").click()
    await expect(form).to_contain_text("percent: enter a percentage")

    await form.locator("[name=promo-percent]").fill("50")
    await form.locator("[name=promo-targets]").select_option(label="All Drinks")
    await form.locator("[name=promo-starts]").fill("17:00")
    await form.locator("[name=promo-ends]").fill("19:00")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#toasts")).to_contain_text("Happy hour is running")
    row = page.locator("#promotions tr", has_text="Happy hour")
    await expect(row).to_contain_text("50 % off Drinks")
    await expect(row).to_contain_text("daily 17:00\u201319:00")

    form = page.locator("form[data-form=promotion]")
    await form.locator("[name=promo-name]").fill("2 for 1 beer")
    await form.locator("[name=promo-kind]").select_option("buy_n_get_m")
    await form.locator("[name=promo-targets]").select_option(label="Draft beer")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#promotions tr", has_text="2 for 1 beer")).to_contain_text(
        "buy 1 get 1 free: Draft beer"
    )
    await expect(page.locator("#toasts .toast")).to_have_count(0, timeout=5000)
    await page.evaluate("document.getElementById('view').scrollTo(0, 0); window.scrollTo(0, 0)")
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / "promotions.png"))

    # the bill applies it at once; ending it keeps the lines ordered before
    check = await check_with(demo, ("Draft beer", 2, None))
    assert (await bill(demo, check["id"]))["total"] == 480
    link = await demo.call("POST", f"/api/checks/{check['id']}/guest-link")
    assert link.status_code == 201, link.text
    guest = await (await new_device(PHONE)).open(link.json()["url"])
    card = guest.locator(".guest-card")
    await expect(card).to_contain_text("incl. 2 for 1 beer")
    await expect(card.locator("tr.total").first).to_contain_text("4.80")
    page.once("dialog", lambda dialog: dialog.accept())
    await page.locator("#promotions tr", has_text="2 for 1 beer").locator("text=End").click()
    await expect(page.locator("#toasts")).to_contain_text("2 for 1 beer ended")
    await expect(page.locator("#promotions")).not_to_contain_text("2 for 1 beer")
    await page.check("[name=show-ended]")
    await expect(page.locator("#promotions tr", has_text="2 for 1 beer")).to_contain_text("ended")
    assert (await bill(demo, check["id"]))["total"] == 480
