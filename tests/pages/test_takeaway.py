"""A takeaway order placed on the venue's public page for 19:30 and paid by card is
held, fired by the scheduler at 19:30 minus its longest prep time so that every item is
done at 19:30, turns "ready" on the pickup screen and on the guest's own page when the
kitchen bumps its tickets, and the order's confirmation and "ready" e-mails reach a real
SMTP server. Saves the screenshots of the order page (a phone) and the pickup screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.async_api import ViewportSize

from pos_service.core import ratelimit
from pos_service.mail.service import Mailer, SmtpConfig
from tests.conftest import Demo
from tests.kitchen.support import at, run_task, screen
from tests.mail.test_outbox import Inbox, smtp_server
from tests.pages.conftest import PHONE, NewDevice
from tests.takeaway.support import line, next_local, online

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
DESK: ViewportSize = {"width": 1280, "height": 800}


async def test_a_takeaway_order_is_ready_at_its_pickup_time(
    demo: Demo, new_device: NewDevice, server_url: str
) -> None:
    ratelimit._windows.counts.clear()
    await online(demo)
    pickup = next_local(19, 30)

    guest = await new_device(PHONE)
    page = guest.page
    await page.goto(f"{server_url}/order/demo")
    await page.click("button[aria-label='Add Burger']")
    await page.check("#sheet label:has-text('medium-rare') input")
    await page.check("#sheet label:has-text('truffle fries') input")
    await page.click("#sheet button[type=submit]")
    await page.click("button[aria-label='Add Burrata']")
    await page.wait_for_selector("#checkout")
    await page.wait_for_selector(".toast", state="detached")
    await page.screenshot(path=str(SCREENS / "order-page.png"))

    await page.click("#checkout")
    await page.select_option("#place select[name=day]", pickup.date().isoformat())
    slot = pickup.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    await page.wait_for_selector(f"#place option[value='{slot}']", state="attached")
    await page.select_option("#place select[name=pickup_at]", slot)
    await page.fill("#place input[name=name]", "Carla")
    await page.fill("#place input[name=email]", "carla@example.org")
    await page.click("#place button[type=submit]")
    await page.wait_for_selector("#number:has-text('1')")
    await page.wait_for_selector("text=Paid", timeout=15000)
    assert "/order/demo/status/" in page.url
    assert await page.text_content("#state") == "Order received"

    (order,) = (
        await demo.call("GET", "/api/takeaway", params={"day": pickup.date().isoformat()})
    ).json()["orders"]
    assert (order["number"], order["channel"], order["state"]) == (1, "online", "held")
    assert at(order["pickup_at"]) == pickup
    assert at(order["fire_at"]) == pickup - dt.timedelta(minutes=12)  # the burger's prep

    board = await new_device(DESK)
    screen_page = await board.open("/app/pickup", "2222")

    fire_at = at(order["fire_at"])
    assert await run_task(demo, "takeaway.fire", fire_at - dt.timedelta(minutes=1)) == 0
    assert await run_task(demo, "takeaway.fire", fire_at) == 1
    tickets = await screen(demo, state="all")
    for item in (i for t in tickets for i in t["items"]):
        assert at(item["release_at"]) + dt.timedelta(minutes=item["prep_minutes"]) == pickup
    await page.wait_for_selector("#state:has-text('Preparing')")
    await screen_page.wait_for_selector("#preparing [data-number='1']")

    for ticket in tickets:
        r = await demo.call("POST", f"/api/kitchen/tickets/{ticket['id']}/bump", "kitchen")
        assert r.status_code in (200, 201), r.text
    await screen_page.wait_for_selector("#ready [data-number='1']")
    assert await screen_page.query_selector("#preparing [data-number='1']") is None
    await page.wait_for_selector("#state:has-text('Ready for pickup')")

    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    for name in ("Dario", "Ella"):
        body = {
            "name": name,
            "phone": "030 1234567",
            "pickup_at": soon.isoformat(),
            "lines": [await line(demo, "Lasagne")],
            "send": True,
        }
        assert (await demo.call("POST", "/api/takeaway", json=body)).status_code == 201
    await screen_page.wait_for_selector("#preparing [data-number]")
    await screen_page.screenshot(path=str(SCREENS / "pickup.png"))
    text = await screen_page.text_content("main") or ""
    assert "Carla" not in text and "Dario" not in text

    inbox = Inbox()
    server, port = await smtp_server(inbox)
    try:
        config = SmtpConfig(host="127.0.0.1", port=port, tls="none", timeout_seconds=5)
        assert await Mailer(demo.sessions, config).run_once() == 2
    finally:
        server.close()
        await server.wait_closed()
    placed, mail = sorted(inbox.messages, key=lambda m: "ready" in str(m["Subject"]))
    assert placed["Subject"] == "Your order 1 at Trattoria Demo"
    assert mail["To"] == "carla@example.org"
    assert mail["Subject"] == "Your order 1 is ready"
    body_text = mail.get_body(("plain",))
    assert body_text is not None
    content = body_text.get_content()
    assert "Hello Carla" in content and "order 1 at Trattoria Demo is ready" in content
