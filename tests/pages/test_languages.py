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
from tests.pages import languages
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


async def _speaks(demo: Demo, member: str, language: str) -> None:
    """``member`` reads the pages in ``language`` from their next sign-in."""
    [(member_id,)] = await demo.sql("SELECT id FROM staff WHERE name = :n", n=member)
    r = await demo.call("PATCH", f"/api/staff/{member_id}", "manager", json={"language": language})
    assert r.status_code == 200, r.text


# ---- the strict walker (tests/pages/languages.py) ------------------------------------


@pytest.mark.timeout(180)
@pytest.mark.parametrize("language", ["nl", "de"])
async def test_the_host_stand_speaks_dutch_and_german(
    demo: Demo, new_device: NewDevice, language: str
) -> None:
    await languages.bookings(demo)
    await _speaks(demo, "Clara", language)
    texts = i18n.pages_catalog(language)

    host = await (await new_device(TABLET)).open("/app/host", pin="2222")
    await expect(host.locator("html")).to_have_attribute("lang", language)
    await expect(host.locator("#side .wait")).to_contain_text("Rossi")
    await expect(host.locator("#side .tabs button[data-tab='waitlist']")).to_have_text(
        str(texts["Waitlist"])
    )
    assert await _english_left(host, language) == [], "waitlist"

    await host.locator(".resv", has_text="Weber").click()
    await expect(host.locator("#sheet")).to_be_visible()
    await expect(host.locator("#sheet .actions")).to_contain_text(str(texts["Seat"]))
    assert await _english_left(host, language) == [], "reservation"
    await host.click("#sheet .actions button:last-child")

    await host.click("#side .tabs button[data-tab='book']")
    await host.click("#side button:has-text('{}')".format(texts["Find free times"]))
    await expect(host.locator("#side .slots button").first).to_be_visible()
    assert await _english_left(host, language) == [], "book"

    await host.click("#side .tabs button[data-tab='floor']")
    await expect(host.locator("#side .legend")).to_contain_text(str(texts["free"]))
    assert await _english_left(host, language) == [], "floor"


ONLY_PANELS = """() => {
  const keep = [...document.querySelectorAll('#sheet, #notices, #my-shifts-button')];
  for (const el of [...document.body.querySelectorAll('*')]) {
    if (el.isConnected && !keep.some((k) => k.contains(el) || el.contains(k))) el.remove();
  }
}"""
"""Leave only the shift and notice panels on the handheld (the rest is not theirs)."""


@pytest.mark.timeout(180)
@pytest.mark.parametrize("language", ["nl", "de"])
async def test_the_handhelds_shift_and_notice_panels_speak_dutch_and_german(
    demo: Demo, new_device: NewDevice, language: str
) -> None:
    await _speaks(demo, "Anna", language)
    texts = i18n.pages_catalog(language)
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await expect(phone.locator("html")).to_have_attribute("lang", language)
    await expect(phone.locator("#my-shifts-button")).to_have_text(str(texts["Shifts"]))

    check = await demo.open_check("12", covers=2)  # Anna's
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    sent = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert sent.status_code == 200, sent.text
    [(ticket,)] = await demo.sql(
        "SELECT id FROM kitchen_tickets WHERE check_id = :c", c=check["id"]
    )
    bumped = await demo.call("POST", f"/api/kitchen/tickets/{ticket}/bump", "kitchen")
    assert bumped.status_code == 200, bumped.text
    called = await demo.call(
        "POST", f"/api/kitchen/expo/{check['id']}/pickup", "kitchen", json={"course": "starter"}
    )
    assert called.status_code == 200, called.text
    notice = phone.locator(".notice[data-course='starter']")
    await expect(notice).to_contain_text(str(texts["Table {table}"]).format(table="12"))

    await phone.click("#my-shifts-button")
    await expect(phone.locator("#clock")).to_be_visible()
    await expect(phone.locator("#sheet h2").first).to_have_text(str(texts["My shifts"]))
    await phone.evaluate(ONLY_PANELS)
    assert await _english_left(phone, language) == []


@pytest.mark.timeout(180)
@pytest.mark.parametrize("language", ["nl", "de"])
async def test_the_handheld_speaks_dutch_and_german(
    demo: Demo, new_device: NewDevice, language: str
) -> None:
    [(anna,)] = await demo.sql("SELECT id FROM staff WHERE name = 'Anna'")
    r = await demo.call("PATCH", f"/api/staff/{anna}", "manager", json={"language": language})
    assert r.status_code == 200, r.text
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata", seat=1)).status_code == 201
    r = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert r.status_code == 200, r.text
    assert (await demo.add(check["id"], "Tiramisu", seat=2)).status_code == 201
    texts = i18n.pages_catalog(language)

    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")  # Anna
    await expect(phone.locator("html")).to_have_attribute("lang", language)
    await expect(phone.locator(".table[data-table='12']")).to_be_visible()
    await expect(phone.locator(".legend")).to_contain_text(str(texts["to clean"]))
    assert set(await _english_left(phone, language)) - DATA == set(), "floor"

    await phone.click(".table[data-table='12']")
    await expect(phone.locator(".lines li")).to_have_count(2)
    await expect(phone.locator(".head h2")).to_contain_text(
        {"nl": "Tafel 12 · 2 gasten", "de": "Tisch 12 · 2 Gäste"}[language]
    )
    assert set(await _english_left(phone, language)) - DATA == set(), "check"
    await expect(phone.locator(".amount.total")).to_contain_text("€")
    if language == "nl":
        await expect(phone.locator(".amount.total")).to_contain_text(",")
        await phone.screenshot(path=str(SCREENS / "handheld-nl.png"))

    await phone.click(".lines li:has-text('Tiramisu')")
    await expect(phone.locator("#sheet")).to_be_visible()
    assert set(await _english_left(phone, language)) - DATA == set(), "line sheet"
    await phone.click("#sheet .actions button")
    await phone.click("button:has-text('{}')".format(texts["+ Items"]))
    await expect(phone.locator("input[type=search]")).to_be_visible()
    assert set(await _english_left(phone, language)) - DATA == set(), "menu"
    await phone.click("[data-item='Burrata']")
    await expect(phone.locator("#sheet")).to_be_visible()
    assert set(await _english_left(phone, language)) - DATA == set(), "item sheet"
    await phone.click("#sheet .actions button >> nth=0")
    await phone.click(".head button")

    await phone.click("button:has-text('{}')".format(texts["Bill & pay"]))
    await expect(phone.locator(".part")).to_have_count(1)
    assert set(await _english_left(phone, language)) - DATA == set(), "pay"
    await phone.click(".part button >> nth=0")  # cash
    await expect(phone.locator("#sheet [data-change]")).to_be_visible()
    assert set(await _english_left(phone, language)) - DATA == set(), "cash"


@pytest.mark.timeout(240)
@pytest.mark.parametrize("language", ["nl", "de"])
async def test_the_kitchen_screen_and_the_pass_speak_dutch_and_german(
    demo: Demo, new_device: NewDevice, language: str
) -> None:
    [(dario,)] = await demo.sql("SELECT id FROM staff WHERE name = 'Dario'")
    r = await demo.call("PATCH", f"/api/staff/{dario}", "manager", json={"language": language})
    assert r.status_code == 200, r.text
    check = await demo.open_check("12", covers=2)
    await demo.add(check["id"], "Lasagne", course="starter", seat=1)
    await demo.add(check["id"], "Ribeye", 1, ("rare", "fries"), note="no salt")
    r = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert r.status_code == 200, r.text
    r = await demo.call(
        "PUT", f"/api/checks/{check['id']}/allergies", json={"allergens": ["gluten"]}
    )
    assert r.status_code == 200, r.text
    other = await demo.open_check("5", covers=1)
    await demo.add(other["id"], "Burger", 1, ("medium", "fries"))
    r = await demo.call("POST", f"/api/checks/{other['id']}/send", json={})
    assert r.status_code == 200, r.text
    texts = i18n.pages_catalog(language)

    device = await new_device(TABLET)
    kitchen = await device.open("/app/kitchen?station=hot", pin="3333")
    await expect(kitchen.locator("html")).to_have_attribute("lang", language)
    await expect(kitchen.locator(".ticket")).to_have_count(2)
    await expect(kitchen.locator("#allday h2").first).to_have_text(str(texts["All day"]))
    assert set(await _english_left(kitchen, language)) - DATA == set(), "kitchen"

    # the other ticket is done: its course waits on the pass, called for the waiter
    (burger,) = [
        t
        for t in (await demo.call("GET", "/api/kitchen/tickets", "kitchen")).json()["tickets"]
        if t["check_id"] == other["id"]
    ]
    r = await demo.call("POST", f"/api/kitchen/tickets/{burger['id']}/bump", "kitchen")
    assert r.status_code == 200, r.text
    await kitchen.goto(device.base + "/app/kitchen?mode=expo")
    await kitchen.wait_for_selector("body[data-live='live']")
    await expect(kitchen.locator(".ticket")).to_have_count(2)
    await expect(kitchen.locator("button.served")).to_have_text(str(texts["Served"]))
    assert set(await _english_left(kitchen, language)) - DATA == set(), "expo"
    await kitchen.click("button.pickup")
    await expect(kitchen.locator(".expo-course.pickup .state")).to_have_text(str(texts["CALLED"]))
    assert set(await _english_left(kitchen, language)) - DATA == set(), "expo, called"


_a_day_of_service = languages.a_day_of_service


MANAGER_DATA = DATA | {"grill", "Happy hour"}
"""Names of the demo's data on the manager's page that are English texts of the catalogs
too (a station, a promotion named as the placeholder suggests)."""


@pytest.mark.timeout(300)
@pytest.mark.parametrize("language", ["nl", "de"])
async def test_every_section_of_the_managers_page_speaks_dutch_and_german(
    demo: Demo, new_device: NewDevice, language: str
) -> None:
    await _a_day_of_service(demo)
    [(marco,)] = await demo.sql(
        "SELECT id FROM staff WHERE venue_id = :v AND name = 'Marco'", v=demo.venue_id
    )
    r = await demo.call("PATCH", f"/api/staff/{marco}", "manager", json={"language": language})
    assert r.status_code == 200, r.text
    device = await new_device(TABLET)
    manager = await device.open("/app/manager", pin="9999")
    await expect(manager.locator("html")).to_have_attribute("lang", language)
    await manager.wait_for_selector("body[data-live='live']")
    texts = i18n.pages_catalog(language)

    sections = await manager.eval_on_selector_all(
        "#nav button[data-section]", "(bs) => bs.map((b) => b.dataset.section)"
    )
    assert {"reports", "live", "roster", "labour", "promotions", "accounting", "guests",
            "approvals", "day", "menu", "floor", "staff", "printers"} <= set(sections)  # fmt: skip
    for section in sections:
        await manager.click(f"#nav button[data-section='{section}']")
        await expect(manager.locator(f"#nav button.on[data-section='{section}']")).to_be_visible()
        await manager.wait_for_load_state("networkidle")
        await manager.wait_for_timeout(200)
        assert set(await _english_left(manager, language)) - MANAGER_DATA == set(), section
        if section == "approvals":  # the void, the discount and the comp, by kind
            rows = manager.locator("#view table.grid tr")
            await expect(rows).to_have_count(4)
            for kind in ("void", "discount", "comp"):
                await expect(manager.locator("#view table.grid")).to_contain_text(str(texts[kind]))

    # money, numbers and dates in the page's language, not by hand
    await manager.click("#nav button[data-section='live']")
    sales = manager.locator("[data-figure='sales'] b")
    expected = await manager.evaluate(
        "(lang) => new Intl.NumberFormat(lang, { style: 'currency', currency: 'EUR' }).format(29)",
        language,
    )
    await expect(sales).to_have_text(expected)  # 13.50 + 18.50 - 3.00, the tip apart
    await expect(manager.locator("[data-figure='tips'] b")).to_contain_text("1,50")

    # the day closed: the Z report in the page's language too
    for (check,) in await demo.sql(
        "SELECT id FROM checks WHERE venue_id = :v AND status = 'open'", v=demo.venue_id
    ):
        paid = await demo.call("POST", f"/api/checks/{check}/payments", json={"method": "cash"})
        assert paid.status_code == 201, paid.text
    await manager.click("#nav button[data-section='day']")
    await manager.fill("#view input[inputmode=decimal]", "20,00")
    manager.once("dialog", lambda d: d.accept())
    await manager.click("#view button.danger")
    await expect(manager.locator("#view h2")).to_contain_text(
        str(texts["Z report · {date}"]).split("·")[0].strip()
    )
    assert set(await _english_left(manager, language)) - MANAGER_DATA == set(), "Z report"


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


@pytest.mark.timeout(180)
@pytest.mark.parametrize("language", ["nl", "de"])
@pytest.mark.parametrize("screen", languages.SCREENS, ids=lambda screen: screen.name)
async def test_no_english_is_left_on_the_translated_screens(
    demo: Demo, new_device: NewDevice, screen: languages.Screen, language: str
) -> None:
    """Every text of the screen differs from its English rendering, unless it is the
    venue's data, a number or a word the catalogs keep as it is: a text nobody marked
    for translation is caught too."""
    left = await languages.english_left(demo, new_device, screen, language)
    assert left == [], f"English left on {screen.name} in {language}: {left}"
