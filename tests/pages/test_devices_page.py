"""Pairing in the browser: the manager makes a code on the Devices section, a handheld
pairs with it and signs in; revoking the handheld signs it out at once."""

from __future__ import annotations

import msgspec
import pytest
from playwright.async_api import Browser, expect

from pos_service.app import create_app
from pos_service.config import Settings
from tests.conftest import Demo
from tests.pages.conftest import KDS, PHONE, NewDevice
from tests.support.servers import serve

pytestmark = pytest.mark.browser


@pytest.mark.timeout(120)
async def test_a_handheld_pairs_with_the_managers_code_and_is_revoked(
    demo: Demo, new_device: NewDevice
) -> None:
    manager = await (await new_device(KDS)).open("/app/manager", pin="9999")
    await manager.click("#nav button:has-text('Devices')")
    await manager.fill("#pair-name", "Terrace handheld")
    await manager.select_option("#pair-kind", "handheld")
    await manager.click("#view button:has-text('Make a pairing code')")
    code = await manager.locator("#pairing-code-value").inner_text()

    handheld = await new_device(PHONE)
    phone = handheld.page
    await phone.goto(handheld.base + "/app/handheld")
    await phone.fill("#login-venue", "demo")
    await phone.fill("#login-pin", "1111")
    await phone.click("#login button[type=submit]")
    await expect(phone.locator("#pair")).to_be_visible()
    await expect(phone.locator("#pair-message")).to_contain_text("not paired")
    await phone.fill("#pair-code", code)
    await phone.click("#pair button[type=submit]")
    await expect(phone.locator("#login-message")).to_contain_text("Paired as Terrace handheld")
    await phone.fill("#login-pin", "1111")
    await phone.click("#login button[type=submit]")
    await expect(phone.locator("#login")).to_be_hidden()
    await phone.wait_for_selector("body[data-live='live']")

    await manager.click("#nav button:has-text('Devices')")
    row = manager.locator("#devices tr", has_text="Terrace handheld")
    await expect(row).to_contain_text("Handheld")
    manager.once("dialog", lambda dialog: dialog.accept())
    await row.locator("button:has-text('Revoke')").click()
    await expect(manager.locator("#devices tr", has_text="Terrace handheld")).to_contain_text(
        "revoked"
    )
    # the handheld's socket is closed (4401): it is signed out at once
    await expect(phone.locator("#login")).to_be_visible(timeout=3000)
    await phone.fill("#login-pin", "1111")
    await phone.click("#login button[type=submit]")
    await expect(phone.locator("#pair")).to_be_visible()
    await expect(phone.locator("#pair-message")).to_contain_text("revoked")


@pytest.mark.timeout(120)
async def test_the_demo_servers_own_browser_signs_in_without_pairing(
    demo: Demo, browser: Browser, settings: Settings
) -> None:
    """``python3 dev.py serve``: a browser on the same machine types a PIN and is in."""
    app = create_app(msgspec.structs.replace(settings, demo=True))
    async with serve(app) as url:
        context = await browser.new_context(viewport=PHONE)
        try:
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            await page.goto(url + "/app/handheld")
            await expect(page.locator("#login-venue")).to_have_value("demo")
            for digit in "1111":
                await page.click(f"#login [data-key='{digit}']")
            await page.click("#login button[type=submit]")
            await expect(page.locator("#login")).to_be_hidden()
            await page.wait_for_selector("body[data-live='live']")
            assert errors == []
        finally:
            await context.close()
    rows = await demo.sql("SELECT name FROM devices WHERE name LIKE 'This computer%'")
    assert len(rows) == 1


@pytest.mark.timeout(120)
async def test_a_lock_after_wrong_pins_alerts_the_manager_page(
    demo: Demo, new_device: NewDevice
) -> None:
    manager = await (await new_device(KDS)).open("/app/manager", pin="9999")
    handheld = await demo.device(name="Bar handheld")
    for pin in ("0001", "0002", "0003", "0004", "0005"):
        await demo.login(pin, device=handheld)
    await expect(manager.locator("#toasts")).to_contain_text("Sign-in locked after 5 wrong PINs")
