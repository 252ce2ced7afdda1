"""A new owner, from ``pos-service serve`` on an empty database to the first ticket:
the setup code from the log, the venue, two areas with tables placed in the floor plan
editor, a menu (categories, items with required modifiers and allergens, a lunch
schedule, two stations), a printer per station with a backup, staff with PINs; then a
waiter signs in on that venue and orders, and the kitchen screen and the printer get the
ticket. Saves the screenshots of the setup and the floor plan editor in docs/screens."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from pos_service import i18n
from printers.decoder import decode
from printers.fake import FakePrinter
from tests.pages.conftest import KDS, PHONE
from tests.support.database import ROOT, _psql, server_url
from tests.support.servers import secret_key_file

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SCREENS = ROOT / "docs" / "screens"
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
CODE = re.compile(r"setup code\s+([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")


class Server:
    def __init__(self, url: str, code: str, output: list[str]) -> None:
        self.url = url
        self.code = code
        self.output = output


@pytest.fixture
async def empty_server(worker_id: str) -> AsyncIterator[Server]:
    """``pos-service serve`` (no --demo) on an empty database of its own."""
    name = f"pos_new_owner_{worker_id}"
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = {
        **os.environ,
        "DATABASE_URL": server_url(name),
        "POS_SECRET_KEY_FILE": secret_key_file("new-owner"),
        "POS_PRINTER_ALLOW": "127.0.0.1",  # the fake printers listen on loopback
        "POS_ARGON2_TIME_COST": "1",
        "POS_ARGON2_MEMORY_KIB": "8",
    }
    for variable in ("POS_LOG_FORMAT", "POS_ACCESS_LOG", "POS_DEMO"):
        environment.pop(variable, None)
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "pos_service.cli", "serve", "--port", str(port)),
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output: list[str] = []

    async def drain() -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            output.append(line.decode(errors="replace"))

    reader = asyncio.create_task(drain())
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(1200):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/health")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
        found = CODE.search("".join(output))
        assert found, "".join(output)
        yield Server(url, found.group(1), output)
    finally:
        process.terminate()
        await process.wait()
        reader.cancel()
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')


@pytest.fixture(autouse=True)
def patient_expect() -> Iterator[None]:
    """A long walk on a busy machine: each step may take longer than the default 5 s."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
async def fake_printers() -> AsyncIterator[tuple[FakePrinter, FakePrinter]]:
    kitchen, bar = FakePrinter("127.0.0.1", 0), FakePrinter("127.0.0.1", 0)
    await kitchen.start()
    await bar.start()
    yield kitchen, bar
    await kitchen.stop()
    await bar.stop()


async def set_up(page: Page, server: Server) -> None:
    await page.goto(server.url + "/app/setup")
    await page.fill("[name=code]", server.code.lower())
    await page.fill("[name='venue.name']", "Luigi's Kitchen")
    await expect(page.locator("[name='venue.slug']")).to_have_value("luigi-s-kitchen")
    await page.fill("[name='venue.slug']", "luigis")
    await page.fill("[name='venue.currency']", "EUR")
    await page.fill("[name='venue.timezone']", "Europe/Amsterdam")
    await page.select_option("[name='venue.locale']", "nl")
    await page.select_option("[name='venue.tax_mode']", "inclusive")
    await page.fill(".rate [name=rate_pct]", "9")
    await page.click("#add-rate")
    await page.locator(".rate [name=rate_name]").nth(1).fill("drinks")
    await page.locator(".rate [name=rate_pct]").nth(1).fill("21")
    await page.fill("[name='venue.day_cutoff']", "05:00")
    await page.fill("[name=service_pct]", "10")
    await page.fill("[name='venue.service_charge.min_covers']", "8")
    await page.fill("[name='owner.name']", "Luigi")
    await page.fill("[name='owner.pin']", "5555")
    await page.fill("[name=pin_again]", "5555")
    await page.set_viewport_size({"width": 1000, "height": 1480})
    await page.screenshot(path=str(SCREENS / "setup.png"))
    await page.set_viewport_size(DESKTOP)
    await page.fill("[name=pin_again]", "5556")
    await page.click("#setup button[type=submit]")
    await expect(page.locator("#setup-message")).to_contain_text("differ")
    await page.fill("[name=pin_again]", "5555")
    await page.click("#setup button[type=submit]")
    await page.wait_for_url("**/app/manager")
    await page.wait_for_selector("body[data-live='live']")
    await expect(page.locator("#who")).to_have_text("Luigi")


async def add_table(
    page: Page, name: str, seats: int, shape: str = "square", width: int = 80
) -> None:
    if await page.locator("#table-form").count():
        await page.click("#table-form button:has-text('Close')")
    form = page.locator("#new-table")
    await form.locator("[name=name]").fill(name)
    await form.locator("[name=capacity]").fill(str(seats))
    await form.locator("[name=shape]").select_option(shape)
    await form.locator("[name=width]").fill(str(width))
    await form.locator("button[type=submit]").click()
    await expect(page.locator(f".ptable[data-table='{name}']")).to_be_visible()


async def add_area(page: Page, name: str) -> None:
    await page.fill("[name=area-name]", name)
    await page.click("button:has-text('+ Area')")
    await expect(page.locator(f".tabs button.on[data-area='{name}']")).to_be_visible()


async def drag(page: Page, table: str, dx: float, dy: float) -> None:
    await page.wait_for_timeout(400)  # the plan re-renders after each change
    target = page.locator(f".ptable[data-table='{table}']")
    await target.wait_for()
    box = await target.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    await page.mouse.move(x, y)
    await page.mouse.down()
    for step in range(1, 6):
        await page.mouse.move(x + dx * step / 5, y + dy * step / 5)
    await page.mouse.up()


async def lay_out_the_floor(page: Page) -> None:
    await page.click("#nav [data-section=plan]")
    await expect(page.locator("#view")).to_contain_text("No areas yet")
    await add_area(page, "Dining room")
    await add_table(page, "1", 2, "round")
    await add_table(page, "2", 4)
    await add_table(page, "3", 4)
    # a table dropped on another is refused, and stays where it was
    await drag(page, "3", -100, 0)
    await expect(page.locator("#toasts")).to_contain_text("would stand on table")
    await drag(page, "3", 60, 200)
    await expect(page.locator("#toasts")).to_contain_text("Table 3 moved")
    await page.click(".ptable[data-table='2']")
    await page.locator("#table-form .checks label:has-text('3') input").check()
    await page.click("#table-form button:has-text('Save')")
    await expect(page.locator("#toasts")).to_contain_text("Table 2 saved")
    await add_table(page, "4", 6, "rect", width=160)
    await add_area(page, "Terrace")
    await add_table(page, "T1", 2, "round")
    await add_table(page, "T2", 2, "round")
    await page.click(".tabs button[data-area='Dining room']")
    await page.click(".ptable[data-table='2']")
    await expect(page.locator("#table-form")).to_be_visible()
    await page.evaluate("document.querySelector('#toasts').replaceChildren()")
    await page.screenshot(path=str(SCREENS / "floor-editor.png"))


async def create_menu(server: Server, token: str) -> dict[str, int]:
    """The menu through the menu administration API: two stations, a lunch schedule,
    categories, items with a required modifier group and allergens."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as api:

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            r = await api.post(path, json=body)
            assert r.status_code == 201, r.text
            return dict(r.json())

        kitchen = await post("/api/menu/stations", {"name": "kitchen", "kind": "kitchen"})
        bar = await post("/api/menu/stations", {"name": "bar", "kind": "bar"})
        lunch = await post(
            "/api/menu/schedules",
            {
                "name": "Lunch",
                "weekdays": [1, 2, 3, 4, 5],
                "starts": "11:30:00",
                "ends": "15:00:00",
            },
        )
        cooking = await post(
            "/api/menu/modifier-groups",
            {
                "name": "Cooking",
                "min_choices": 1,
                "max_choices": 1,
                "options": [{"name": "rare"}, {"name": "well done"}],
            },
        )
        mains = await post(
            "/api/menu/categories",
            {"name": "Mains", "default_course": "main", "station_id": kitchen["id"]},
        )
        lunches = await post(
            "/api/menu/categories",
            {
                "name": "Lunch specials",
                "default_course": "main",
                "station_id": kitchen["id"],
                "schedule_ids": [lunch["id"]],
            },
        )
        drinks = await post(
            "/api/menu/categories",
            {"name": "Drinks", "default_course": "drinks", "station_id": bar["id"], "position": 2},
        )
        for category, name, price, ppm, allergens, groups in [
            (mains, "Steak", 2450, 90000, [], [cooking["id"]]),
            (mains, "Lasagne", 1650, 90000, ["gluten", "milk", "eggs"], []),
            (lunches, "Club sandwich", 1150, 90000, ["gluten", "eggs"], []),
            (drinks, "Lemonade", 450, 210000, [], []),
        ]:
            await post(
                "/api/menu/items",
                {
                    "category_id": category["id"],
                    "name": name,
                    "price": price,
                    "tax_rate_ppm": ppm,
                    "allergens": allergens,
                    "modifier_group_ids": groups,
                },
            )
        return {"kitchen": kitchen["id"], "bar": bar["id"]}


async def add_printer(page: Page, name: str, role: str, port: int, station: str) -> None:
    form = page.locator("form[data-printer=new]")
    await form.locator("[name=name]").fill(name)
    await form.locator("[name=role]").select_option(role)
    await form.locator("[name=connection]").select_option("network")
    await form.locator("[name=address]").fill(f"127.0.0.1:{port}")
    await form.locator(f".checks label:has-text('{station}') input").check()
    await form.locator("button[type=submit]").click()
    await expect(page.locator(f"form[data-printer='{name}']")).to_be_visible()


async def set_up_printers(page: Page, kitchen_port: int, bar_port: int) -> None:
    await page.click("#nav [data-section=printers]")
    await add_printer(page, "Kitchen", "kitchen", kitchen_port, "kitchen")
    await add_printer(page, "Bar", "bar", bar_port, "bar")
    for name, backup in [("Kitchen", "Bar"), ("Bar", "Kitchen")]:
        form = page.locator(f"form[data-printer='{name}']")
        await form.locator("[name=backup]").select_option(label=backup)
        await form.locator("button[type=submit]").click()
        await expect(page.locator("#toasts")).to_contain_text(f"{name} saved")
    await expect(page.locator("table.grid")).to_contain_text("Bar")


async def add_staff(page: Page, name: str, pin: str, role: str) -> None:
    form = page.locator("#new-staff")
    await form.locator("[name=name]").fill(name)
    await form.locator("[name=pin]").fill(pin)
    for box in await form.locator("[name=new-role]").all():
        await box.set_checked(await box.get_attribute("value") == role)
    await form.locator("button[type=submit]").click()
    await expect(page.locator(f"tr[data-staff='{name}']")).to_contain_text(role)


async def pairing_code(owner: Page, name: str, kind: str) -> str:
    """The owner makes a one-time pairing code in the Devices section."""
    await owner.click("#nav [data-section=devices]")
    # the section is drawn anew: a code shown before is gone, the form is empty
    await expect(owner.locator("#pairing-code-value")).to_have_count(0)
    await expect(owner.locator("#devices")).to_be_visible()
    await expect(owner.locator("#pair-name")).to_have_value("")
    await owner.fill("#pair-name", name)
    await owner.select_option("#pair-kind", kind)
    await owner.click("#view button:has-text('Make a pairing code')")
    return await owner.locator("#pairing-code-value").inner_text()


async def sign_in(page: Page, url: str, venue: str, pin: str, code: str) -> None:
    """A new device: the first sign-in asks for pairing, then the PIN signs in."""
    await page.goto(url)
    await page.fill("#login-venue", venue)
    for digit in pin:
        await page.click(f"#login [data-key='{digit}']")
    await page.click("#login button[type=submit]")
    await expect(page.locator("#pair")).to_be_visible()
    await page.fill("#pair-code", code)
    await page.click("#pair button[type=submit]")
    await expect(page.locator("#login-message")).to_contain_text("Paired as")
    await page.fill("#login-pin", pin)
    await page.click("#login button[type=submit]")
    await page.wait_for_selector("#login", state="hidden")
    await page.wait_for_selector("body[data-live='live']")


async def test_a_new_owner_opens_a_restaurant_and_takes_the_first_order(
    empty_server: Server, fake_printers: tuple[FakePrinter, FakePrinter], browser: Browser
) -> None:
    kitchen_printer, bar_printer = fake_printers
    errors: list[str] = []
    contexts = []

    async def device(viewport: Any) -> Page:
        context = await browser.new_context(viewport=viewport)
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page

    try:
        owner = await device(DESKTOP)
        await set_up(owner, empty_server)
        await lay_out_the_floor(owner)
        token = await owner.evaluate("sessionStorage.getItem('pos.token')")
        await create_menu(empty_server, token)
        await set_up_printers(owner, kitchen_printer.port, bar_printer.port)
        await owner.click("#nav [data-section=staff]")
        await add_staff(owner, "Wanda", "2468", "waiter")
        await add_staff(owner, "Kurt", "1357", "kitchen")

        screen_code = await pairing_code(owner, "Kitchen screen", "kitchen")
        phone_code = await pairing_code(owner, "Wanda's phone", "handheld")
        screen = await device(KDS)
        await sign_in(
            screen, empty_server.url + "/app/kitchen?station=kitchen", "luigis", "1357", screen_code
        )
        # the venue speaks Dutch (its locale), and so does its kitchen screen
        await expect(screen.locator("#tickets")).to_contain_text("Geen bonnen")

        phone = await device(PHONE)
        await sign_in(phone, empty_server.url + "/app/handheld", "luigis", "2468", phone_code)
        await expect(phone.locator(".table[data-table='T1']")).to_have_count(0)  # other area
        await phone.click(".table[data-table='3']")
        await phone.click("#sheet .choices button:text-is('2')")
        await phone.click(".tabs button:has-text('Mains')")
        await phone.click("[data-item='Steak']")
        dutch = i18n.pages_catalog("nl")  # the venue's language, Wanda's too
        add = phone.locator(f"#sheet button:has-text('{dutch['Add']}')")
        await expect(add).to_be_disabled()  # the cooking is required
        await phone.click("#sheet button:has-text('well done')")
        await add.click()
        await phone.click(f"button:has-text('{dutch['Done']}')")
        await expect(phone.locator(".lines")).to_contain_text("Steak")
        await phone.click(f"button:has-text('{dutch['Send']}')")

        ticket = screen.locator(".ticket", has_text="Tafel 3")
        await expect(ticket).to_contain_text("Steak", timeout=20000)
        printed = await asyncio.wait_for(kitchen_printer.wait_for_jobs(1), 20)
        text = decode(printed[0]).text
        assert "Steak" in text and "well done" in text

        # the owner opens a second venue with a copy of the menu
        await owner.click("#nav [data-section=venue]")
        form = owner.locator("#new-venue")
        await form.locator("[name=name]").fill("Luigi's Two")
        await form.locator("[name=slug]").fill("luigis-two")
        await form.locator("button[type=submit]").click()
        await expect(owner.locator("#toasts")).to_contain_text("Luigi's Two is open")
        async with httpx.AsyncClient(base_url=empty_server.url) as api:
            group = await api.get("/api/group/venues", headers={"Authorization": f"Bearer {token}"})
        assert "luigis-two" in group.text
        assert errors == []
    finally:
        for context in contexts:
            await context.close()
