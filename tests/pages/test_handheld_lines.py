"""The handheld on a Friday night (issue #20): what a waiter does to a line after tapping
it, the seat and course kept from item to item, the quick grid that makes the standard
order short, the guest's QR code, and the place kept over a reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"

# every tap or click and every typed character, counted in the page from its start
COUNTER = """() => {
  window.taps = 0; window.typed = 0;
  addEventListener("click", () => { window.taps += 1; }, true);
  addEventListener("keydown", (e) => { if (e.key.length === 1) window.typed += 1; }, true);
}"""


async def handheld(new_device: NewDevice) -> Page:
    return await (await new_device(PHONE)).open("/app/handheld", pin="1111")


async def open_table(page: Page, table: str) -> None:
    await page.click(f".table[data-table='{table}']")
    await expect(page.locator(".head h2")).to_contain_text(f"Table {table}")


async def lines(demo: Demo, check_id: int) -> list[Any]:
    return await demo.sql(
        "SELECT name, quantity, seat, course, note, state, modifiers FROM check_lines "
        "WHERE check_id = :c ORDER BY id",
        c=check_id,
    )


def option_names(modifiers: list[dict[str, Any]]) -> list[str]:
    return [m["name"] for m in modifiers]


@pytest.mark.timeout(120)
async def test_a_pending_line_is_edited_where_it_is(demo: Demo, new_device: NewDevice) -> None:
    check = await demo.open_check("12", covers=2)
    r = await demo.add(check["id"], "Ribeye", options=("medium-rare", "fries"), seat=1)
    assert r.status_code == 201
    page = await handheld(new_device)
    await open_table(page, "12")
    await page.click(".lines li:has-text('Ribeye')")
    await page.click("#sheet button:has-text('Edit…')")
    await page.click("#sheet button:has-text('rare') >> nth=0")
    await page.click("#sheet button:has-text('truffle fries')")
    await page.click("#sheet .stepper button:has-text('+')")
    await page.click("#sheet h3:has-text('Seat') + .choices button:text-is('2')")
    await page.fill("#sheet input[aria-label='note for the kitchen']", "no salt")
    await page.click("#sheet button:has-text('Save')")
    await expect(page.locator(".lines li:has-text('Ribeye')")).to_contain_text("truffle fries")

    [(name, quantity, seat, course, note, state, modifiers)] = await lines(demo, check["id"])
    assert (name, quantity, seat, course, note, state) == (
        "Ribeye",
        2,
        2,
        "main",
        "no salt",
        "pending",
    )
    assert option_names(modifiers) == ["rare", "truffle fries"]
    bill = (await demo.call("GET", f"/api/checks/{check['id']}", "waiter")).json()
    assert bill["subtotal"] == 2 * (3450 + 250)


@pytest.mark.timeout(120)
async def test_a_line_moves_to_another_seat_and_course(demo: Demo, new_device: NewDevice) -> None:
    check = await demo.open_check("12", covers=4)
    assert (await demo.add(check["id"], "Burrata", seat=1)).status_code == 201
    page = await handheld(new_device)
    await open_table(page, "12")
    await page.click(".lines li:has-text('Burrata')")
    await page.click("#sheet [data-seat='3']")
    await expect(page.locator(".lines li:has-text('Burrata')")).to_contain_text("seat 3")
    await page.click(".lines li:has-text('Burrata')")
    await page.click("#sheet [data-course='main']")
    await expect(page.locator("h3.course-h:has-text('main') + ul")).to_contain_text("Burrata")
    [(_, _, seat, course, *_)] = await lines(demo, check["id"])
    assert (seat, course) == (3, "main")


@pytest.mark.timeout(120)
async def test_a_sent_line_and_the_last_round_are_ordered_again(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    r = await demo.add(check["id"], "Ribeye", options=("rare", "fries"), seat=2, note="no salt")
    assert r.status_code == 201
    assert (
        await demo.call("POST", f"/api/checks/{check['id']}/send", "waiter", json={})
    ).is_success
    page = await handheld(new_device)
    await open_table(page, "12")
    await page.click(".lines li.sent:has-text('Ribeye')")
    await expect(page.locator("#sheet button:has-text('Edit…')")).to_have_count(0)
    await page.click("#sheet button:has-text('Repeat')")
    await expect(page.locator(".lines li.pending")).to_have_count(1)
    await page.click(".actions button:has-text('Repeat round')")
    await expect(page.locator(".lines li.pending")).to_have_count(2)

    rows = await lines(demo, check["id"])
    assert [(q, seat, note, state) for _, q, seat, _, note, state, _ in rows] == [
        (1, 2, "no salt", "sent"),
        (1, 2, "no salt", "pending"),
        (1, 2, "no salt", "pending"),
    ]
    assert all(option_names(row[6]) == ["rare", "fries"] for row in rows)


@pytest.mark.timeout(120)
async def test_a_discount_over_the_limit_and_a_comp_ask_a_manager(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Ribeye", options=("rare", "fries"))).status_code == 201
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    page = await handheld(new_device)
    await open_table(page, "12")

    await page.click(".lines li:has-text('Ribeye')")
    await page.click("#sheet button:has-text('Discount…')")
    await page.click("#sheet button:has-text('50 %')")
    await page.click("#sheet .actions button:has-text('Discount')")
    await expect(page.locator("#sheet .error")).to_contain_text("approval")
    await page.fill("#sheet input[aria-label='manager PIN']", "9999")
    await page.click("#sheet .actions button:has-text('Discount')")
    await expect(page.locator("#toasts")).to_contain_text("Ribeye: 50 % off")

    await page.click(".lines li:has-text('Burrata')")
    await page.click("#sheet button:has-text('Comp…')")
    await page.fill("#sheet input[aria-label='manager PIN']", "9999")
    await page.click("#sheet .actions button:has-text('Comp')")
    await expect(page.locator("#toasts")).to_contain_text("Burrata comped")

    bill = (await demo.call("GET", f"/api/checks/{check['id']}/bill", "waiter")).json()
    assert [(d["kind"], d["value"]) for d in bill["discounts"]] == [("percent", 5000)]
    assert [c["name"] for c in bill["comps"]] == ["Burrata"]


@pytest.mark.timeout(120)
async def test_a_sent_line_is_voided_with_a_managers_pin(demo: Demo, new_device: NewDevice) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    assert (
        await demo.call("POST", f"/api/checks/{check['id']}/send", "waiter", json={})
    ).is_success
    page = await handheld(new_device)
    await open_table(page, "12")
    await page.click(".lines li:has-text('Burrata')")
    await page.click("#sheet button:has-text('Void…')")
    await page.fill("#sheet input[type=password]", "9999")
    await page.click("#sheet button.danger:has-text('Void')")
    await expect(page.locator(".lines li.voided")).to_have_count(1)
    assert [row[5] for row in await lines(demo, check["id"])] == ["voided"]


@pytest.mark.timeout(120)
async def test_the_check_moves_to_a_free_table_and_merges_into_a_busy_one(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    other = await demo.open_check("5", covers=2)
    assert (await demo.add(other["id"], "Tiramisu")).status_code == 201
    page = await handheld(new_device)
    await open_table(page, "12")
    await page.click(".lines li:has-text('Burrata')")
    await page.click("#sheet button:has-text('Move…')")
    await page.click("#sheet .table[data-table='14']")
    await expect(page.locator(".head h2")).to_contain_text("Table 14")
    await page.click(".actions button:has-text('Move…')")
    await page.click("#sheet .table[data-table='5']")
    await expect(page.locator(".head h2")).to_contain_text("Table 5")
    await expect(page.locator(".pane")).to_contain_text("Burrata")
    await expect(page.locator(".pane")).to_contain_text("Tiramisu")
    [(merged_into,)] = await demo.sql("SELECT merged_into FROM checks WHERE id = :c", c=check["id"])
    assert merged_into == other["id"]


@pytest.mark.timeout(120)
async def test_the_seat_and_a_chosen_course_stay_for_the_next_item(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=4)
    page = await handheld(new_device)
    await open_table(page, "12")
    await page.click(".actions button:has-text('+ Items')")
    await page.click("[data-item='Burrata']")
    await page.click("#sheet h3:has-text('Seat') + .choices button:text-is('2')")
    await page.click("#sheet h3:has-text('Course') + .choices button:text-is('main')")
    await page.click("#sheet .actions button:text-is('Add')")
    await page.click("[data-item='Tomato soup']")
    seat = page.locator("#sheet h3:has-text('Seat') + .choices button.on")
    await expect(seat).to_have_text("2")
    await expect(page.locator("#sheet h3:has-text('Course') + .choices button.on")).to_have_text(
        "main"
    )
    await page.click("#sheet .actions button:text-is('Add')")
    await page.click(".actions button:has-text('to send')")
    await expect(page.locator(".lines li.pending")).to_have_count(2)
    rows = await lines(demo, check["id"])
    assert [(name, seat, course) for name, _, seat, course, *_ in rows] == [
        ("Burrata", 2, "main"),
        ("Tomato soup", 2, "main"),
    ]


@pytest.mark.timeout(120)
async def test_the_standard_order_takes_twelve_taps_and_only_the_note_is_typed(
    demo: Demo, new_device: NewDevice
) -> None:
    # the venue's most ordered items make the quick grid
    busy = await demo.open_check("3", covers=4)
    assert (await demo.add(busy["id"], "Ribeye", 5, ("rare", "fries"))).status_code == 201
    assert (await demo.add(busy["id"], "Caesar salad", 5)).status_code == 201
    page = await handheld(new_device)
    await page.evaluate(COUNTER)

    await page.click(".table[data-table='12']")
    await page.click("#sheet .choices button:text-is('4')")
    await page.click("[data-quick='Ribeye']")
    await page.click("#sheet button:has-text('medium-rare')")
    await page.click("#sheet button:has-text('fries') >> nth=0")
    await page.click("#sheet h3:has-text('Seat') + .choices button:text-is('1')")
    await page.click("#sheet .actions button:text-is('Add')")
    await page.click("[data-quick='Caesar salad']")
    await page.click("#sheet button:has-text('no croutons')")
    await page.click("#sheet h3:has-text('Seat') + .choices button:text-is('3')")
    await page.click("#sheet input[aria-label='note for the kitchen']")
    await page.keyboard.type("nut allergy")
    await page.click("#sheet button:has-text('Send now')")
    await expect(page.locator("#toasts")).to_contain_text("Sent to the kitchen")

    assert await page.evaluate("window.taps") <= 12
    assert await page.evaluate("window.typed") == len("nut allergy")
    [(check_id, covers)] = await demo.sql(
        "SELECT c.id, c.covers FROM checks c JOIN dining_tables t ON t.venue_id = c.venue_id "
        "AND t.id = c.table_id WHERE t.name = '12' AND c.status = 'open'"
    )
    assert covers == 4
    rows = await lines(demo, check_id)
    assert [(n, q, seat, course, note, state) for n, q, seat, course, note, state, _ in rows] == [
        ("Ribeye", 1, 1, "main", None, "sent"),
        ("Caesar salad", 1, 3, "starter", "nut allergy", "sent"),
    ]
    assert [option_names(row[6]) for row in rows] == [["medium-rare", "fries"], ["no croutons"]]


@pytest.mark.timeout(120)
async def test_the_guest_link_is_a_qr_code_that_fits_the_phone(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    page = await handheld(new_device)
    await open_table(page, "12")
    await page.click("button:has-text('Bill & pay')")
    await page.click("button:has-text('Guest pays on phone')")
    qr = page.locator("#sheet img.qr")
    await expect(qr).to_be_visible()
    assert await qr.evaluate("(img) => img.complete && img.naturalWidth > 100")
    box = await qr.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # the address wraps inside the sheet instead of running off the screen
    assert await page.locator("#sheet").evaluate("(s) => s.scrollWidth <= s.clientWidth")
    link = page.locator("#sheet p.link a")
    assert "/guest/" in (await link.get_attribute("href") or "")
    await page.screenshot(path=str(SCREENS / "guest-qr.png"))


@pytest.mark.timeout(120)
async def test_the_cash_sheet_with_the_change(demo: Demo, new_device: NewDevice) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Ribeye", options=("medium-rare", "fries"))).is_success
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    page = await handheld(new_device)
    await open_table(page, "12")
    await page.click("button:has-text('Bill & pay')")
    await page.click(".part button:has-text('Cash')")
    await page.fill("#sheet input[name=tendered]", "60")
    await page.fill("#sheet input[name=tip]", "4")
    await expect(page.locator("#sheet [data-change]")).to_contain_text("8.00")
    await page.screenshot(path=str(SCREENS / "handheld-payment.png"))


@pytest.mark.timeout(120)
async def test_a_reload_keeps_the_open_check_the_menu_and_the_bill(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    page = await handheld(new_device)
    await open_table(page, "12")

    await page.reload()
    await expect(page.locator(".head h2")).to_contain_text("Table 12")
    await expect(page.locator(".lines")).to_contain_text("Burrata")

    await page.click(".actions button:has-text('+ Items')")
    await page.click(".tabs button:has-text('Desserts')")
    await page.reload()
    await expect(page.locator(".tabs button.on")).to_have_text("Desserts")
    await expect(page.locator("[data-item='Tiramisu']")).to_be_visible()

    await page.click(".head button:has-text('Check')")
    await page.click("button:has-text('Bill & pay')")
    await expect(page.locator(".head h2")).to_contain_text("Bill · table 12")
    await page.reload()
    await expect(page.locator(".head h2")).to_contain_text("Bill · table 12")
    await expect(page.locator(".part")).to_contain_text("€13.50")
