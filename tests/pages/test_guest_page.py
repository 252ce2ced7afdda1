"""The guest's own page: the guest chooses the tip (nothing is chosen for them), and after
paying a part they see what is paid and what remains, then "paid in full" with the
receipt and an e-mail field."""

from __future__ import annotations

import pytest
from playwright.async_api import expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Demo
from tests.mail.test_outbox import Inbox, mailer, smtp_server
from tests.pages.conftest import PHONE, NewDevice


async def _guest_link(demo: Demo, table: str) -> tuple[int, str]:
    check = await demo.open_check(table, covers=2)
    assert (await demo.add(check["id"], "Burrata", 2)).status_code == 201
    sent = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert sent.status_code == 200, sent.text
    link = await demo.call("POST", f"/api/checks/{check['id']}/guest-link")
    assert link.status_code == 201, link.text
    return check["id"], link.json()["url"]


@pytest.mark.timeout(120)
async def test_no_tip_is_chosen_for_the_guest_and_no_tip_is_a_choice(
    demo: Demo, new_device: NewDevice
) -> None:
    check_id, url = await _guest_link(demo, "6")
    guest = await (await new_device(PHONE)).open(url)
    pay = guest.locator(".big-pay")
    await expect(pay).to_have_text("Choose a tip to pay")
    await expect(pay).to_be_disabled()
    await expect(guest.locator(".tips button.on")).to_have_count(0)
    await guest.click(".tips button:has-text('No tip')")
    await expect(pay).to_have_text("Pay €27.00 by card")
    await pay.click()
    await expect(guest.locator("main")).to_contain_text("Paid in full", timeout=20000)
    payments = await demo.sql("SELECT amount, tip FROM payments WHERE check_id = :c", c=check_id)
    assert [tuple(p) for p in payments] == [(2700, 0)]


@pytest.mark.timeout(150)
async def test_after_a_part_is_paid_the_page_shows_paid_and_remaining_then_paid_in_full(
    demo: Demo, new_device: NewDevice, sessions: async_sessionmaker[AsyncSession]
) -> None:
    check_id, url = await _guest_link(demo, "7")
    split = await demo.call("POST", f"/api/checks/{check_id}/split", json={"mode": "even", "n": 2})
    assert split.status_code == 200, split.text

    guest = await (await new_device(PHONE)).open(url)
    card = guest.locator(".guest-card")
    pay = guest.locator(".big-pay")
    await guest.click(".tips button:has-text('No tip')")
    await expect(pay).to_have_text("Pay €13.50 by card")
    await pay.click()
    # the paid part is gone from the choices, the other one is chosen; nothing is empty
    await expect(card.locator("tr.paid")).to_contain_text("€13.50", timeout=20000)
    await expect(card.locator("tr.due")).to_contain_text("Remaining")
    await expect(card.locator("tr.due")).to_contain_text("€13.50")
    await expect(pay).to_have_text("Pay €13.50 by card")
    await expect(pay).to_be_enabled()
    await expect(guest.locator(".receipt-mail")).to_be_visible()

    await guest.click(".tips button:has-text('10 %')")
    await expect(pay).to_have_text("Pay €14.85 by card")
    await pay.click()
    await expect(guest.locator("main")).to_contain_text("Paid in full", timeout=20000)
    await expect(guest.locator("a:has-text('View the receipt')")).to_be_visible()
    await guest.fill(".receipt-mail input[name='to']", "split@example.com")
    await guest.click("button:has-text('Send me the receipt')")
    await expect(guest.locator(".receipt-mail")).to_contain_text("on its way to split@example.com")
    payments = await demo.sql(
        "SELECT amount, tip FROM payments WHERE check_id = :c ORDER BY id", c=check_id
    )
    assert [tuple(p) for p in payments] == [(1350, 0), (1350, 135)]

    box = Inbox()  # the receipt reaches a real SMTP server, with its link
    server, port = await smtp_server(box)
    try:
        assert await mailer(sessions, port).run_once() == 1
    finally:
        server.close()
        await server.wait_closed()
    [message] = box.messages
    assert message["To"] == "split@example.com"
    assert message["Subject"] == "Your receipt from Trattoria Demo"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert "Total: €27.00" in text.get_content()
    assert f"{url.replace('/guest/', '/api/guest/')}/receipt" in text.get_content()
    assert "Burrata" in html.get_content() and "€1.35" in html.get_content()  # the tip
