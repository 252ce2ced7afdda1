"""The screens on a Friday night (issue #20): a kitchen screen of 1280x800 keeps every
open ticket in reach, by touch and by a bump bar's keys; the pass calls a course up and
the waiter's handheld shows it; a handheld reloads and starts without a network and
sends what it took once; the host's timeline and the manager's live figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, ViewportSize, expect

from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice

pytestmark = pytest.mark.browser

TABLET: ViewportSize = {"width": 1280, "height": 800}
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
TABLES = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]


async def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / name))


async def send_order(demo: Demo, table: str, *items: str) -> int:
    check = await demo.open_check(table, covers=2)
    for item in items:
        r = await demo.add(check["id"], item, note="no salt" if item == "Lasagne" else "")
        assert r.status_code == 201, r.text
    r = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert r.status_code == 200, r.text
    return int(check["id"])


# the tickets whose whole card is inside the screen's ticket area now
ON_SCREEN = """() => {
  const area = document.querySelector('#pages').getBoundingClientRect();
  return [...document.querySelectorAll('#tickets .ticket')].filter((t) => {
    const b = t.getBoundingClientRect();
    return b.width > 0 && b.left >= area.left - 1 && b.right <= area.right + 1
      && b.top >= area.top - 1 && b.bottom <= area.bottom + 1;
  }).map((t) => t.dataset.ticket);
}"""


@pytest.mark.timeout(240)
async def test_twelve_tickets_at_1280x800_are_all_reachable_by_page_and_bump_bar(
    demo: Demo, new_device: NewDevice
) -> None:
    for table in TABLES:
        await send_order(demo, table, "Lasagne", "Risotto ai funghi", "Vegan curry")
    kitchen = await (await new_device(TABLET)).open("/app/kitchen?station=hot", pin="3333")
    await expect(kitchen.locator("#tickets .ticket")).to_have_count(12)
    numbers = await kitchen.locator("#tickets .ticket").evaluate_all(
        "(ts) => ts.map((t) => t.dataset.ticket)"
    )
    first_page = await kitchen.evaluate(ON_SCREEN)
    assert 0 < len(first_page) < 12, first_page
    count = kitchen.locator("#page-count")
    await expect(count).to_contain_text("Page 1 of")
    await shot(kitchen, "kitchen-12.png")

    seen = set(first_page)
    next_page = kitchen.locator("#page-next")
    for _ in range(12):
        if not await next_page.is_enabled():
            break
        await next_page.click()
        seen |= set(await kitchen.evaluate(ON_SCREEN))
    assert seen == set(numbers)  # every ticket whole on some page, by touch

    # the bump bar: End selects the last ticket, on its page; Enter bumps it
    await kitchen.locator("#page-prev").click()
    await kitchen.keyboard.press("End")
    last = kitchen.locator(f".ticket[data-ticket='{numbers[-1]}']")
    await expect(last).to_be_focused()
    assert numbers[-1] in await kitchen.evaluate(ON_SCREEN)
    await kitchen.keyboard.press("Home")
    await kitchen.keyboard.press("ArrowRight")
    await expect(kitchen.locator(f".ticket[data-ticket='{numbers[1]}']")).to_be_focused()
    await kitchen.keyboard.press("1")
    await expect(kitchen.locator(f".ticket[data-ticket='{numbers[0]}']")).to_be_focused()
    await kitchen.keyboard.press("Enter")
    await expect(kitchen.locator(".ticket")).to_have_count(11)  # bumped off the screen
    await expect(kitchen.locator("#summary")).to_contain_text("11 tickets")
    await expect(kitchen.locator(f".ticket[data-ticket='{numbers[1]}']")).to_be_focused()
    bumped = await demo.sql(
        "SELECT number FROM kitchen_tickets WHERE venue_id = :v AND state = 'bumped'",
        v=demo.venue_id,
    )
    assert [str(b[0]) for b in bumped] == [numbers[0]]
