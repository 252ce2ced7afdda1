"""The manager's live figures follow the venue's events without asking the server again,
and end where a page opened afterwards starts (docs/live.md, "Page reducers")."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from playwright.async_api import Page, Request, Route, ViewportSize, expect

from tests.conftest import Demo
from tests.pages.conftest import NewDevice

pytestmark = pytest.mark.browser

TABLET: ViewportSize = {"width": 1280, "height": 800}


async def ok(demo: Demo, verb: str, path: str, /, **body: object) -> dict[str, Any]:
    """A waiter's request (the manager's approvals through the demo's manager PIN)."""
    r = await demo.call(verb, path, "waiter", json=body)
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


async def approval(demo: Demo, action: str) -> str:
    answer = await ok(demo, "POST", "/api/auth/approve", pin="9999", action=action)
    return str(answer["approval"])


async def check_of(demo: Demo, table: str, covers: int, *items: str) -> dict[str, Any]:
    check = await demo.open_check(table, covers=covers)
    for item in items:
        assert (await demo.add(check["id"], item)).status_code == 201
    return await ok(demo, "POST", f"/api/checks/{check['id']}/send")


async def live_figures(page: Page) -> str:
    await page.click("#nav button[data-section='live']")
    figures = page.locator("#view [data-live-figures]")
    await expect(figures).to_be_visible()
    return await figures.inner_text()


@pytest.mark.timeout(180)
async def test_the_live_figures_apply_a_waiters_changes_and_end_as_a_fresh_page_starts(
    demo: Demo, new_device: NewDevice
) -> None:
    before = await check_of(demo, "3", 2, "Burrata")  # 13.50 open since before the page
    manager = await (await new_device(TABLET)).open("/app/manager", pin="9999")
    await manager.wait_for_selector("body[data-live='live']")
    await live_figures(manager)
    sales = manager.locator("[data-figure='sales'] b")
    open_total = manager.locator("[data-figure='open-total'] b")
    await expect(open_total).to_have_text("€13.50")
    asked: list[str] = []

    def seen(request: Request) -> None:
        if "/api/" in request.url:
            asked.append(request.url)

    manager.on("request", seen)

    # another table: lines, a void and a discount, then part of it paid with a tip
    twelve = await check_of(demo, "12", 3, "Lasagne", "Burrata", "Burrata")
    await expect(open_total).to_have_text("€59.00")  # 13.50 + 18.50 + 2 x 13.50
    await expect(manager.locator("[data-figure='covers'] b")).to_have_text("5")
    burrata = next(line for line in twelve["lines"] if line["name"] == "Burrata")
    await ok(demo, "POST", f"/api/checks/{twelve['id']}/lines/{burrata['id']}/void",
             reason="guest changed mind", approval=await approval(demo, "void"))  # fmt: skip
    await expect(open_total).to_have_text("€45.50")
    await ok(demo, "POST", f"/api/checks/{twelve['id']}/discounts", kind="amount", value=200,
             reason="late")  # fmt: skip
    await expect(open_total).to_have_text("€43.50")
    await ok(demo, "POST", f"/api/checks/{twelve['id']}/payments", method="cash", amount=1000,
             tip=100)  # fmt: skip
    await expect(manager.locator("[data-figure='tips'] b")).to_have_text("€1.00")
    await expect(open_total).to_have_text("€43.50")  # paid in part: still an open bill

    # a third table merged into the twelve, then the twelve and the three paid
    seven = await check_of(demo, "7", 2, "Lasagne")
    await expect(manager.locator("[data-figure='open-checks'] b")).to_have_text("3")
    await ok(demo, "POST", f"/api/checks/{twelve['id']}/merge", check_id=seven["id"])
    await expect(manager.locator("[data-figure='open-checks'] b")).to_have_text("2")
    await expect(manager.locator("[data-figure='covers'] b")).to_have_text("7")
    await expect(open_total).to_have_text("€62.00")
    await ok(demo, "POST", f"/api/checks/{twelve['id']}/payments", method="cash", tip=250)
    await expect(sales).to_have_text("€48.50")  # 18.50 + 13.50 - 2.00 + 18.50
    await ok(demo, "POST", f"/api/checks/{before['id']}/payments", method="cash")
    await expect(sales).to_have_text("€62.00")
    await expect(open_total).to_have_text("€0.00")
    await expect(manager.locator("[data-figure='tips'] b")).to_have_text("€3.50")
    await expect(manager.locator("[data-figure='checks'] b")).to_have_text("2")

    # a new check after all that: opened on the page too
    await check_of(demo, "6", 4, "Burrata")
    await expect(open_total).to_have_text("€13.50")
    await expect(manager.locator("[data-figure='covers'] b")).to_have_text("4")
    assert asked == []  # all of it from the events, not one request since the start

    fresh = await (await new_device(TABLET)).open("/app/manager", pin="9999")
    assert await live_figures(fresh) == await live_figures(manager)


@pytest.mark.timeout(120)
async def test_closing_the_day_has_the_live_figures_read_once_for_the_new_day(
    demo: Demo, new_device: NewDevice
) -> None:
    paid = await check_of(demo, "3", 2, "Lasagne")
    await ok(demo, "POST", f"/api/checks/{paid['id']}/payments", method="cash")
    await check_of(demo, "12", 2, "Burrata")  # stays open, carried into the next day
    manager = await (await new_device(TABLET)).open("/app/manager", pin="9999")
    await manager.wait_for_selector("body[data-live='live']")
    await live_figures(manager)
    sales = manager.locator("[data-figure='sales'] b")
    await expect(sales).to_have_text("€18.50")
    asked: list[str] = []
    manager.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)

    r = await demo.call(
        "POST", "/api/days/close", "manager", json={"counted_cash": 1850, "open_checks": "carry"}
    )
    assert r.status_code in (200, 201), r.text
    await expect(sales).to_have_text("€0.00")
    await expect(manager.locator("[data-figure='open-total'] b")).to_have_text("€13.50")
    await manager.wait_for_timeout(500)
    assert [url.split("/api/")[1] for url in asked] == ["reports/live"]


@pytest.mark.timeout(120)
async def test_what_happens_while_the_figures_are_read_counts_once(
    demo: Demo, new_device: NewDevice
) -> None:
    before_read = await check_of(demo, "3", 2, "Lasagne")  # paid before the server reads
    after_read = await check_of(demo, "12", 2, "Burrata")  # paid before the page gets it
    manager = await (await new_device(TABLET)).open("/app/manager", pin="9999")
    await manager.wait_for_selector("body[data-live='live']")

    async def read_between_two_payments(route: Route) -> None:
        await ok(demo, "POST", f"/api/checks/{before_read['id']}/payments", method="cash")
        await asyncio.sleep(0.5)  # its events reach the page while it waits for the read
        answer = await route.fetch()
        await ok(demo, "POST", f"/api/checks/{after_read['id']}/payments", method="cash")
        await asyncio.sleep(0.5)  # and these, while the answer is on its way
        await route.fulfill(response=answer)

    await manager.route("**/api/reports/live", read_between_two_payments)
    await live_figures(manager)
    await expect(manager.locator("[data-figure='sales'] b")).to_have_text("€32.00")
    await expect(manager.locator("[data-figure='checks'] b")).to_have_text("2")
    await expect(manager.locator("[data-figure='open-total'] b")).to_have_text("€0.00")
    await expect(manager.locator("[data-figure='open-checks'] b")).to_have_text("0")
