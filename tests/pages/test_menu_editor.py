"""The menu editor and a live menu in a real browser (issue #16): a manager creates a
category, a modifier group, a lunch schedule and an item with a required group and
allergens; a waiter's handheld sees a new item, an 86 and a schedule without a reload,
and refuses an 86'd item at "Add"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, Request, ViewportSize, expect

from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
DESKTOP: ViewportSize = {"width": 1440, "height": 900}


async def save_sheet(page: Page, what: str) -> None:
    await page.click(f"#sheet [data-save='{what}']")
    await expect(page.locator("#sheet")).to_be_hidden()


@pytest.mark.timeout(120)
async def test_a_manager_builds_a_lunch_item_in_the_menu_editor(
    demo: Demo, new_device: NewDevice
) -> None:
    page = await (await new_device(DESKTOP)).open("/app/manager/menu", pin="9999")

    await page.click("[data-section='schedules']")
    await page.click("[data-new='schedule']")
    await page.fill("#sheet [name='schedule-name']", "Lunch")
    await page.fill("#sheet [name='schedule-starts']", "11:30")
    await page.fill("#sheet [name='schedule-ends']", "15:00")
    await save_sheet(page, "schedule")
    await expect(page.locator("#view table")).to_contain_text("Mon Tue Wed Thu Fri")

    await page.click("[data-section='groups']")
    await page.click("[data-new='group']")
    await page.fill("#sheet [name='group-name']", "Dressing")
    await page.fill("#sheet [name='group-min']", "3")
    await page.fill("#sheet [name='group-max']", "1")
    await page.click("#sheet [data-save='group']")
    await expect(page.locator("#sheet .error")).to_contain_text("min_choices")  # refused, named
    await page.fill("#sheet [name='group-min']", "1")
    await page.fill("#sheet [name='group-options']", "vinaigrette\nyoghurt +0.50")
    await save_sheet(page, "group")
    await expect(page.locator("#view table")).to_contain_text("yoghurt")

    await page.click("[data-section='items']")
    await page.click("[data-new='category']")
    await page.fill("#sheet [name='category-name']", "Lunch specials")
    await save_sheet(page, "category")
    await expect(page.locator(".tabs button.on")).to_have_text("Lunch specials")

    await page.click("[data-new='item']")
    await page.fill("#sheet [name='item-name']", "Salade niçoise")
    await page.fill("#sheet [name='item-description']", "tuna, egg, olives")
    await page.fill("#sheet [name='item-price']", "14.50")
    await page.fill("#sheet [name='item-tax']", "7")
    for allergen in ("eggs", "fish", "mustard"):
        await page.check(f"#sheet [name='allergens'][value='{allergen}']")
    await page.check("#sheet [data-checks='groups'] label:has-text('Dressing') input")
    await page.check("#sheet [data-checks='item-schedules'] label:has-text('Lunch') input")
    await save_sheet(page, "item")
    row = page.locator("tr[data-item='Salade niçoise']")
    await expect(row).to_contain_text("Dressing")
    await expect(row).to_contain_text("Lunch")
    await expect(row).to_contain_text("mustard")

    menu = (await demo.call("GET", "/api/menu", "manager")).json()
    item = next(i for c in menu["categories"] for i in c["items"] if i["name"] == "Salade niçoise")
    assert item["price"] == 1450 and item["tax_rate_ppm"] == 70000
    assert item["allergens"] == ["eggs", "fish", "mustard"]
    assert [(g["name"], g["min_choices"]) for g in item["modifier_groups"]] == [("Dressing", 1)]
    lunch = next(s for s in menu["schedules"] if s["name"] == "Lunch")
    assert item["schedule_ids"] == [lunch["id"]] and lunch["weekdays"] == [1, 2, 3, 4, 5]

    await row.locator("button:has-text('Edit')").click()
    await expect(page.locator("#sheet [name='item-price']")).to_have_value("14.50")
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / "menu-editor.png"))


async def _menu_seq(demo: Demo) -> int:
    rows = await demo.sql(
        "SELECT max(seq) FROM events WHERE venue_id = :v AND type LIKE 'menu.%'", v=demo.venue_id
    )
    return int(rows[0][0])


async def _applied(page: Page, demo: Demo) -> None:
    """Wait until the handheld applied the latest menu event."""
    seq = await _menu_seq(demo)
    await page.wait_for_function(f"Number(document.body.dataset.menuSeq || 0) >= {seq}")


@pytest.mark.timeout(120)
async def test_a_handheld_sees_menu_changes_live_and_refuses_an_86_at_add(
    demo: Demo, new_device: NewDevice
) -> None:
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await phone.evaluate("window.notReloaded = true")
    await phone.click(".table[data-table='12']")
    await phone.click("#sheet .choices button:text-is('2')")
    await phone.click(".tabs button:has-text('Starters')")

    starters = (await demo.menu())["categories"][0]
    assert starters["name"] == "Starters"
    created = await demo.call(
        "POST",
        "/api/menu/items",
        "manager",
        json={
            "category_id": starters["id"],
            "name": "Soup of the day",
            "price": 690,
            "tax_rate_ppm": 70000,
            "position": 0,
        },
    )
    assert created.status_code == 201, created.text
    soup = phone.locator("[data-item='Soup of the day']")
    await expect(soup).to_be_visible()
    await expect(soup).to_contain_text("6.90")

    burrata = await demo.item("Burrata")
    r = await demo.call(
        "PATCH", f"/api/menu/items/{burrata['id']}", "kitchen", json={"available": False}
    )
    assert r.status_code == 200
    await expect(phone.locator("[data-item='Burrata']")).to_be_disabled()

    # the waiter has the soup open when the kitchen 86es it: "Add" refuses at once
    posts: list[str] = []
    phone.on("request", lambda q: posts.append(q.url) if _adds_line(q) else None)
    await soup.click()
    r = await demo.call(
        "PATCH",
        f"/api/menu/items/{created.json()['id']}",
        "kitchen",
        json={"available": False},
    )
    assert r.status_code == 200
    await _applied(phone, demo)
    await phone.click("#sheet button:has-text('Add')")
    await expect(phone.locator(".toast.error")).to_contain_text("86")
    await expect(phone.locator("#sheet")).to_be_hidden()
    assert posts == []

    # a lunch schedule that is not now hides the item
    local = dt.datetime.now(ZoneInfo("Europe/Berlin"))
    hours = [(local + dt.timedelta(hours=h)).strftime("%H:00:00") for h in (2, 3)]
    schedule = await demo.call(
        "POST",
        "/api/menu/schedules",
        "manager",
        json={
            "name": "Later",
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "starts": hours[0],
            "ends": hours[1],
        },
    )
    assert schedule.status_code == 201, schedule.text
    tomato = await demo.item("Tomato soup")
    r = await demo.call(
        "PATCH",
        f"/api/menu/items/{tomato['id']}",
        "manager",
        json={"version": tomato["version"], "schedule_ids": [schedule.json()["id"]]},
    )
    assert r.status_code == 200, r.text
    await expect(phone.locator("[data-item='Tomato soup']")).to_have_count(0)
    assert await phone.evaluate("window.notReloaded") is True


def _adds_line(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith("/lines")
