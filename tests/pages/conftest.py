"""Browser fixtures: Debian's Chromium driven by Playwright in the test's event loop, so the
session's uvicorn (``server_url``) keeps serving while a page waits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.devices import service as devices
from pos_service.venues import service as venues

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
KDS: ViewportSize = {"width": 1920, "height": 1080}


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium (``apt-get install chromium``); Playwright never downloads one."""
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        await launched.close()


PairingCode = Callable[[], Awaitable[str]]


class Device:
    """One device: its own browser context (storage, network) and page. The first
    sign-in pairs it, through the page's pairing form, with a code a manager made."""

    def __init__(
        self, context: BrowserContext, page: Page, base: str, pairing_code: PairingCode
    ) -> None:
        self.context = context
        self.page = page
        self.base = base
        self.pairing_code = pairing_code
        self.paired = False
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        # a script, style or connection the content security policy refused
        page.on(
            "console",
            lambda m: self.errors.append(m.text) if "Content Security Policy" in m.text else None,
        )

    async def _type_pin(self, pin: str) -> None:
        for digit in pin:
            await self.page.click(f"#login [data-key='{digit}']")
        await self.page.click("#login button[type=submit]")

    async def open(self, path: str, pin: str | None = None) -> Page:
        await self.page.goto(self.base + path)
        if pin is not None:
            await self.page.fill("#login-venue", "demo")
            await self._type_pin(pin)
            if not self.paired:  # an unpaired device is asked for a pairing code first
                await self.page.wait_for_selector("#pair", state="visible")
                await self.page.fill("#pair-code", await self.pairing_code())
                await self.page.click("#pair button[type=submit]")
                await self.page.wait_for_selector("#login", state="visible")
                self.paired = True
                await self._type_pin(pin)
            await self.page.wait_for_selector("#login", state="hidden")
        await self.page.wait_for_selector("body[data-live='live']")
        return self.page


NewDevice = Callable[[ViewportSize], Awaitable[Device]]


@pytest.fixture
async def new_device(
    browser: Browser, server_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[NewDevice]:
    """Make a device with a screen of the given size; each is closed after the test, which
    fails if a page had a script error."""
    made: list[Device] = []

    async def pairing_code() -> str:
        async with sessions() as session, session.begin():
            venue = await venues.by_slug(session, "demo")
            return (await devices.make_pairing(session, venue.id, "Test device", "handheld")).code

    async def make(viewport: ViewportSize) -> Device:
        context = await browser.new_context(viewport=viewport)
        made.append(Device(context, await context.new_page(), server_url, pairing_code))
        return made[-1]

    yield make
    for device in made:
        await device.context.close()
    assert [e for d in made for e in d.errors] == []
