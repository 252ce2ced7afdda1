"""The host stand keeps its state from the live events: bookings, seatings, the waitlist
and tables turning free, made by others, reach it without it reading the book, the
waitlist or the floor again; a stand whose socket dropped catches up from the replay and
ends as one that never dropped."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.async_api import Page, Request, ViewportSize, expect

from tests.conftest import Demo
from tests.pages.conftest import NewDevice

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

TABLET: ViewportSize = {"width": 1280, "height": 800}
LISTS = re.compile(r"/api/(floor|waitlist|reservations)(\?|$)")
"""The reads of the floor, the waitlist and a day's book (not the free times)."""

DROPPABLE = """(() => {
  const Native = window.WebSocket;
  const sockets = [];
  window.socketsBlocked = false;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(window.socketsBlocked ? url.replace(/\\/ws$/, "/ws-unreachable") : url, protocols);
      sockets.push(this);
    }
  };
  window.dropSockets = () => {
    window.socketsBlocked = true;
    sockets.splice(0).forEach((s) => s.close());
  };
})()"""
"""Lets a test cut the page's sockets and keep it from reconnecting until it says so."""

STATE = """() => ({
  heading: document.querySelector('#book h2').textContent,
  book: [...document.querySelectorAll('#book .resv')].map((e) =>
    [e.dataset.reservation, e.className, e.textContent, e.title, e.style.left, e.style.width,
     e.closest('.lane').previousElementSibling.textContent]),
  tables: [...document.querySelectorAll('#book .tname')]
    .map((e) => e.className + ' ' + e.textContent),
  side: document.querySelector('#side').innerText.replace(/waited \\d+ min/g, 'waited'),
  floor: [...document.querySelectorAll('#side .table')]
    .map((e) => [e.dataset.table, e.dataset.status, e.textContent]),
})"""
"""What a host sees: the book, the tables' states, the open side panel."""


def count_reads(page: Page) -> list[str]:
    reads: list[str] = []

    def seen(request: Request) -> None:
        if request.method == "GET" and LISTS.search(request.url):
            reads.append(request.url)

    page.on("request", seen)
    return reads


async def opened(page: Page) -> Page:
    await expect(page.locator("#book .timeline")).to_be_visible()
    await page.wait_for_load_state("networkidle")
    return page


async def free_times(demo: Demo, party: int, at_least: int) -> tuple[str, list[str]]:
    """A day with ``at_least`` free times for ``party``: today, or tomorrow late at night."""
    [(today,)] = await demo.sql(
        "SELECT (now() AT TIME ZONE v.timezone)::date FROM venues v WHERE v.id = :v",
        v=demo.venue_id,
    )
    for day in (today, today + dt.timedelta(days=1)):
        found = await demo.call(
            "GET", f"/api/reservations/availability?date={day}&party_size={party}", "host"
        )
        assert found.status_code == 200, found.text
        times = [s["starts_at"] for s in found.json()["slots"]]
        if len(times) >= at_least:
            return day.isoformat(), times
    raise AssertionError("no free times today or tomorrow")


async def show_day(page: Page, day: str) -> None:
    """The host picks the day (the one reading a day change makes, before counting)."""
    if await page.input_value("#day") != day:
        await page.fill("#day", day)
        await page.dispatch_event("#day", "change")
        await page.wait_for_load_state("networkidle")


async def book(demo: Demo, name: str, starts_at: str) -> dict[str, Any]:
    r = await demo.call(
        "POST",
        "/api/reservations",
        "host",
        json={"name": name, "party_size": 2, "starts_at": starts_at},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def post(demo: Demo, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    r = await demo.call("POST", path, "host", json=body)
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


async def pay_and_clean(demo: Demo, check_id: int, table_id: int) -> None:
    """The guests order and pay elsewhere and the table is cleaned: it turns free."""
    assert (await demo.add(check_id, "Burrata")).status_code == 201
    r = await demo.call("POST", f"/api/checks/{check_id}/payments", json={"method": "cash"})
    assert r.status_code in (200, 201), r.text
    [(state,)] = await demo.sql("SELECT status FROM dining_tables WHERE id = :t", t=table_id)
    if state == "to_clean":
        await post(demo, f"/api/tables/{table_id}/clean")


async def first_area_table(demo: Demo, taken: list[int]) -> dict[str, Any]:
    floor = (await demo.call("GET", "/api/floor", "host")).json()
    return next(
        t for t in floor["areas"][0]["tables"] if t["status"] == "free" and t["id"] not in taken
    )


async def test_the_host_stand_follows_others_changes_without_reading_the_lists_again(
    demo: Demo, new_device: NewDevice
) -> None:
    host = await opened(await (await new_device(TABLET)).open("/app/host", pin="2222"))
    day, times = await free_times(demo, 2, 1)
    await show_day(host, day)
    reads = count_reads(host)

    # a booking made on another device
    weber = await book(demo, "Weber", times[-1])
    resv = host.locator(f".resv[data-reservation='{weber['id']}']")
    await expect(resv).to_have_text(re.compile("Weber \\(2\\)"))
    await expect(host.locator("#book h2")).to_contain_text("Reservations · 1 · 2 covers")

    # a walk-in put on the waitlist
    rossi = await post(demo, "/api/waitlist", {"name": "Rossi", "party_size": 2})
    wait = host.locator(f"#side .wait[data-entry='{rossi['id']}']")
    await expect(wait).to_contain_text("1. Rossi (2)")
    await expect(host.locator("#side h2").first).to_have_text("Waitlist · 1")

    # the booking is seated: its bar on the timeline turns seated
    await post(demo, f"/api/reservations/{weber['id']}/seat")
    await expect(resv).to_have_class(re.compile("seated"))

    # the walk-in is seated on a table of the first area: it leaves the list, the table fills
    table = await first_area_table(demo, weber["table_ids"])
    seated = await post(demo, f"/api/waitlist/{rossi['id']}/seat", {"table_id": table["id"]})
    await expect(wait).to_have_count(0)
    await expect(host.locator("#side")).to_contain_text("Nobody is waiting.")
    await host.click("#side .tabs button[data-tab='floor']")
    plan = host.locator(f"#side .table[data-table='{table['name']}']")
    await expect(plan).to_have_attribute("data-status", "seated")

    # the party pays and the table is cleaned: it turns free on the plan and the timeline
    await pay_and_clean(demo, seated["check_id"], table["id"])
    await expect(plan).to_have_attribute("data-status", "free")
    name = host.locator("#book .tname", has_text=re.compile(f"^{re.escape(table['name'])}$"))
    await expect(name).to_have_class(re.compile("s-free"))

    assert reads == [], reads


async def test_a_host_stand_whose_socket_dropped_through_ten_changes_ends_as_one_that_did_not(
    demo: Demo, new_device: NewDevice
) -> None:
    steady = await opened(await (await new_device(TABLET)).open("/app/host", pin="2222"))
    device = await new_device(TABLET)
    await device.context.add_init_script(DROPPABLE)
    dropped = await opened(await device.open("/app/host", pin="2222"))
    day, times = await free_times(demo, 2, 3)
    for page in (steady, dropped):
        await show_day(page, day)
    reads = count_reads(steady), count_reads(dropped)

    await dropped.evaluate("window.dropSockets()")
    await expect(dropped.locator("body")).to_have_attribute("data-live", "offline")

    a = await book(demo, "Adler", times[-1])  # 1
    b = await book(demo, "Berg", times[-2])  # 2
    await book(demo, "Conti", times[-3])  # 3
    await post(demo, f"/api/reservations/{b['id']}/cancel")  # 4
    w1 = await post(demo, "/api/waitlist", {"name": "Dorn", "party_size": 2})  # 5
    w2 = await post(demo, "/api/waitlist", {"name": "Ernst", "party_size": 3})  # 6
    table = await first_area_table(demo, [])
    seated = await post(demo, f"/api/waitlist/{w1['id']}/seat", {"table_id": table["id"]})  # 7
    await post(demo, f"/api/waitlist/{w2['id']}/cancel")  # 8
    await post(demo, f"/api/reservations/{a['id']}/confirm")  # 9
    await pay_and_clean(demo, seated["check_id"], table["id"])  # 10 (and the cleaning)

    await expect(steady.locator(".resv.confirmed", has_text="Adler")).to_be_visible()
    await expect(steady.locator("#side")).to_contain_text("Nobody is waiting.")
    assert await dropped.locator(".resv", has_text="Adler").count() == 0  # it missed them

    await dropped.evaluate("window.socketsBlocked = false")
    await expect(dropped.locator("body")).to_have_attribute("data-live", "live", timeout=30000)
    await expect(dropped.locator(".resv.confirmed", has_text="Adler")).to_be_visible()
    await expect(dropped.locator(".resv.cancelled", has_text="Berg")).to_be_visible()
    for tab in ("waitlist", "floor"):
        for page in (steady, dropped):
            await page.click(f"#side .tabs button[data-tab='{tab}']")
        await expect(dropped.locator("#side .tabs button[data-tab].on")).to_have_attribute(
            "data-tab", tab
        )
        seen = await steady.evaluate(STATE)
        assert await dropped.evaluate(STATE) == seen
    assert {r[2][6:] for r in seen["book"]} == {"Adler (2)", "Berg (2)", "Conti (2)"}
    assert reads == ([], []), reads
