"""Ordering at the table by QR code in a real browser: the guest opens the table tent's
link, orders two items with their required options, and the kitchen screen and the
waiter's handheld show them live; with ``confirm`` the waiter's handheld shows the
guest's lines and sends them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from pos_service.core import ratelimit
from tests.conftest import Demo
from tests.pages.conftest import KDS, PHONE, NewDevice

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def fresh_windows() -> Iterator[None]:
    """The public request windows are per process: start with them empty."""
    ratelimit._windows.counts.clear()
    yield
    ratelimit._windows.counts.clear()


async def _ordering(demo: Demo, mode: str) -> None:
    r = await demo.call(
        "PUT", "/api/venue/guest-settings", "manager", json={"guest_ordering": mode}
    )
    assert r.status_code == 200, r.text


async def _tent_link(demo: Demo, table: str) -> str:
    r = await demo.call("GET", f"/api/tables/{await demo.table_id(table)}/order-link")
    assert r.status_code == 200, r.text
    assert r.json()["qr_svg"].startswith("<svg")
    return str(r.json()["url"])


async def _order(guest: Page, item: str, *options: str) -> None:
    card = guest.locator(f".order-item[data-item='{item}']")
    await card.locator(".item-head").click()
    add = card.locator("button.add")
    await expect(add).to_be_disabled()  # required options first
    for option in options:
        await card.locator(f".choices button:text-is('{option}')").click()
    await add.click()


@pytest.mark.timeout(150)
async def test_a_guest_orders_by_the_tables_qr_and_kitchen_and_handheld_show_it(
    demo: Demo, new_device: NewDevice
) -> None:
    await _ordering(demo, "direct")
    url = await _tent_link(demo, "9")
    kitchen = await (await new_device(KDS)).open("/app/kitchen?station=hot", pin="3333")
    await expect(kitchen.locator("#tickets")).to_contain_text("No tickets")
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")

    guest_device = await new_device(PHONE)
    guest = guest_device.page
    await guest.goto(url)
    ribeye = guest.locator(".order-item[data-item='Ribeye']")
    await expect(ribeye).to_be_visible()
    await expect(guest.locator(".order-item[data-item='Burger']")).to_contain_text(
        "gluten, milk, mustard"
    )
    await _order(guest, "Ribeye", "medium-rare", "truffle fries +€2.50")
    await _order(guest, "Burger", "medium", "fries")
    await expect(guest.locator(".basket")).to_contain_text("€55.50")  # 34.50 + 2.50 + 18.50
    await guest.click(".basket button.send")
    await expect(guest.locator(".sent")).to_contain_text("on its way to the kitchen")

    ticket = kitchen.locator(".ticket", has_text="Table 9")
    await expect(ticket).to_contain_text("Ribeye", timeout=15000)
    await expect(ticket).to_contain_text("medium-rare, truffle fries")
    await expect(ticket).to_contain_text("Burger")
    await expect(phone.locator(".table[data-table='9']")).to_have_attribute(
        "data-status", "ordered", timeout=15000
    )
    await phone.click(".table[data-table='9']")
    await expect(phone.locator(".lines")).to_contain_text("Ribeye")
    await expect(phone.locator(".lines")).to_contain_text("Burger")
    rows = await demo.sql(
        "SELECT name, state, added_by FROM check_lines WHERE venue_id = :v ORDER BY id",
        v=demo.venue_id,
    )
    assert [tuple(r) for r in rows] == [("Ribeye", "sent", 0), ("Burger", "sent", 0)]


@pytest.mark.timeout(150)
async def test_with_confirm_the_guests_lines_wait_for_the_waiter_on_the_handheld(
    demo: Demo, new_device: NewDevice
) -> None:
    await _ordering(demo, "confirm")
    url = await _tent_link(demo, "10")
    await demo.open_check("10", covers=2)
    kitchen = await (await new_device(KDS)).open("/app/kitchen?station=cold", pin="3333")
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await phone.click(".table[data-table='10']")
    await expect(phone.locator(".pane")).to_contain_text("No items yet")

    guest = (await new_device(PHONE)).page
    await guest.goto(url)
    await guest.locator(".order-item[data-item='Burrata'] .item-head").click()
    await guest.locator(".order-item[data-item='Burrata'] button.add").click()
    await guest.click(".basket button.send")
    await expect(guest.locator(".sent")).to_contain_text("Your waiter will confirm")

    box = phone.locator("[data-guest-order]")
    await expect(box).to_contain_text("Burrata", timeout=15000)  # live, no reload
    await expect(kitchen.locator("#tickets")).to_contain_text("No tickets")
    await box.locator("button:has-text('Confirm and send')").click()
    await expect(kitchen.locator(".ticket", has_text="Table 10")).to_contain_text(
        "Burrata", timeout=15000
    )
    await expect(box).to_be_hidden()


@pytest.mark.timeout(120)
async def test_the_manager_sets_guest_ordering_and_sees_the_table_tents(
    demo: Demo, new_device: NewDevice
) -> None:
    manager = await (await new_device(KDS)).open("/app/manager", pin="9999")
    await manager.click("#nav button:has-text('Guests')")
    tent = manager.locator(".tent[data-table='12']")
    await expect(tent.locator("img")).to_be_visible()
    assert await tent.locator("img").evaluate("i => i.naturalWidth") > 0  # the SVG draws
    await manager.select_option("select[name='guest_ordering']", "direct")
    await manager.click(".guest-settings button:has-text('Save')")
    await expect(manager.locator(".toast")).to_contain_text("Saved")
    r = await demo.call("GET", "/api/venue/guest-settings", "manager")
    assert r.json()["guest_ordering"] == "direct"
    await expect(manager.locator("#view")).to_contain_text("/book/demo")
