"""API keys in the browser: a manager makes one on the Integrations section, sees it
once and its last use, and revokes it; the key stops working at once."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.conftest import Demo
from tests.pages.conftest import KDS, NewDevice

pytestmark = pytest.mark.browser


@pytest.mark.timeout(120)
async def test_a_manager_makes_sees_and_revokes_an_api_key(
    demo: Demo, new_device: NewDevice
) -> None:
    manager = await (await new_device(KDS)).open("/app/manager", pin="9999")
    await manager.click("#nav button:has-text('Integrations')")
    await manager.fill("#key-name", "Accounting")
    await manager.check("[data-scope='sales:read']")
    await manager.check("[data-scope='menu:read']")
    await manager.click("#key-form button[type=submit]")
    key = await manager.locator("#key-value").inner_text()
    assert key.startswith("posk_")
    row = manager.locator("#api-keys tr", has_text="Accounting")
    await expect(row).to_contain_text("Read sales and exports")
    await expect(row).to_contain_text("never")
    assert key not in await manager.locator("#api-keys").inner_text()

    bearer = {"Authorization": f"Bearer {key}"}
    assert (await demo.client.get("/api/menu", headers=bearer)).status_code == 200
    await manager.click("#nav button:has-text('Integrations')")
    await expect(row).not_to_contain_text("never")
    await expect(manager.locator("#key-value")).to_have_count(0)  # shown once only

    manager.once("dialog", lambda dialog: dialog.accept())
    await row.locator("button:has-text('Revoke')").click()
    await expect(manager.locator("#api-keys tr", has_text="Accounting")).to_contain_text("revoked")
    assert (await demo.client.get("/api/menu", headers=bearer)).status_code == 401
