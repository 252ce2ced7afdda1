"""A page speaks its reader's language: the member signed in, or the guest's browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, ViewportSize, expect

from pos_service import i18n
from pos_service.core import ratelimit
from tests.conftest import Demo
from tests.pages import languages
from tests.pages.conftest import PHONE, NewDevice

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


# ---- the strict walker (tests/pages/languages.py) ------------------------------------


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
