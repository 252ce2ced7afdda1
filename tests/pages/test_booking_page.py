"""The public booking page in a real browser: a guest books a table with their
allergies, the host stand shows it without a reload, the confirmation e-mail reaches a
real SMTP server with the link to change or cancel, and that link cancels it (the host
stand sees that too). Saves docs/screens/booking-page.png (phone, 390x844)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.async_api import Route, ViewportSize, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core import ratelimit
from tests.conftest import Demo
from tests.mail.test_outbox import Inbox, mailer, smtp_server
from tests.pages.conftest import PHONE, NewDevice

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
TABLET: ViewportSize = {"width": 1280, "height": 800}


@pytest.mark.timeout(150)
async def test_a_booking_on_the_public_page_reaches_the_host_stand_and_the_guests_inbox(
    demo: Demo, new_device: NewDevice, sessions: async_sessionmaker[AsyncSession]
) -> None:
    ratelimit._windows.counts.clear()
    box = Inbox()
    server, port = await smtp_server(box)
    try:
        host = await (await new_device(TABLET)).open("/app/host", pin="2222")
        tomorrow = await host.evaluate("new Date(Date.now() + 86400000).toISOString().slice(0, 10)")
        await host.fill("#day", tomorrow)
        await host.dispatch_event("#day", "change")
        await host.evaluate("window.notReloaded = true")

        guest = (await new_device(PHONE)).page
        await guest.goto((await new_device(PHONE)).base + "/book/demo")
        await guest.select_option("select[name='party_size']", "3")
        slots = guest.locator(".slots button")
        await expect(slots.first).to_be_visible()
        await slots.first.click()
        await guest.fill("input[name='name']", "Ines Weber")
        await guest.fill("input[name='email']", "ines@example.com")
        await guest.fill("input[name='phone']", "+49 30 555 1234")
        await guest.check("label.allergen input[value='nuts']")
        await guest.fill("textarea[name='notes']", "window seat please")
        await guest.evaluate("document.querySelector('#main').scrollTop = 0; scrollTo(0, 0)")
        await guest.screenshot(path=str(SCREENS / "booking-page.png"))
        await guest.click("button:has-text('Book for 3')")
        await expect(guest.locator(".booked")).to_contain_text(
            "a table for 3 at Trattoria Demo", timeout=15000
        )

        resv = host.locator(".resv", has_text="Ines Weber (3)")
        await expect(resv).to_be_visible(timeout=15000)  # live, from the reservations topic
        assert await host.evaluate("window.notReloaded") is True

        assert await mailer(sessions, port).run_once() == 1
        [message] = box.messages
        assert message["To"] == "ines@example.com"
        assert message["Subject"] == "Your booking at Trattoria Demo"
        body = message.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert "Dear Ines Weber" in text and "table for 3" in text
        link = next(w for w in text.split() if "/book/manage/" in w)

        await guest.goto(link)
        await expect(guest.locator(".booking")).to_contain_text("a table for 3")
        await expect(guest.locator(".booking")).to_contain_text("Allergies: nuts")
        await guest.click("button:has-text('Cancel the booking')")
        await expect(guest.locator(".booking")).to_have_attribute("data-status", "cancelled")
        await expect(host.locator(".resv.cancelled", has_text="Ines Weber")).to_be_visible(
            timeout=15000
        )
        day = dt.date.fromisoformat(tomorrow)
        rows = await demo.sql("SELECT status, booked_by FROM reservations WHERE day = :d", d=day)
        assert [tuple(r) for r in rows] == [("cancelled", 0)]
    finally:
        server.close()
        await server.wait_closed()


async def test_a_late_answer_or_another_time_keeps_what_the_guest_typed(
    demo: Demo, new_device: NewDevice
) -> None:
    """The first availability answer (for two guests) arrives after the guest has asked
    for three, picked a time and typed her name: the late answer is dropped, so her time
    and name stay; picking another time keeps what she typed too."""
    ratelimit._windows.counts.clear()
    device = await new_device(PHONE)
    guest = device.page
    answered_late = asyncio.Event()

    async def slow_for_two(route: Route) -> None:
        if "party_size=2" in route.request.url:
            await asyncio.sleep(1.5)
            await route.continue_()
            answered_late.set()
        else:
            await route.continue_()

    await guest.route("**/availability?*", slow_for_two)
    await guest.goto(device.base + "/book/demo")
    await guest.select_option("select[name='party_size']", "3")
    slots = guest.locator(".slots button")
    await expect(slots.first).to_be_visible()
    await slots.first.click()
    await guest.fill("input[name='name']", "Ines Weber")
    await asyncio.wait_for(answered_late.wait(), 10)
    await guest.wait_for_timeout(300)  # the late answer has been handled
    await expect(guest.locator("input[name='name']")).to_have_value("Ines Weber")
    await expect(guest.locator("button.big-pay")).to_contain_text("Book for 3")

    await guest.fill("input[name='email']", "ines@example.com")
    await slots.nth(1).click()
    await expect(slots.nth(1)).to_have_class(re.compile(r"\bon\b"))
    await expect(guest.locator("input[name='name']")).to_have_value("Ines Weber")
    await expect(guest.locator("input[name='email']")).to_have_value("ines@example.com")
