"""The kitchen screen keeps itself by the events it is sent (issue #19): a screen whose
socket drops through twenty changes catches up from the replay on its reconnect and ends
identical to one that never dropped, and neither re-reads its tickets to get there."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest
from playwright.async_api import Page, Request

from tests.conftest import Demo
from tests.kitchen.support import by_name, screen, send
from tests.pages.conftest import KDS, NewDevice

pytestmark = pytest.mark.browser

# the page's sockets, and a switch that points new ones where no socket answers (a dead
# network, as far as the page can tell)
CUT = """(() => {
  const Real = window.WebSocket;
  window.__sockets = [];
  window.__down = false;
  window.WebSocket = function (url, protocols) {
    const to = window.__down ? url.replace(new RegExp("/ws$"), "/ws-down") : url;
    const s = new Real(to, protocols);
    window.__sockets.push(s);
    return s;
  };
  window.WebSocket.prototype = Real.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})()"""

# what a cook sees: each ticket card (its timer aside), its items, the all-day counts
SEEN = """() => ({
  tickets: [...document.querySelectorAll('#tickets .ticket')].map((card) => ({
    id: card.dataset.id,
    label: card.getAttribute('aria-label'),
    classes: [...card.classList].sort().join(' '),
    head: [...card.querySelectorAll('header span:not(.timer)')].map((s) => s.textContent),
    items: [...card.querySelectorAll('li')].map((li) => `${li.className}|${li.textContent}`),
  })),
  allDay: document.querySelector('#allday').innerText,
  summary: document.querySelector('#summary').textContent,
})"""

READS = ("/api/kitchen/tickets", "/api/kitchen/all-day", "/api/kitchen/expo")


def reads_of(page: Page) -> list[str]:
    """The screen's reads of tickets and counts from now on."""
    seen: list[str] = []

    def note(request: Request) -> None:
        if any(path in request.url for path in READS):
            seen.append(request.url)

    page.on("request", note)
    return seen


async def settled(a: Page, b: Page) -> tuple[Any, Any]:
    """What the two screens show, once they show the same (or after 15 s)."""
    for _ in range(150):
        seen_a, seen_b = await a.evaluate(SEEN), await b.evaluate(SEEN)
        if seen_a == seen_b:
            break
        await asyncio.sleep(0.1)
    return seen_a, seen_b


async def ok(change: Awaitable[Any]) -> Any:
    r = await change
    assert r.status_code in (200, 201), r.text
    return r.json()


async def twenty_changes(demo: Demo) -> None:
    """Sends, starts, bumps, a void, a fire, recalls, allergies, a transfer, the pass's
    calls: twenty-two changes to the hot station and the pass."""
    post, kitchen = demo.call, "kitchen"
    changes = 0

    async def change(made: Awaitable[Any]) -> Any:
        nonlocal changes
        changes += 1
        return await made

    a = await demo.open_check("1", covers=2)
    await demo.add(a["id"], "Lasagne", course="starter")
    await demo.add(a["id"], "Ribeye", 2, ("rare", "fries"), seat=1)
    voided = await demo.add(a["id"], "Calamari fritti")
    await change(send(demo, a["id"]))  # 1: a send (its main held)
    b = await demo.open_check("2", covers=3, role="waiter2")
    await demo.add(b["id"], "Burger", 1, ("medium", "fries", "bacon"), role="waiter2")
    await demo.add(b["id"], "Risotto ai funghi", role="waiter2", note="no parsley")
    await change(send(demo, b["id"], role="waiter2"))  # 2
    hot = {t["check_id"]: t for t in await screen(demo, "hot")}
    ta, tb = hot[a["id"]], hot[b["id"]]
    await change(ok(post("POST", f"/api/kitchen/tickets/{tb['id']}/start", kitchen)))  # 3
    lasagne = by_name(ta)["Lasagne"]["id"]
    await change(ok(post("POST", f"/api/kitchen/tickets/{ta['id']}/items/{lasagne}/bump", kitchen)))
    await change(ok(post("POST", f"/api/checks/{a['id']}/fire", json={"course": "main"})))  # 5
    approval = await ok(post("POST", "/api/auth/approve", json={"pin": "9999", "action": "void"}))
    line = next(x for x in voided.json()["lines"] if x["name"] == "Calamari fritti")
    await change(
        ok(
            post(
                "POST",
                f"/api/checks/{a['id']}/lines/{line['id']}/void",
                json={"reason": "guest left", "approval": approval["approval"]},
            )
        )
    )  # 6: a void
    await change(ok(post("POST", f"/api/kitchen/tickets/{tb['id']}/bump", kitchen)))  # 7
    await change(ok(post("POST", f"/api/kitchen/tickets/{tb['id']}/recall", kitchen)))  # 8
    await change(ok(post("POST", f"/api/kitchen/tickets/{ta['id']}/bump", kitchen)))  # 9
    await change(ok(post("POST", "/api/kitchen/recall", kitchen, json={"station": "hot"})))  # 10
    c = await demo.open_check("3", covers=2)
    await demo.add(c["id"], "Sirloin", 2, ("medium", "green salad"))
    await demo.add(c["id"], "Burger", 1, ("medium", "fries"))
    await change(send(demo, c["id"]))  # 11
    tc = next(t for t in await screen(demo, "hot") if t["check_id"] == c["id"])
    burger = by_name(tc)["Burger"]["id"]
    await change(ok(post("POST", f"/api/kitchen/tickets/{tc['id']}/items/{burger}/bump", kitchen)))
    await change(
        ok(
            post(
                "PUT",
                f"/api/checks/{c['id']}/allergies",
                json={"allergens": ["gluten"], "allergy_note": "no nuts"},
            )
        )
    )  # 13: the band
    d = await demo.open_check("4", covers=1)
    await demo.add(d["id"], "Lasagne")
    await change(send(demo, d["id"]))  # 14
    six = await demo.table_id("6")
    await change(ok(post("POST", f"/api/checks/{d['id']}/transfer", json={"table_id": six})))
    td = next(t for t in await screen(demo, "hot") if t["check_id"] == d["id"])
    await change(ok(post("POST", f"/api/kitchen/tickets/{td['id']}/start", kitchen)))  # 16
    await demo.add(a["id"], "Burger", 1, ("well done", "fries"))
    await change(send(demo, a["id"]))  # 17: more for a
    await change(ok(post("POST", f"/api/kitchen/tickets/{tc['id']}/bump", kitchen)))  # 18
    e = await demo.open_check("5", covers=4)
    await demo.add(e["id"], "Risotto ai funghi", 2)
    await change(send(demo, e["id"]))  # 19
    await change(ok(post("POST", f"/api/kitchen/tickets/{td['id']}/bump", kitchen)))  # 20
    await change(
        ok(post("POST", f"/api/kitchen/expo/{b['id']}/pickup", kitchen, json={"course": "main"}))
    )
    await change(
        ok(post("POST", f"/api/kitchen/expo/{b['id']}/served", kitchen, json={"course": "main"}))
    )
    assert changes == 22


@pytest.mark.timeout(240)
async def test_a_screen_that_dropped_through_twenty_changes_ends_as_one_that_did_not(
    demo: Demo, new_device: NewDevice
) -> None:
    dropping = await new_device(KDS)
    await dropping.context.add_init_script(CUT)
    cook = await dropping.open("/app/kitchen?station=hot", pin="3333")
    steady = await (await new_device(KDS)).open("/app/kitchen?station=hot", pin="3333")
    await cook.wait_for_selector("#allday h2")
    await steady.wait_for_selector("#allday h2")
    cook_reads, steady_reads = reads_of(cook), reads_of(steady)

    await cook.evaluate("window.__down = true; window.__sockets.forEach((s) => s.close())")
    await cook.wait_for_selector("body[data-live='offline']")

    await twenty_changes(demo)

    # the steady screen has it all already; the dropped one has not
    live = [t["id"] for t in await screen(demo, "hot")]
    assert [int(x["id"]) for x in (await steady.evaluate(SEEN))["tickets"]] == live
    assert await cook.locator("body[data-live='offline']").count() == 1
    assert await cook.evaluate(SEEN) != await steady.evaluate(SEEN)

    await cook.evaluate("window.__down = false")
    await cook.wait_for_selector("body[data-live='live']", timeout=20000)
    seen_cook, seen_steady = await settled(cook, steady)
    assert seen_cook == seen_steady
    assert [int(x["id"]) for x in seen_cook["tickets"]] == live
    assert "Risotto ai funghi" in seen_cook["allDay"]
    # the reconnect asked for what it missed (since) and applied it: no re-read
    assert cook_reads == [] and steady_reads == []


PASS_SEEN = """() => ({
  orders: [...document.querySelectorAll('#tickets .ticket')].map((card) => ({
    check: card.dataset.check,
    head: [...card.querySelectorAll('header span')].map((s) => s.textContent),
    allergy: card.querySelector('.allergy') && card.querySelector('.allergy').textContent,
    courses: [...card.querySelectorAll('.expo-course')].map((c) => ({
      course: c.dataset.course,
      classes: c.className,
      state: c.querySelector('.state').textContent,
      buttons: [...c.querySelectorAll('button')].map((b) => b.textContent),
      items: c.querySelector('.expo-items').textContent,
    })),
  })),
  summary: document.querySelector('#summary').textContent,
})"""


@pytest.mark.timeout(240)
async def test_a_pass_that_dropped_through_the_changes_ends_as_one_that_did_not(
    demo: Demo, new_device: NewDevice
) -> None:
    dropping = await new_device(KDS)
    await dropping.context.add_init_script(CUT)
    expo = await dropping.open("/app/kitchen?mode=expo", pin="3333")
    steady = await (await new_device(KDS)).open("/app/kitchen?mode=expo", pin="3333")
    await expo.wait_for_selector("#summary:not(:empty)")
    await steady.wait_for_selector("#summary:not(:empty)")
    expo_reads, steady_reads = reads_of(expo), reads_of(steady)

    await expo.evaluate("window.__down = true; window.__sockets.forEach((s) => s.close())")
    await expo.wait_for_selector("body[data-live='offline']")
    await twenty_changes(demo)
    server = (await demo.call("GET", "/api/kitchen/expo", "kitchen")).json()
    for _ in range(100):
        seen = await steady.evaluate(PASS_SEEN)
        if [int(o["check"]) for o in seen["orders"]] == [o["check_id"] for o in server["orders"]]:
            break
        await asyncio.sleep(0.1)
    assert [int(o["check"]) for o in seen["orders"]] == [o["check_id"] for o in server["orders"]]

    assert await expo.evaluate(PASS_SEEN) != seen  # the dropped pass missed them
    await expo.evaluate("window.__down = false")
    await expo.wait_for_selector("body[data-live='live']", timeout=20000)
    for _ in range(150):
        seen_expo, seen_steady = await expo.evaluate(PASS_SEEN), await steady.evaluate(PASS_SEEN)
        if seen_expo == seen_steady:
            break
        await asyncio.sleep(0.1)
    assert seen_expo == seen_steady
    # the transfer regroups the pass: one read for it, nothing else
    assert len(expo_reads) == 1 and len(steady_reads) == 1
