"""The pages in a real browser: a waiter's order reaches the kitchen screen live, a guest's
payment turns the waiter's table live and the guest asks for the receipt by e-mail, and a
handheld that loses the network sends what it took exactly once when it comes back."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Page, Route, expect
from sqlalchemy import text

from tests.conftest import Demo
from tests.pages.conftest import KDS, PHONE, NewDevice

pytestmark = pytest.mark.browser


async def lines_of(demo: Demo, check_id: int) -> list[tuple[str, int, str]]:
    rows = await demo.sql(
        "SELECT i.name, l.quantity, l.state FROM check_lines l JOIN items i "
        "ON i.venue_id = l.venue_id AND i.id = l.item_id WHERE l.check_id = :c ORDER BY l.id",
        c=check_id,
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def add_item(page: Page, category: str, item: str, *options: str) -> None:
    """On the menu view: pick an item, its options, and add it."""
    await page.click(f".tabs button:has-text('{category}')")
    await page.click(f"[data-item='{item}']")
    add = page.locator("#sheet button:has-text('Add')")
    for option in options:
        await page.click(f"#sheet .group button:has-text('{option}')")
    await add.click()
    await expect(page.locator("#sheet")).to_be_hidden()


@pytest.mark.timeout(120)
async def test_an_order_taken_on_the_handheld_appears_on_the_kitchen_screen(
    demo: Demo, new_device: NewDevice
) -> None:
    kitchen = await (await new_device(KDS)).open("/app/kitchen?station=hot", pin="3333")
    await expect(kitchen.locator("#tickets")).to_contain_text("No tickets")
    await kitchen.evaluate("window.notReloaded = true")

    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await phone.click(".table[data-table='12']")
    await phone.click("#sheet .choices button:text-is('3')")
    await phone.click(".tabs button:has-text('Mains')")
    await phone.click("[data-item='Ribeye']")
    add = phone.locator("#sheet button:has-text('Add')")
    await phone.click("#sheet button:has-text('medium-rare')")
    await expect(add).to_be_disabled()  # the side is still to choose
    await phone.click("#sheet button:has-text('truffle fries')")
    await phone.click("#sheet .choices button:text-is('2')")  # seat 2
    await add.click()
    await phone.click("button:has-text('Done')")
    await expect(phone.locator(".lines")).to_contain_text("Ribeye")
    await phone.click("button:has-text('Send')")

    ticket = kitchen.locator(".ticket", has_text="Table 12")
    await expect(ticket).to_contain_text("Ribeye", timeout=15000)
    await expect(ticket).to_contain_text("medium-rare, truffle fries")
    await expect(ticket).to_contain_text("s2")
    assert await kitchen.evaluate("window.notReloaded") is True


@pytest.mark.timeout(120)
async def test_a_guest_payment_turns_the_table_on_the_handheld(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("5", covers=2)
    assert (await demo.add(check["id"], "Burrata", 2)).status_code == 201
    sent = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert sent.status_code == 200, sent.text
    link = await demo.call("POST", f"/api/checks/{check['id']}/guest-link")
    assert link.status_code == 201, link.text

    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    table = phone.locator(".table[data-table='5']")
    await expect(table).to_have_attribute("data-status", "bill_requested")  # the link was made

    guest = await (await new_device(PHONE)).open(link.json()["url"])
    await expect(guest.locator(".guest-card")).to_contain_text("2\N{MULTIPLICATION SIGN} Burrata")
    await guest.click("button:has-text('10 %')")
    await expect(guest.locator(".big-pay")).to_have_text("Pay €29.70 by card")
    await guest.click(".big-pay")
    await expect(guest.locator("main")).to_contain_text("Thank you", timeout=20000)
    await guest.fill(".receipt-mail input[name='to']", "guest@example.com")
    await guest.click("button:has-text('Send me the receipt')")
    await expect(guest.locator(".receipt-mail")).to_contain_text("on its way to guest@example.com")
    queued = await demo.sql("SELECT to_address, subject FROM mail_outbox")
    assert [tuple(q) for q in queued] == [("guest@example.com", "Your receipt from Trattoria Demo")]

    await expect(table).to_have_attribute("data-status", "to_clean", timeout=15000)
    payments = await demo.sql(
        "SELECT amount, tip, status FROM payments WHERE check_id = :c", c=check["id"]
    )
    assert [tuple(p) for p in payments] == [(2700, 270, "approved")]


@pytest.mark.timeout(120)
async def test_offline_items_are_sent_once_when_the_network_returns(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("7", covers=2)
    device = await new_device(PHONE)
    phone = await device.open("/app/handheld", pin="1111")
    await phone.click(".table[data-table='7']")
    await phone.click("button:has-text('+ Items')")

    await device.context.set_offline(True)
    await add_item(phone, "Starters", "Burrata")
    await add_item(phone, "Mains", "Ribeye", "rare", "fries")
    await phone.click("button:has-text('Done')")
    await phone.click("button:has-text('Send')")
    badge = phone.locator("#outbox")
    await expect(badge).to_have_text("3 waiting")
    await expect(phone.locator(".lines li.queued")).to_have_count(2)
    assert await lines_of(demo, check["id"]) == []

    # The first add's answer is lost on its way back: the server has committed it, the
    # handheld sees a network error and retries with the same Idempotency-Key.
    lost: list[str] = []

    async def lose_first_answer(route: Route) -> None:
        if lost:
            await route.continue_()
            return
        await route.fetch()
        lost.append(route.request.headers["idempotency-key"])
        await route.abort()

    await phone.route("**/api/checks/*/lines", lose_first_answer)
    await device.context.set_offline(False)
    await expect(badge).to_be_hidden(timeout=30000)
    assert len(lost) == 1
    assert await lines_of(demo, check["id"]) == [
        ("Burrata", 1, "sent"),
        ("Ribeye", 1, "sent"),
    ]
    await expect(phone.locator(".lines li.sent")).to_have_count(2)
    tickets = await demo.sql(
        "SELECT count(*) FROM kitchen_tickets WHERE check_id = :c", c=check["id"]
    )
    assert tickets[0][0] == 2  # one send: one ticket at cold, one at hot


@pytest.mark.timeout(120)
async def test_the_guest_page_shows_sales_tax_on_top_and_yen_without_decimals(
    demo: Demo, new_device: NewDevice
) -> None:
    async with demo.sessions() as session, session.begin():
        for statement in (
            "UPDATE venues SET currency = 'USD', tax_inclusive = false WHERE id = :v",
            "UPDATE items SET tax_rate_ppm = 88750, price = 765 WHERE venue_id = :v",
        ):
            await session.execute(text(statement), {"v": demo.venue_id})
    check = await demo.open_check("5", covers=2)
    assert (await demo.add(check["id"], "Burrata", 3)).status_code == 201
    link = await demo.call("POST", f"/api/checks/{check['id']}/guest-link")
    assert link.status_code == 201, link.text
    guest = await (await new_device(PHONE)).open(link.json()["url"])
    card = guest.locator(".guest-card")
    # 3 x 7.65 = 22.95; 8.875 % on top = 2.04; 24.99
    await expect(card.locator("tr", has_text="Sales tax 8.875%")).to_contain_text("$2.04")
    await expect(card.locator("tr.total", has_text="Total")).to_contain_text("$24.99")
    await expect(card).not_to_contain_text("VAT")

    async with demo.sessions() as session, session.begin():
        await session.execute(
            text("UPDATE venues SET currency = 'JPY' WHERE id = :v"), {"v": demo.venue_id}
        )
    await guest.reload()
    await expect(card.locator("tr.total", has_text="Total")).to_contain_text("¥2,499")


@pytest.mark.timeout(120)
async def test_a_line_whose_answer_is_late_is_listed_once(
    demo: Demo, new_device: NewDevice
) -> None:
    """The line's live event reaches the handheld before the answer to its request: the
    check shows the line once, not also as "waiting for the connection"."""
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await phone.click(".table[data-table='12']")
    await phone.click("#sheet .choices button:text-is('2')")
    answered = asyncio.Event()

    async def late(route: Route) -> None:
        response = await route.fetch()  # the server adds the line and sends its event
        await answered.wait()
        await route.fulfill(response=response)

    await phone.route("**/api/checks/*/lines", late)
    await add_item(phone, "Starters", "Burrata")
    await phone.click("button:has-text('Done')")
    await expect(phone.locator(".lines li", has_text="Burrata")).to_have_count(1)
    await expect(phone.locator("li.queued")).to_have_count(0)
    answered.set()
    await expect(phone.locator("#outbox")).to_be_hidden()
    await expect(phone.locator(".lines li", has_text="Burrata")).to_have_count(1)
