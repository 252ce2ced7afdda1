"""The strict language walker: a page state rendered in English and in another language;
any text a person sees that reads the same in both, and is neither the venue's own data
nor a number, an amount or a time, is English left behind, whether or not anyone marked
it for translation.

Use it from any page test::

    left = await english_left(demo, new_device, Screen("manager", "/app/manager", "9999"), "nl")
    assert left == []

and add a page to :data:`SCREENS` (a path, the PIN that signs in, what to do before
reading) so ``test_no_english_is_left_on_any_screen`` walks it in Dutch and in German.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Page, ViewportSize, expect

from pos_service import i18n
from pos_service.core import ratelimit
from tests.conftest import Demo
from tests.pages.conftest import NewDevice
from tests.takeaway.support import line, next_local, online

TABLET: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}

Action = Callable[[Page], Awaitable[None]]
"""What to do on a page before its texts are read (open a section, a form); it must not
depend on the page's language (select by ids, data attributes, not by words)."""
Path = str | Callable[[Demo], Awaitable[str]]
"""A page's path, or a coroutine making it from the demo (a guest's link)."""


@dataclass(frozen=True)
class Screen:
    """One page state to compare: ``path`` opened (signed in with ``pin``, or as a guest
    when None), then ``action`` done."""

    name: str
    path: Path
    pin: str | None = None
    action: Action | None = None
    viewport: ViewportSize = field(default_factory=lambda: TABLET)
    ready: str = "body[data-live='live']"
    """A selector the page shows once it has drawn itself."""
    allowed: frozenset[str] = frozenset()
    """Texts of this screen that are the same in every language on purpose."""
    scope: str = "body"
    """The part of the page read (``#view``: a manager's section without the frame)."""
    known: frozenset[str] = frozenset()
    """English known to be left on this screen, to be translated where it is written:
    listed so that the walker catches anything new meanwhile. Empty it as they go."""


SAME_EVERYWHERE = frozenset(
    {
        # endonyms in a language picker, codes and names that are not translated
        "English",
        "Nederlands",
        "Deutsch",
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "PIN",
        "QR",
        "API",
        "CSV",
        "JSON",
        "ESC/POS",
        "USB",
        "OK",
        "pos_service",
    }
)

_LINKS = re.compile(r"\S+@\S+|https?://\S+")
"""E-mail addresses and links (taken out first: a table named "1" is no part of them)."""
_NUMBERISH = re.compile(
    r"[+\-\u2212]?[€$£]?\s?\d[\d.,:\s\u00a0]*(?:%|€|\$|£|min\b|h\b|s\b|x\b|\u00d7)?"
    r"|\b(?:EUR|USD|GBP|CHF)\b"
    r"|[A-Za-z]+/[A-Za-z_]+"
)
"""Numbers, amounts, times, dates, currency codes and timezone names (Europe/Berlin)."""
_WORD = re.compile(r"[^\W\d_]{2,}")
"""Two letters in a row: a word a person reads."""

_COLLECT = """(scope) => {
  const root = document.querySelector(scope);
  if (!root) return [];
  const visible = (el) => (el.checkVisibility
    ? el.checkVisibility({ checkVisibilityCSS: true })
    : !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length));
  // each piece of text as it was written into the page (a tag, a cell, a line), not the
  // lines the browser would join them into
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest("script, style, template, noscript") || !visible(el)) continue;
    out.push(...node.textContent.split("\\n"));
  }
  for (const el of root.querySelectorAll("[placeholder], [aria-label], [title], [alt]")) {
    if (!visible(el)) continue;
    for (const a of ["placeholder", "aria-label", "title", "alt"]) {
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  for (const o of root.querySelectorAll("select option")) {
    if (visible(o.closest("select"))) out.push(o.textContent);
  }
  for (const b of root.querySelectorAll("input[type=submit], input[type=button]")) {
    if (visible(b) && b.value) out.push(b.value);
  }
  if (scope === "body") out.push(document.title);
  return out.map((t) => t.trim()).filter(Boolean);
}"""


async def shown_texts(page: Page, scope: str = "body") -> set[str]:
    """What a person sees or hears on the page (or the part ``scope`` selects): each piece
    of its text, placeholders, labels, titles, the options of its menus, its title."""
    texts: list[str] = await page.evaluate(_COLLECT, scope)
    return set(texts)


_DATA_SQL = (
    "SELECT name FROM items",
    "SELECT name FROM categories",
    "SELECT name FROM modifier_groups",
    "SELECT name FROM modifier_options",
    "SELECT name FROM staff",
    "SELECT name FROM dining_tables",
    "SELECT name FROM areas",
    "SELECT name FROM stations",
    "SELECT initcap(name) FROM stations",  # the kitchen screen's heading
    "SELECT name FROM printers",
    "SELECT name FROM devices",
    "SELECT name FROM venues",
    "SELECT slug FROM venues",
    "SELECT unnest(courses) FROM venues",
    "SELECT jsonb_array_elements(tax_rates::jsonb) ->> 'name' FROM venues",
    "SELECT name FROM guests",
    "SELECT name FROM reservations",
    "SELECT name FROM stock_items",
    "SELECT name FROM promotions",
    "SELECT name FROM sections",
    "SELECT name FROM api_keys",
    "SELECT name FROM waitlist_entries",
    "SELECT name FROM day_part_prices",
    # what staff typed: a discount's or a comp's reason, a void's, a kitchen note
    "SELECT reason FROM check_adjustments",
    "SELECT void_reason FROM check_lines",
    "SELECT note FROM check_lines",
)


async def venue_data(demo: Demo) -> set[str]:
    """The names the venue gave its things (items, tables, staff ...): shown as they are
    in every language."""
    names: set[str] = set()
    for query in _DATA_SQL:
        try:
            rows = await demo.sql(query)
        except Exception:  # a table this build does not have: nothing of it to show
            continue
        names.update(str(row[0]) for row in rows if row[0])
    return names


def same_in_the_catalogs(language: str) -> set[str]:
    """Texts whose translation is the English text itself ("Menu", "Status" in Dutch)."""
    return {
        str(m.id)
        for domain in i18n.DOMAINS
        for m in i18n.read_catalog(language, domain)
        if isinstance(m.id, str) and m.string == m.id
    }


def reads_as_text(line: str, data: set[str]) -> bool:
    """Whether ``line`` still has words once the venue's names (and the words kept
    alike in every language), numbers, amounts, times and codes are taken out."""
    rest = _LINKS.sub(" ", line)
    for name in sorted(data, key=len, reverse=True):
        rest = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", rest)
    rest = _NUMBERISH.sub(" ", rest)
    return _WORD.search(rest) is not None


def left_in(
    english: set[str], translated: set[str], data: set[str], allowed: set[str]
) -> list[str]:
    """The texts shown alike in English and in the translation that are words, neither
    the venue's data nor allowed to stay."""
    return sorted(
        text
        for text in translated & english
        if text not in allowed and text not in data and reads_as_text(text, data | allowed)
    )


FORGET_THE_PLACE = """() => {
  for (const key of Object.keys(sessionStorage)) {
    if (!["pos.token", "pos.expires", "pos.staff"].includes(key)) sessionStorage.removeItem(key);
  }
}"""
"""Keep the sign-in, forget where the page was (a handheld's open check, the host stand's
tab): the second rendering starts where the first did."""


async def _settle(page: Page, screen: Screen) -> None:
    await page.wait_for_selector(screen.ready)
    if screen.action is not None:
        await screen.action(page)
    await page.wait_for_timeout(300)


async def english_left(
    demo: Demo, new_device: NewDevice, screen: Screen, language: str
) -> list[str]:
    """Render ``screen`` in English, then in ``language`` (the ``pos_lang`` cookie, as a
    sign-in or the language switch sets it), and return what reads the same in both."""
    device = await new_device(screen.viewport)
    path = screen.path if isinstance(screen.path, str) else await screen.path(demo)
    url = path if path.startswith("http") else device.base + path
    if screen.pin is None:
        await device.page.goto(url)
        page = device.page
    else:
        page = await device.open(path, screen.pin)
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await _settle(page, screen)
    english = await shown_texts(page, screen.scope)

    await device.context.add_cookies([{"name": "pos_lang", "value": language, "url": device.base}])
    await page.evaluate(FORGET_THE_PLACE)
    await page.goto(url)
    await expect(page.locator("html")).to_have_attribute("lang", language)
    await _settle(page, screen)
    translated = await shown_texts(page, screen.scope)
    allowed = set(SAME_EVERYWHERE | screen.allowed | screen.known) | same_in_the_catalogs(language)
    return left_in(english, translated, await venue_data(demo), allowed)


# ---- the screens walked ---------------------------------------------------------------


def section(key: str) -> Action:
    """Open a section of the manager's page or the menu editor by its key."""

    async def open_it(page: Page) -> None:
        await page.click(f"#nav button[data-section='{key}']")
        await page.wait_for_timeout(300)

    return open_it


async def _show_setup_form(page: Page) -> None:
    await expect(page.locator("#setup-done")).to_be_visible()  # the demo venue exists
    await page.evaluate("document.getElementById('setup').hidden = false")


async def _item_form(page: Page) -> None:
    await section("items")(page)
    await page.locator("#view tr[data-item]:not(.archived) button").first.click()
    await expect(page.locator("#sheet")).to_be_visible()


async def _guest_link(demo: Demo) -> str:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    link = await demo.call("POST", f"/api/checks/{check['id']}/guest-link")
    return str(link.json()["url"])


async def _order_link(demo: Demo) -> str:
    ratelimit._windows.counts.clear()
    r = await demo.call(
        "PUT", "/api/venue/guest-settings", "manager", json={"guest_ordering": "direct"}
    )
    assert r.status_code == 200, r.text
    tent = await demo.call("GET", f"/api/tables/{await demo.table_id('6')}/order-link")
    return str(tent.json()["url"])


# the handheld: a check with a line sent and one pending, a course called on the pass


async def _a_check(demo: Demo) -> str:
    check = await demo.open_check("12", covers=2)  # Anna's
    assert (await demo.add(check["id"], "Burrata", seat=1)).status_code == 201
    sent = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert sent.status_code == 200, sent.text
    assert (await demo.add(check["id"], "Tiramisu", seat=2)).status_code == 201
    [(ticket,)] = await demo.sql(
        "SELECT id FROM kitchen_tickets WHERE check_id = :c", c=check["id"]
    )
    bumped = await demo.call("POST", f"/api/kitchen/tickets/{ticket}/bump", "kitchen")
    assert bumped.status_code == 200, bumped.text
    called = await demo.call(
        "POST", f"/api/kitchen/expo/{check['id']}/pickup", "kitchen", json={"course": "starter"}
    )
    assert called.status_code == 200, called.text
    [(anna,)] = await demo.sql("SELECT id FROM staff WHERE name = 'Anna'")
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)
    shift = await demo.call(
        "POST",
        "/api/rosters/shifts",
        "manager",
        json={
            "staff_id": anna,
            "role": "waiter",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=4)).isoformat(),
            "break_minutes": 30,
            "station": "bar",
        },
    )
    assert shift.status_code in (200, 201), shift.text
    return "/app/handheld"


async def _the_check(page: Page) -> None:
    # the floor keeps redrawing while a course is called: a click never finds it stable
    await page.dispatch_event(".table[data-table='12']", "click")
    await expect(page.locator(".lines li")).to_have_count(2)


async def _a_line(page: Page) -> None:
    await _the_check(page)
    await page.click(".lines li:has-text('Tiramisu')")
    await expect(page.locator("#sheet")).to_be_visible()


async def _the_menu(page: Page) -> None:
    await _the_check(page)
    await page.click("div.actions > button:first-child")  # + Items
    await expect(page.locator("input[type=search]")).to_be_visible()


async def _an_item(page: Page) -> None:
    await _the_menu(page)
    await page.click("[data-item='Burrata']")
    await expect(page.locator("#sheet")).to_be_visible()


async def _the_bill(page: Page) -> None:
    await _the_check(page)
    await page.click("div.actions > button:last-child")  # Bill & pay
    await expect(page.locator(".part")).to_have_count(1)


async def _cash(page: Page) -> None:
    await _the_bill(page)
    await page.click(".part button >> nth=0")
    await expect(page.locator("#sheet [data-change]")).to_be_visible()


async def _my_shifts(page: Page) -> None:
    await page.click("#my-shifts-button")
    await expect(page.locator("#clock")).to_be_visible()


# the kitchen screen and the pass


async def _tickets(demo: Demo) -> int:
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
    return int(other["id"])


async def _kitchen(demo: Demo) -> str:
    await _tickets(demo)
    return "/app/kitchen?station=hot"


async def _the_pass(demo: Demo) -> str:
    other = await _tickets(demo)
    [burger] = [
        t
        for t in (await demo.call("GET", "/api/kitchen/tickets", "kitchen")).json()["tickets"]
        if t["check_id"] == other
    ]
    r = await demo.call("POST", f"/api/kitchen/tickets/{burger['id']}/bump", "kitchen")
    assert r.status_code == 200, r.text
    return "/app/kitchen?mode=expo"


async def _call_a_course(page: Page) -> None:
    await expect(page.locator(".ticket")).to_have_count(2)
    await page.click("button.pickup")
    await expect(page.locator(".expo-course.pickup .state")).to_be_visible()


# the host stand


async def bookings(demo: Demo) -> str:
    """A booking and a walk-in on today's book; the host stand's path."""
    [(today,)] = await demo.sql(
        "SELECT (now() AT TIME ZONE timezone)::date FROM venues WHERE id = :v", v=demo.venue_id
    )
    found = await demo.call("GET", f"/api/reservations/availability?date={today}&party_size=2")
    assert found.status_code == 200, found.text
    slots = found.json()["slots"]
    assert slots, "no free time left today"
    r = await demo.call(
        "POST",
        "/api/reservations",
        "host",
        json={
            "name": "Weber",
            "party_size": 2,
            "starts_at": slots[-1]["starts_at"],
            "allergens": ["nuts"],
            "phone": "+49 30 555 1234",
        },
    )
    assert r.status_code == 201, r.text
    r = await demo.call("POST", "/api/waitlist", "host", json={"name": "Rossi", "party_size": 2})
    assert r.status_code == 201, r.text
    return "/app/host"


def host_tab(tab: str) -> Action:
    async def open_it(page: Page) -> None:
        await expect(page.locator("#side .wait")).to_contain_text("Rossi")
        await page.click(f"#side .tabs button[data-tab='{tab}']")
        if tab == "book":
            await page.click("#side h2 + button")  # Find free times
            await expect(page.locator("#side .slots button").first).to_be_visible()
        await page.wait_for_timeout(200)

    return open_it


async def _a_reservation(page: Page) -> None:
    await page.locator(".resv", has_text="Weber").click()
    await expect(page.locator("#sheet")).to_be_visible()


# the pickup screen and the public order page


async def _an_order(demo: Demo) -> dict[str, Any]:
    ratelimit._windows.counts.clear()
    await online(demo)
    body = {
        "name": "Carla",
        "email": "carla@example.org",
        "pickup_at": next_local(19, 30).isoformat(),
        "lines": [await line(demo, "Burger", "medium", "fries", "bacon")],
    }
    r = await demo.client.post("/api/public/venues/demo/orders", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _pickup(demo: Demo) -> str:
    await _an_order(demo)
    return "/app/pickup"


async def _order_page(demo: Demo) -> str:
    ratelimit._windows.counts.clear()
    await online(demo)
    return "/order/demo"


async def _order_status(demo: Demo) -> str:
    return str((await _an_order(demo))["status_url"])


async def _options(page: Page) -> None:
    await page.click(".menu-item[data-item='Burger'] button.primary")
    await expect(page.locator("#sheet")).to_be_visible()


async def _checkout(page: Page) -> None:
    await page.click(".menu-item[data-item='Burrata'] button.primary")
    await page.click("#checkout")
    pickup = next_local(19, 30)
    await page.select_option("#place select[name=day]", pickup.date().isoformat())
    slot = pickup.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    await page.wait_for_selector(f"#place option[value='{slot}']", state="attached")
    await page.select_option("#place select[name=pickup_at]", slot)


# the booking page and the booking's own page


async def _booking_page(demo: Demo) -> str:
    ratelimit._windows.counts.clear()
    return "/book/demo"


async def _a_slot(page: Page) -> None:
    await page.select_option("select[name='party_size']", "3")
    await page.locator(".slots button").first.click()


async def _a_booking(demo: Demo) -> str:
    ratelimit._windows.counts.clear()
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date().isoformat()
    found = await demo.client.get(f"/api/book/demo/availability?date={tomorrow}&party_size=3")
    assert found.status_code == 200, found.text
    r = await demo.client.post(
        "/api/book/demo/reservations",
        json={
            "name": "Ines Weber",
            "party_size": 3,
            "email": "ines@example.com",
            "allergens": ["nuts", "milk"],
            "starts_at": found.json()["slots"][0]["starts_at"],
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["manage_url"])


async def _changing(page: Page) -> None:
    await page.click(".choices button:not(.danger)")  # Change
    await expect(page.locator(".slots button").first).to_be_visible()
    await page.locator(".slots button").last.click()


async def _a_day(demo: Demo) -> str:
    await a_day_of_service(demo)
    return "/app/manager"


async def _a_day_closing(demo: Demo) -> str:
    """A day of service whose checks are all paid: the day can close (in each language:
    the second closing closes the next business day)."""
    await a_day_of_service(demo)
    for (check,) in await demo.sql(
        "SELECT id FROM checks WHERE venue_id = :v AND status = 'open'", v=demo.venue_id
    ):
        paid = await demo.call("POST", f"/api/checks/{check}/payments", json={"method": "cash"})
        assert paid.status_code == 201, paid.text
    return "/app/manager"


async def _z_report(page: Page) -> None:
    await section("day")(page)
    await page.fill("#view input[inputmode=decimal]", "20,00")
    page.once("dialog", lambda d: d.accept())
    await page.click("#view button.danger")
    await expect(page.locator("#view button.danger")).to_have_count(0)


async def a_day_of_service(demo: Demo) -> None:
    """Sales, a discount, a comp, a void, a tip, a roster, a promotion, a day-part price
    and a wage: something in every section of the manager's page."""

    async def ok(verb: str, path: str, role: str = "waiter", /, **body: object) -> dict[str, Any]:
        r = await demo.call(verb, path, role, json=body)
        assert r.status_code in (200, 201), r.text
        return dict(r.json()) if r.content else {}

    async def approval(action: str) -> str:
        return str((await ok("POST", "/api/auth/approve", pin="9999", action=action))["approval"])

    paid = await demo.open_check("3", covers=2)
    for item in ("Burrata", "Lasagne"):
        assert (await demo.add(paid["id"], item)).status_code == 201
    lines = (await ok("POST", f"/api/checks/{paid['id']}/send"))["lines"]
    await ok("POST", f"/api/checks/{paid['id']}/discounts", kind="amount", value=300,
             reason="late", line_id=lines[0]["id"])  # fmt: skip
    await ok("POST", f"/api/checks/{paid['id']}/payments", method="cash", tip=150)

    still_open = await demo.open_check("12", covers=3)
    for item in ("Lasagne", "Burrata", "Burrata"):
        assert (await demo.add(still_open["id"], item)).status_code == 201
    sent = (await ok("POST", f"/api/checks/{still_open['id']}/send"))["lines"]
    await ok("POST", f"/api/checks/{still_open['id']}/lines/{sent[0]['id']}/void",
             reason="guest changed mind", approval=await approval("void"))  # fmt: skip
    await ok("POST", f"/api/checks/{still_open['id']}/comps", line_id=sent[1]["id"],
             reason="birthday", approval=await approval("comp"))  # fmt: skip

    [(anna,)] = await demo.sql(
        "SELECT id FROM staff WHERE venue_id = :v AND name = 'Anna'", v=demo.venue_id
    )
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)
    await ok("POST", "/api/rosters/shifts", "manager", staff_id=anna, role="waiter",
             starts_at=start.isoformat(), ends_at=(start + dt.timedelta(hours=4)).isoformat(),
             break_minutes=30, station="bar")  # fmt: skip
    await ok("PUT", "/api/wages", "manager", staff_id=anna, hourly_wage=1450)
    menu = (await demo.call("GET", "/api/menu")).json()
    drinks = next(c for c in menu["categories"] if c["name"] == "Drinks")
    week = [1, 2, 3, 4, 5, 6, 7]
    await ok("POST", "/api/promotions", "manager", name="Happy hour", kind="percent_off",
             percent_bp=5000, category_ids=[drinks["id"]], item_ids=[],
             windows=[{"weekdays": week, "starts": "17:00:00", "ends": "19:00:00"}])  # fmt: skip
    await ok("POST", "/api/promotions", "manager", name="Lunch deal", kind="buy_n_get_m",
             buy=2, get=1, item_ids=[drinks["items"][0]["id"]], category_ids=[],
             windows=[{"weekdays": [1, 2, 3, 4, 5], "starts": "12:00:00", "ends": "14:00:00"}],
             starts_on=start.date().isoformat())  # fmt: skip
    await ok("POST", "/api/promotions/prices", "manager", item_id=drinks["items"][0]["id"],
             name="Early bird", price=300,
             windows=[{"weekdays": [6, 7], "starts": "16:00:00", "ends": "18:00:00"}])  # fmt: skip


MANAGER = "9999"
MANAGER_SECTIONS = (
    "reports", "live", "menu", "floor", "approvals", "day", "roster", "labour", "promotions",
    "guests", "accounting", "devices", "venue", "plan", "staff", "printers", "integrations",
    "auditfile",
)  # fmt: skip
"""Every section of the manager's page, by its key."""
HANDHELD = "1111"  # Anna, a waiter
KITCHEN = "3333"  # Dario, the kitchen
HOST = "2222"  # Clara, the host
SCREENS: list[Screen] = [
    Screen(
        "setup",
        "/app/setup",
        action=_show_setup_form,
        ready="#setup-done",
        allowed=frozenset({"XXXX-XXXX-XXXX"}),  # the setup code's pattern
    ),
    Screen("handheld floor", _a_check, HANDHELD, viewport=PHONE),
    Screen("handheld check", _a_check, HANDHELD, _the_check, viewport=PHONE),
    Screen("handheld line", _a_check, HANDHELD, _a_line, viewport=PHONE),
    Screen("handheld menu", _a_check, HANDHELD, _the_menu, viewport=PHONE),
    Screen("handheld item", _a_check, HANDHELD, _an_item, viewport=PHONE),
    Screen("handheld bill", _a_check, HANDHELD, _the_bill, viewport=PHONE),
    Screen("handheld cash", _a_check, HANDHELD, _cash, viewport=PHONE),
    Screen("handheld shifts", _a_check, HANDHELD, _my_shifts, viewport=PHONE),
    Screen("kitchen", _kitchen, KITCHEN),
    Screen("pass", _the_pass, KITCHEN),
    Screen("pass, a course called", _the_pass, KITCHEN, _call_a_course),
    *[
        Screen(f"host stand {tab}", bookings, HOST, host_tab(tab))
        for tab in ("waitlist", "book", "floor")
    ],
    Screen("host stand reservation", bookings, HOST, _a_reservation),
    Screen("pickup screen", _pickup, HOST),
    *[
        Screen(
            f"manager {key}",
            _a_day,
            MANAGER,
            section(key),
        )
        for key in MANAGER_SECTIONS
    ],
    Screen("manager Z report", _a_day_closing, MANAGER, _z_report),
    *[
        Screen(
            f"menu editor {key}",
            "/app/manager/menu",
            MANAGER,
            section(key),
        )
        for key in ("items", "groups", "schedules", "stations", "transfer")
    ],
    Screen("menu editor item form", "/app/manager/menu", MANAGER, _item_form),
    Screen("guest bill", _guest_link, viewport=PHONE, ready=".tips"),
    Screen("table ordering", _order_link, viewport=PHONE, ready=".order-item"),
    Screen("order page", _order_page, viewport=PHONE, ready=".menu-item"),
    Screen("order page options", _order_page, None, _options, PHONE, ready=".menu-item"),
    Screen("order page checkout", _order_page, None, _checkout, PHONE, ready=".menu-item"),
    Screen("order status", _order_status, viewport=PHONE, ready="#state"),
    Screen("booking page", _booking_page, viewport=PHONE, ready=".slots button"),
    Screen("booking page form", _booking_page, None, _a_slot, PHONE, ready=".slots button"),
    Screen("booking", _a_booking, viewport=PHONE, ready=".booking"),
    Screen("booking change", _a_booking, None, _changing, PHONE, ready=".booking"),
]
"""Every page, signed in as its user, with something on it: each is read whole, in
Dutch and in German (docs/i18n.md)."""
