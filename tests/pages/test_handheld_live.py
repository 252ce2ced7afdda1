"""Two handhelds on one venue (issue #19): what one waiter does reaches the other's floor
and open check as events the page applies, with no read of the floor or the check after
the start; a handheld is sent the events of the check it holds, not every check's; and a
socket dropped through ten changes ends on the same screen as one that never dropped."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.conftest import Demo
from tests.kitchen.support import send
from tests.pages.conftest import PHONE, Device, NewDevice

pytestmark = pytest.mark.browser

READS = re.compile(r"/api/(floor|checks/\d+)$")
"""The reads a handheld made on every event before: the floor and the open check."""

# every socket the page opens, and a switch that drops them and keeps them from
# reconnecting (a blocked attempt fails as a lost network would: closed with 1006)
SOCKETS = """() => {
  const Real = window.WebSocket;
  window.sockets = []; window.blocked = false;
  window.WebSocket = class extends Real {
    constructor(url, ...rest) {
      if (window.blocked) {
        const lost = { send() {}, close() {} };
        setTimeout(() => lost.onclose && lost.onclose({ code: 1006, reason: "" }), 20);
        return lost;
      }
      super(url, ...rest);
      window.sockets.push(this);
    }
  };
}"""


def reads(page: Page) -> list[str]:
    """Record the page's GETs of the floor and of checks from now on."""
    seen: list[str] = []
    page.on(
        "request",
        lambda r: seen.append(r.url) if r.method == "GET" and READS.search(r.url) else None,
    )
    return seen


async def handheld(new_device: NewDevice, pin: str) -> tuple[Device, Page]:
    device = await new_device(PHONE)
    return device, await device.open("/app/handheld", pin=pin)


async def add_from_menu(page: Page, item: str) -> None:
    await page.fill("input[type=search]", item)
    await page.click(f"[data-item='{item}']")
    await page.click("#sheet button:text-is('Add')")
    await expect(page.locator("#sheet")).to_be_hidden()


@pytest.mark.timeout(180)
async def test_a_second_handheld_follows_the_first_without_asking(
    demo: Demo, new_device: NewDevice
) -> None:
    _, anna = await handheld(new_device, "1111")
    _, ben = await handheld(new_device, "1112")
    await expect(ben.locator(".table[data-table='12']")).to_have_attribute("data-status", "free")

    # Anna seats two at 12: Ben's floor shows the covers and the waiter from the event
    await anna.click(".table[data-table='12']")
    await anna.click("#sheet .choices button:text-is('2')")
    await expect(anna.locator("input[type=search]")).to_be_visible()
    table = ben.locator(".table[data-table='12']")
    await expect(table).to_have_attribute("data-status", "seated")
    await expect(table).to_contain_text("2p · Anna")
    await table.click()
    await expect(ben.locator(".head h2")).to_contain_text("Table 12")
    asked = reads(ben)

    # Anna orders, sends, orders again and voids that line, then takes cash
    await add_from_menu(anna, "Burrata")
    await add_from_menu(anna, "Tiramisu")
    await expect(ben.locator(".lines li.pending")).to_have_count(2)
    await anna.click("button:has-text('Done')")
    await anna.click("button.primary:has-text('Send')")
    await expect(ben.locator(".lines li.sent")).to_have_count(2)
    await expect(ben.locator(".legend")).to_have_count(0)  # Ben stayed on the check
    await anna.click("button:has-text('+ Items')")
    await add_from_menu(anna, "Burrata")
    await anna.click("button:has-text('Done')")
    await expect(ben.locator(".lines li.pending")).to_have_count(1)
    await anna.click(".lines li.pending")
    await anna.click("#sheet button:has-text('Void…')")
    await anna.click("#sheet button.danger:text-is('Void')")
    await expect(ben.locator(".lines li.voided")).to_have_count(1)
    check_id = int((await ben.locator(".head .muted").inner_text()).lstrip("#"))
    check = (await demo.call("GET", f"/api/checks/{check_id}")).json()
    subtotal = ben.locator(".amount.total")
    await expect(subtotal).to_have_text(
        re.compile(f"{check['subtotal'] // 100}\\.{check['subtotal'] % 100:02d}")
    )

    await anna.click("button:has-text('Bill & pay')")
    await anna.click(".part button:has-text('Cash')")
    await anna.click("#sheet button:has-text('Take cash')")
    await expect(ben.locator("[data-closed]")).to_be_visible()
    await ben.click("button:has-text('← Floor')")
    await expect(ben.locator(".table[data-table='12']")).to_have_attribute(
        "data-status", "to_clean"
    )

    # nothing was read again, and the lines Ben saw are the check's
    assert asked == []
    [(states,)] = await demo.sql(
        "SELECT array_agg(state ORDER BY id) FROM check_lines WHERE check_id = :c", c=check_id
    )
    assert sorted(states) == ["sent", "sent", "voided"]


@pytest.mark.timeout(120)
async def test_a_handheld_is_not_sent_the_lines_of_a_check_it_does_not_hold(
    demo: Demo, new_device: NewDevice
) -> None:
    held = await demo.open_check("12", covers=2)
    other = await demo.open_check("11", covers=4)
    device = await new_device(PHONE)
    frames: list[dict[str, Any]] = []
    device.page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda payload: frames.append(json.loads(payload))),
    )
    page = await device.open("/app/handheld", pin="1111")
    await page.click(".table[data-table='12']")
    await expect(page.locator(".head h2")).to_contain_text("Table 12")

    assert (await demo.add(other["id"], "Tiramisu")).status_code == 201
    await send(demo, other["id"])
    assert (await demo.add(held["id"], "Burrata")).status_code == 201
    await expect(page.locator(".lines li")).to_have_count(1)

    def of(check_id: int) -> list[str]:
        return [f["type"] for f in frames if (f.get("data") or {}).get("check_id") == check_id]

    assert of(held["id"]) == ["line.added"]
    assert "line.added" not in of(other["id"]) and "order.sent" not in of(other["id"])
    # the other table's state still reaches the floor
    assert "table.status_changed" in of(other["id"])


async def _blocked(page: Page, blocked: bool) -> None:
    await page.evaluate(
        "(b) => { window.blocked = b; if (b) window.sockets.forEach((s) => s.close()); }",
        blocked,
    )


@pytest.mark.timeout(180)
async def test_a_socket_dropped_through_ten_changes_ends_like_one_that_never_dropped(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    _, steady = await handheld(new_device, "1111")
    dropped_device = await new_device(PHONE)
    await dropped_device.page.add_init_script(f"({SOCKETS})()")
    dropped = await dropped_device.open("/app/handheld", pin="1112")
    for page in (steady, dropped):
        await page.click(".table[data-table='12']")
        await expect(page.locator(".lines li")).to_have_count(1)
    asked = reads(dropped)

    await _blocked(dropped, True)
    await dropped.wait_for_selector("body[data-live='offline']")
    # ten changes while it is away: lines, a send, an edit, a void, another table
    lines = [
        (await demo.add(check["id"], item)).json()["lines"][-1]
        for item in ("Tiramisu", "Burrata", "Tiramisu")
    ]  # 3
    await send(demo, check["id"])  # 4 (and the floor's "ordered")
    r = await demo.call(
        "PATCH", f"/api/checks/{check['id']}/lines/{lines[0]['id']}", json={"quantity": 2}
    )
    assert r.status_code == 409  # a sent line is not edited: nothing changes
    assert (await demo.add(check["id"], "Burrata", seat=1)).status_code == 201  # 5
    pending = (await demo.call("GET", f"/api/checks/{check['id']}")).json()["lines"][-1]
    r = await demo.call(
        "PATCH", f"/api/checks/{check['id']}/lines/{pending['id']}", json={"quantity": 3}
    )
    assert r.status_code == 200, r.text  # 6
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/lines/{pending['id']}/void",
        json={"reason": "changed"},
    )
    assert r.status_code == 200, r.text  # 7
    r = await demo.call(
        "PUT", f"/api/checks/{check['id']}/allergies", json={"allergens": ["gluten"]}
    )
    assert r.status_code in (200, 204), r.text  # 8
    await demo.open_check("11", covers=3)  # 9
    assert (await demo.add(check["id"], "Tiramisu")).status_code == 201  # 10
    await expect(steady.locator(".lines li")).to_have_count(6)

    await _blocked(dropped, False)
    await expect(dropped.locator(".lines li")).to_have_count(6, timeout=20000)
    await expect(dropped.locator(".allergy-band")).to_be_visible()
    assert await dropped.inner_text("#main") == await steady.inner_text("#main")
    await dropped.click("button:has-text('← Floor')")
    await steady.click("button:has-text('← Floor')")
    assert await dropped.inner_text("#main") == await steady.inner_text("#main")
    await expect(dropped.locator(".table[data-table='11']")).to_contain_text("3p")
    assert asked == []
