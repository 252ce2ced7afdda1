"""Staff on the pages: a manager plans and publishes a week on the manager page, the
waiter sees the shift and clocks in on the handheld, serves, clocks out; the manager's
labour view shows labour cost beside sales for that hour, live; the performance export
holds the waiter's exact figures. Saves docs/screens/roster.png and labour.png."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, ViewportSize, expect

from pos_service.core.money import round_div
from pos_service.reports.labour import split_by_hour
from tests.conftest import Demo
from tests.pages.conftest import KDS, PHONE, NewDevice
from tests.rosters.test_rosters import section, staff_id

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
DESK: ViewportSize = {"width": 1280, "height": 800}
BERLIN = ZoneInfo("Europe/Berlin")
WAGE = 1800  # 18.00 an hour


async def money(page: Page, minor: int) -> str:
    """``minor`` as the page formats money (the browser's locale, the venue's currency)."""
    return str(await page.evaluate("(m) => POS.money(m, 'EUR')", minor))


def local(day: dt.date, time: str) -> str:
    return dt.datetime.combine(day, dt.time.fromisoformat(time), BERLIN).isoformat()


async def shoot(page: Page, name: str) -> None:
    """A screenshot without the passing toasts."""
    await page.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove())")
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / name))


async def section_nav(page: Page, key: str) -> None:
    await page.click(f"#nav button[data-section='{key}']")


@pytest.mark.timeout(240)
async def test_a_week_planned_published_clocked_served_and_costed_on_the_pages(
    demo: Demo, new_device: NewDevice
) -> None:
    anna = await staff_id(demo, "Anna")
    await section(demo, "Terrace", "6", "7")
    manager = await (await new_device(DESK)).open("/app/manager", pin="9999")

    # the wage, on the labour view (managers only)
    await section_nav(manager, "labour")
    await manager.fill("#wages tr[data-staff='Anna'] input", "18.00")
    await manager.click("#wages tr[data-staff='Anna'] button")
    await expect(manager.locator("#toasts")).to_contain_text("Anna: wage saved")
    await expect(manager.locator("#wages tr[data-staff='Anna'] input")).to_have_value("18.00")

    # others' drafts of the day, planned through the API
    start = dt.datetime.now(BERLIN) - dt.timedelta(minutes=5)
    day = start.date().isoformat()
    for name, role, times, place in (
        ("Ben", "waiter", ("11:00", "15:00"), {}),
        ("Dario", "kitchen", ("10:00", "16:00"), {"station": "hot"}),
        ("Eva", "bar", ("18:00", "23:30"), {"station": "bar", "break_minutes": 20}),
    ):
        r = await demo.call(
            "POST",
            "/api/rosters/shifts",
            "manager",
            json={
                "staff_id": await staff_id(demo, name),
                "role": role,
                "starts_at": local(start.date(), times[0]),
                "ends_at": local(start.date(), times[1]),
                **place,
            },
        )
        assert r.status_code == 201, r.text

    # plan Anna's shift from five minutes ago (within the tolerance) on the Terrace
    end = min(start + dt.timedelta(hours=4), start.replace(hour=23, minute=59))
    await section_nav(manager, "roster")
    form = manager.locator("#plan-shift")
    await form.locator("#plan-staff").select_option(label="Anna")
    await form.locator("#plan-role").select_option("waiter")
    await expect(form.locator("input[name=day]")).to_have_value(day)
    await form.locator("input[name=start]").fill(start.strftime("%H:%M"))
    await form.locator("input[name=end]").fill(end.strftime("%H:%M"))
    await form.locator("input[name=break_minutes]").fill("30")
    await form.locator("#plan-section").select_option(label="Terrace")
    await form.locator("button[type=submit]").click()
    row = manager.locator("#roster tr[data-shift]", has_text="Anna")
    await expect(row).to_have_attribute("data-state", "draft")
    await expect(row).to_contain_text(f"{start:%H:%M}\u2013{end:%H:%M}")
    await expect(row).to_contain_text("Terrace")
    await manager.click("#roster-publish")
    await expect(row).to_have_attribute("data-state", "published")
    planned = await demo.sql(
        "SELECT id, starts_at, ends_at, break_minutes, published_at IS NOT NULL "
        "FROM roster_shifts WHERE venue_id = :v AND staff_id = :s",
        v=demo.venue_id,
        s=anna,
    )
    assert len(planned) == 1 and planned[0][3] == 30 and planned[0][4] is True
    assert planned[0][1] == start.replace(second=0, microsecond=0)
    await expect(manager.locator("#roster tr[data-state='published']")).to_have_count(4)
    await shoot(manager, "roster.png")

    # the waiter sees the shift and clocks in from the handheld
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await phone.click("#my-shifts-button")
    await expect(phone.locator("#clock-planned")).to_contain_text("Terrace")
    await expect(phone.locator("#my-shifts li")).to_have_count(1)
    await phone.click("#clock-in")
    await expect(phone.locator("#clock")).to_have_attribute("data-state", "in")
    await expect(phone.locator("#clock-state")).to_contain_text("Clocked in since")
    await phone.click("#sheet button:has-text('Close')")

    # a change after publishing reaches the member it touches
    await section_nav(manager, "roster")
    r = await demo.call(
        "PATCH",
        f"/api/rosters/shifts/{planned[0][0]}",
        "manager",
        json={"break_minutes": 15},
    )
    assert r.status_code == 200, r.text
    await expect(phone.locator("#my-shifts-button")).to_have_attribute("data-changed", "yes")
    await expect(row).to_have_attribute("data-state", "changed")

    # the labour view, live: serving and clocking show up without a reload
    await section_nav(manager, "labour")
    await expect(manager.locator("#labour-hours")).to_be_visible()
    # the host stand seats a walk-in on the Terrace: the check is Anna's, her section's
    r = await demo.call("POST", "/api/waitlist", "host", json={"name": "Rossi", "party_size": 2})
    assert r.status_code == 201, r.text
    host = await (await new_device(KDS)).open("/app/host", pin="2222")
    await host.click("#side .tabs button:has-text('Waitlist')")
    await host.click("#side .wait:has-text('Rossi') button:has-text('Seat')")
    await host.click("#side .table[data-table='6']")
    six = await demo.table_id("6")
    seated = await demo.sql(
        "SELECT id, waiter_id FROM checks WHERE venue_id = :v AND table_id = :t",
        v=demo.venue_id,
        t=six,
    )
    for _ in range(50):
        if seated:
            break
        await asyncio.sleep(0.2)
        seated = await demo.sql(
            "SELECT id, waiter_id FROM checks WHERE venue_id = :v AND table_id = :t",
            v=demo.venue_id,
            t=six,
        )
    assert [tuple(x) for x in seated] == [(seated[0][0], anna)]
    check = {"id": seated[0][0]}
    assert (await demo.add(check["id"], "Lasagne", 2)).status_code == 201
    paid = await demo.call("POST", f"/api/checks/{check['id']}/payments", json={"method": "cash"})
    assert paid.status_code == 201, paid.text
    bill = (await demo.call("GET", f"/api/checks/{check['id']}/bill")).json()
    total = int(bill["total"])
    sold_at = dt.datetime.now(BERLIN)
    hour_row = manager.locator(f"#labour-hours tr[data-hour='{sold_at:%H}']")
    await expect(hour_row).to_contain_text(await money(manager, total), timeout=15000)

    # clock out on the handheld
    await phone.click("#my-shifts-button")
    phone.on("dialog", lambda d: d.accept())
    await phone.click("#clock-out")
    await expect(phone.locator("#clock")).to_have_attribute("data-state", "out")
    worked = await demo.sql(
        "SELECT clock_in, clock_out, planned_shift_id FROM shifts "
        "WHERE venue_id = :v AND staff_id = :s",
        v=demo.venue_id,
        s=anna,
    )
    assert len(worked) == 1 and worked[0][2] == planned[0][0]
    clock_in, clock_out = worked[0][0], worked[0][1]
    by_hour = split_by_hour(clock_in, clock_out, BERLIN)
    seconds = sum(s for _, s in by_hour)
    cost = {h: round_div(s * WAGE, 3600) for h, s in by_hour}

    # labour cost beside sales for that hour, as clocked out (live again)
    hour = sold_at.hour
    await expect(hour_row).to_contain_text(await money(manager, cost.get(hour, 0)), timeout=15000)
    await expect(hour_row).to_contain_text(await money(manager, total))
    r = await demo.call("GET", "/api/reports/labour", "manager")
    hours = {int(x["hour"]): x for x in r.json()["rows"]}
    assert (hours[hour]["sales"], hours[hour]["labour_cost"]) == (total, cost.get(hour, 0))
    await shoot(manager, "labour.png")

    # the performance export: the waiter's exact figures, with hours for payroll
    async with manager.expect_download() as waiting:
        await manager.click("#performance-csv")
    download = await waiting.value
    saved = await download.path()
    text = await asyncio.to_thread(saved.read_text)
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(text))}
    mine = rows["Anna"]
    assert (mine["checks"], mine["covers"], mine["items"]) == ("1", "2", "2")
    assert (int(mine["sales"]), int(mine["average_check"])) == (total, total)
    assert float(mine["items_per_check"]) == 2.0
    assert (mine["voids"], mine["comps"], int(mine["seconds"])) == ("0", "0", seconds)
    assert "wage" not in text


@pytest.mark.timeout(120)
async def test_an_early_clock_in_on_the_handheld_takes_a_managers_pin(
    demo: Demo, new_device: NewDevice
) -> None:
    ben = await staff_id(demo, "Ben")
    start = dt.datetime.now(BERLIN).replace(second=0, microsecond=0) + dt.timedelta(minutes=45)
    r = await demo.call(
        "POST",
        "/api/rosters/shifts",
        "manager",
        json={
            "staff_id": ben,
            "role": "waiter",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    week = {"week": start.date().isoformat()}
    assert (
        await demo.call("POST", "/api/rosters/publish", "manager", json=week)
    ).status_code == 200
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1112")
    await phone.click("#my-shifts-button")
    await expect(phone.locator("#clock-state")).to_contain_text("needs a manager")
    await phone.click("#clock-in")
    await expect(phone.locator("#clock-approval")).to_contain_text("before your shift")
    await phone.fill("#clock-approval-pin", "1111")  # a waiter's PIN approves nothing
    await phone.click("#clock-approval button[type=submit]")
    await expect(phone.locator("#toasts")).to_contain_text("wrong PIN")
    await expect(phone.locator("#login")).to_be_hidden()  # still signed in
    assert await demo.sql("SELECT 1 FROM shifts WHERE staff_id = :s", s=ben) == []
    await phone.fill("#clock-approval-pin", "9999")
    await phone.click("#clock-approval button[type=submit]")
    await expect(phone.locator("#clock")).to_have_attribute("data-state", "in")
    marco = await staff_id(demo, "Marco")
    rows = await demo.sql("SELECT approved_by FROM shifts WHERE staff_id = :s", s=ben)
    assert [tuple(x) for x in rows] == [(marco,)]
