"""A page speaks its reader's language: the member signed in, or the guest's browser."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.async_api import Page, ViewportSize, expect

from pos_service import i18n
from pos_service.core import ratelimit
from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice
from tests.takeaway.support import next_local, online

pytestmark = pytest.mark.browser

TABLET: ViewportSize = {"width": 1280, "height": 800}
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
DATA = {"Print agent", "bar", "Receipt"}
"""Names in the demo's data (a staff member, a station, a printer) that are English texts
too."""


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


async def _english_left(page: Page, language: str) -> list[str]:
    """The texts on the page (text, placeholders, labels, titles) that are still an
    English text of the catalogs with another translation in ``language``."""
    english = {
        str(m.id): str(m.string)
        for domain in i18n.DOMAINS
        for m in i18n.read_catalog(language, domain)
        if isinstance(m.id, str) and m.id and m.string and m.string != m.id
    }
    shown: list[str] = await page.evaluate(
        """() => {
          const out = document.body.innerText.split("\\n");
          for (const el of document.querySelectorAll("[placeholder], [aria-label], [title]")) {
            for (const a of ["placeholder", "aria-label", "title"]) {
              if (el.getAttribute(a)) out.push(el.getAttribute(a));
            }
          }
          for (const o of document.querySelectorAll("option")) out.push(o.textContent);
          return out.map((t) => t.trim()).filter(Boolean);
        }"""
    )
    return sorted({text for text in shown if text in english})


@pytest.mark.timeout(180)
@pytest.mark.parametrize("language", ["nl", "de"])
async def test_the_setup_page_and_the_managers_set_up_sections_speak_dutch_and_german(
    demo: Demo, new_device: NewDevice, language: str
) -> None:
    device = await new_device(TABLET)
    page = device.page
    await page.set_extra_http_headers({"Accept-Language": f"{language},en;q=0.5"})
    await page.goto(device.base + "/app/setup")
    await expect(page.locator("html")).to_have_attribute("lang", language)
    await expect(page.locator("#setup-done")).to_be_visible()  # the demo venue exists
    await page.evaluate("document.getElementById('setup').hidden = false")
    assert await _english_left(page, language) == []

    [(marco,)] = await demo.sql("SELECT id FROM staff WHERE name = 'Marco'")
    await demo.call("PATCH", f"/api/staff/{marco}", "manager", json={"language": language})
    manager = await device.open("/app/manager", pin="9999")
    await expect(manager.locator("html")).to_have_attribute("lang", language)
    for section in ("devices", "venue", "plan", "staff", "printers", "integrations", "auditfile"):
        label = i18n.pages_catalog(language).get(
            {
                "devices": "Devices",
                "venue": "Venue",
                "plan": "Floor plan",
                "staff": "Staff",
                "printers": "Printers",
                "integrations": "Integrations",
                "auditfile": "Audit file",
            }[section]
        )
        await manager.click(f"#nav button:has-text('{label}')")
        await manager.wait_for_timeout(300)
        left = set(await _english_left(manager, language)) - DATA
        assert left == set(), section

    await manager.goto(device.base + "/app/manager/menu")
    await manager.wait_for_selector("body[data-live='live']")
    for section in ("items", "groups", "schedules", "stations", "transfer"):
        await manager.click(f"#nav button[data-section='{section}']")
        await manager.wait_for_timeout(300)
        assert set(await _english_left(manager, language)) - DATA == set(), section
    await manager.click("#nav button[data-section='items']")
    await manager.click("button:has-text('{}')".format(i18n.pages_catalog(language)["Edit"]))
    await expect(manager.locator("#sheet")).to_be_visible()
    assert set(await _english_left(manager, language)) - DATA == set(), "item form"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("language", ["nl", "de"])
async def test_the_guest_page_follows_the_guests_browser(
    demo: Demo, new_device: NewDevice, server_url: str, language: str
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    link = await demo.call("POST", f"/api/checks/{check['id']}/guest-link")
    guest = (await new_device(PHONE)).page
    await guest.set_extra_http_headers({"Accept-Language": f"{language}-NL,{language};q=0.9"})
    await guest.goto(server_url + link.json()["url"])
    await expect(guest.locator("html")).to_have_attribute("lang", language)
    texts = i18n.pages_catalog(language)
    await expect(guest.locator("h2").first).to_have_text(str(texts["What do you pay?"]))
    await expect(guest.locator(".tips")).to_contain_text(str(texts["No tip"]))
    assert await _english_left(guest, language) == []
    if language == "nl":
        await guest.screenshot(path=str(SCREENS / "guest-nl.png"))


@pytest.mark.timeout(120)
async def test_ordering_at_the_table_follows_the_guests_browser(
    demo: Demo, new_device: NewDevice, server_url: str
) -> None:
    ratelimit._windows.counts.clear()
    r = await demo.call(
        "PUT", "/api/venue/guest-settings", "manager", json={"guest_ordering": "direct"}
    )
    assert r.status_code == 200, r.text
    tent = await demo.call("GET", f"/api/tables/{await demo.table_id('6')}/order-link")
    url = str(tent.json()["url"])
    guest = (await new_device(PHONE)).page
    await guest.set_extra_http_headers({"Accept-Language": "de-DE,de;q=0.9"})
    await guest.goto(url if url.startswith("http") else server_url + url)
    await expect(guest.locator("html")).to_have_attribute("lang", "de")
    await expect(guest.locator("#heading")).to_have_text("Am Tisch bestellen")
    await expect(guest.locator(".order-item").first).to_be_visible()
    await expect(guest.locator("main")).to_contain_text("Tisch 6")
    assert await _english_left(guest, "de") == []


async def _guest(new_device: NewDevice, language: str) -> Page:
    """A guest's phone whose browser asks for ``language``."""
    page = (await new_device(PHONE)).page
    await page.set_extra_http_headers({"Accept-Language": f"{language}-NL,{language};q=0.9"})
    return page


@pytest.mark.timeout(180)
@pytest.mark.parametrize("language", ["nl", "de"])
async def test_the_public_order_page_follows_the_guests_browser_to_the_order_status(
    demo: Demo, new_device: NewDevice, server_url: str, language: str
) -> None:
    ratelimit._windows.counts.clear()
    await online(demo)
    texts = i18n.pages_catalog(language)
    guest = await _guest(new_device, language)
    await guest.goto(f"{server_url}/order/demo")
    await expect(guest.locator("html")).to_have_attribute("lang", language)
    await expect(guest).to_have_title(i18n.gettext(language, "Order for pickup"))
    await expect(guest.locator(".menu-item").first).to_be_visible()
    await expect(guest.locator("#language-switch")).to_have_value(language)
    assert set(await _english_left(guest, language)) - DATA == set(), "menu"
    # money by the page's language: "€ 14,00" in Dutch, "14,00 €" in German
    price = await guest.locator(".menu-item[data-item='Burrata'] .amount").text_content()
    assert price is not None and re.search(r"\d,\d\d", price), price

    burger = str(texts["Add {name}"]).format(name="Burger")
    await guest.click(f"button[aria-label='{burger}']")
    await expect(guest.locator("#sheet")).to_be_visible()
    assert set(await _english_left(guest, language)) - DATA == set(), "options"
    await guest.check("#sheet label:has-text('medium-rare') input")
    await guest.check("#sheet label:has-text('truffle fries') input")
    await guest.click("#sheet button[type=submit]")
    await guest.click(
        "button[aria-label='{}']".format(str(texts["Add {name}"]).format(name="Burrata"))
    )
    await expect(guest.locator(".order-bar")).to_contain_text(str(texts["{n} item"][1]).format(n=2))

    pickup = next_local(19, 30)
    await guest.click("#checkout")
    await guest.select_option("#place select[name=day]", pickup.date().isoformat())
    slot = pickup.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    await guest.wait_for_selector(f"#place option[value='{slot}']", state="attached")
    await guest.select_option("#place select[name=pickup_at]", slot)
    assert set(await _english_left(guest, language)) - DATA == set(), "checkout"
    await guest.fill("#place input[name=name]", "Carla")
    await guest.click("#place button[type=submit]")  # no phone, no e-mail: 422 naming email
    await expect(guest.locator("#place input[name=email]")).to_have_class(re.compile("invalid"))
    await expect(guest.locator("#place-error")).not_to_contain_text("(email)")
    await guest.fill("#place input[name=email]", "carla@example.org")
    await guest.check("#place input[value=at_pickup]")
    await guest.click("#place button[type=submit]")
    await expect(guest.locator("#number")).to_have_text("1")
    await expect(guest.locator("#state")).to_have_text(str(texts["Order received"]))
    await expect(guest.locator("main")).to_contain_text(str(texts["Pay at pickup"]))
    await expect(guest.locator("main")).to_contain_text("19:30")
    assert set(await _english_left(guest, language)) - DATA == set(), "status"
    [(stored,)] = await demo.sql("SELECT language FROM takeaway_orders")
    assert stored == language


@pytest.mark.timeout(180)
@pytest.mark.parametrize("language", ["nl", "de"])
async def test_booking_changing_and_cancelling_follow_the_guests_browser(
    demo: Demo, new_device: NewDevice, server_url: str, language: str
) -> None:
    ratelimit._windows.counts.clear()
    texts = i18n.pages_catalog(language)
    guest = await _guest(new_device, language)
    await guest.goto(f"{server_url}/book/demo")
    await expect(guest.locator("html")).to_have_attribute("lang", language)
    await expect(guest.locator("#heading")).to_have_text(i18n.gettext(language, "Book a table"))
    await guest.select_option("select[name='party_size']", "3")
    slots = guest.locator(".slots button")
    await expect(slots.first).to_be_visible()
    assert re.fullmatch(r"\d\d:\d\d", await slots.first.text_content() or ""), "a 24-hour clock"
    await slots.first.click()
    assert set(await _english_left(guest, language)) - DATA == set(), "booking form"
    await guest.fill("input[name='name']", "Ines Weber")
    await guest.fill("input[name='email']", "ines@example.com")
    await guest.click(".big-pay")
    party = {"nl": "een tafel voor 3 personen", "de": "ein Tisch für 3 Personen"}[language]
    await expect(guest.locator(".booked")).to_contain_text(party, timeout=15000)
    await expect(guest.locator(".booked h2")).to_have_text(str(texts["Booked!"]))
    assert set(await _english_left(guest, language)) - DATA == set(), "booked"

    [(body,)] = await demo.sql("SELECT text_body FROM mail_outbox")
    link = next(w for w in str(body).split() if "/book/manage/" in w)
    await guest.goto(link)
    await expect(guest.locator(".booking")).to_contain_text(party)
    await expect(guest).to_have_title(i18n.gettext(language, "Your booking"))
    assert set(await _english_left(guest, language)) - DATA == set(), "the booking"
    await guest.click("button:has-text('{}')".format(texts["Change"]))
    await expect(guest.locator(".slots button").first).to_be_visible()
    await guest.select_option("select[name='party_size']", "2")
    await guest.locator(".slots button").last.click()
    assert set(await _english_left(guest, language)) - DATA == set(), "changing"
    await guest.click("button:has-text('{}')".format(texts["Move my booking"]))
    two = {"nl": "een tafel voor 2 personen", "de": "ein Tisch für 2 Personen"}[language]
    await expect(guest.locator(".booking")).to_contain_text(two, timeout=15000)
    await guest.click("button.danger")
    await expect(guest.locator(".booking")).to_have_attribute("data-status", "cancelled")
    await expect(guest.locator(".booking .total")).to_have_text(str(texts["Cancelled"]))
    assert set(await _english_left(guest, language)) - DATA == set(), "cancelled"
    rows = await demo.sql("SELECT status, language FROM reservations ORDER BY id")
    assert [tuple(r) for r in rows] == [("cancelled", language), ("cancelled", language)]


@pytest.mark.timeout(120)
async def test_a_guest_switches_the_booking_page_to_another_language(
    demo: Demo, new_device: NewDevice, server_url: str
) -> None:
    ratelimit._windows.counts.clear()
    guest = await _guest(new_device, "nl")
    await guest.goto(f"{server_url}/book/demo")
    await expect(guest.locator("#heading")).to_have_text("Tafel reserveren")
    await guest.select_option("#language-switch", "de")
    await expect(guest.locator("html")).to_have_attribute("lang", "de")
    await expect(guest.locator("#heading")).to_have_text("Tisch reservieren")
    await expect(guest.locator("#language-switch")).to_have_value("de")
    await expect(guest.locator(".slots button").first).to_be_visible()
    assert set(await _english_left(guest, "de")) - DATA == set()
    await guest.locator(".slots button").first.click()
    await guest.fill("input[name='name']", "Ines Weber")
    await guest.fill("input[name='email']", "ines@example.com")
    await guest.click(".big-pay")
    await expect(guest.locator(".booked")).to_contain_text("ein Tisch für 2 Personen")
    [(stored,)] = await demo.sql("SELECT language FROM reservations")
    assert stored == "de"  # the e-mails follow the guest's choice, not the browser

    # the guest's bill page offers the same switch, and the choice stays on the phone
    check = await demo.open_check("12", covers=2)
    link = await demo.call("POST", f"/api/checks/{check['id']}/guest-link")
    await guest.goto(server_url + link.json()["url"])
    await expect(guest.locator("html")).to_have_attribute("lang", "de")
    await guest.select_option("#language-switch", "en")
    await expect(guest.locator("html")).to_have_attribute("lang", "en")
    await expect(guest.locator("h2").first).to_have_text("What do you pay?")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("language", ["nl", "de"])
async def test_the_pickup_screen_speaks_dutch_and_german(
    demo: Demo, new_device: NewDevice, language: str
) -> None:
    [(clara,)] = await demo.sql("SELECT id FROM staff WHERE name = 'Clara'")
    await demo.call("PATCH", f"/api/staff/{clara}", "manager", json={"language": language})
    device = await new_device(TABLET)
    await device.page.set_extra_http_headers({"Accept-Language": language})
    await device.page.goto(device.base + "/app/pickup")
    await expect(device.page.locator("html")).to_have_attribute("lang", language)
    assert await _english_left(device.page, language) == [], "sign-in"
    screen = await device.open("/app/pickup", pin="2222")
    await expect(screen.locator("html")).to_have_attribute("lang", language)
    await expect(screen.locator(".pickup-col h2").first).to_have_text(
        i18n.gettext(language, "Preparing")
    )
    await expect(screen.locator("#language-switch")).to_have_count(0)  # a staff screen
    assert set(await _english_left(screen, language)) - DATA == set()
