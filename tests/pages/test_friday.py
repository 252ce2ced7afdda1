"""The pages on a Friday night (issue #20): what staff see on a phone with touch and on a
tablet. Contrast is the WCAG ratio of the colours the browser computed."""

from __future__ import annotations

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, ViewportSize, expect

from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice

pytestmark = pytest.mark.browser

TABLET: ViewportSize = {"width": 1280, "height": 800}

# The WCAG 2 contrast ratio of an element's text against the first opaque background
# behind it, with the element's and its ancestors' opacity blended in.
CONTRAST = """(el, prop) => {
  const rgba = (c) => {
    const m = c.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const over = (top, under, a) => top.slice(0, 3).map((v, i) => v * a + under[i] * (1 - a));
  const channel = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const layers = [];
  let opacity = 1;
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    const s = getComputedStyle(n);
    opacity *= Number(s.opacity);
    if (n === el && prop !== 'color') continue;  // an outline is drawn around the element
    const bg = rgba(s.backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] === 1) break;
  }
  let back = [255, 255, 255];
  for (const l of layers.reverse()) back = over(l, back, l[3]);
  const fg = rgba(getComputedStyle(el)[prop]);
  const ink = over(fg, back, fg[3] * opacity);
  const [hi, lo] = [lum(ink), lum(back)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""


async def contrast(element: Locator, prop: str = "color") -> float:
    for _ in range(3):  # a live page may replace the element while it is measured
        try:
            ratio = await element.evaluate(CONTRAST, prop)
            break
        except PlaywrightError:
            await element.page.wait_for_timeout(200)
    else:
        raise AssertionError(f"could not measure {element}")
    assert isinstance(ratio, float | int)
    return float(ratio)


async def signin_screen(new_device: NewDevice, path: str, viewport: ViewportSize) -> Page:
    device = await new_device(viewport)
    await device.page.goto(device.base + path)
    page = device.page
    await page.wait_for_selector("#login", state="visible")
    return page


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("path", "viewport"),
    [("/app/handheld", PHONE), ("/app/host", TABLET), ("/app/kitchen?station=hot", TABLET)],
)
async def test_the_pin_keypad_and_the_title_of_the_sign_in_screen_can_be_read(
    new_device: NewDevice, path: str, viewport: ViewportSize
) -> None:
    page = await signin_screen(new_device, path, viewport)
    keys = page.locator("#login .keypad button")
    assert await keys.count() == 12
    for i in range(12):
        key = keys.nth(i)
        assert await contrast(key) >= 4.5, await key.inner_text()
    title = page.locator("#login h1")
    await expect(title).to_be_visible()
    assert (await title.inner_text()).strip()
    assert await contrast(title) >= 4.5


OVERLAPS = """() => {
  const box = (e) => e.getBoundingClientRect();
  const toasts = [...document.querySelectorAll('#toasts .toast')].map(box);
  const hit = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  return [...document.querySelectorAll('.actions button')]
    .filter((b) => toasts.some((t) => hit(t, box(b))))
    .map((b) => b.textContent);
}"""


@pytest.mark.timeout(120)
async def test_a_message_covers_none_of_the_buttons_at_the_bottom(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Espresso")).status_code == 201
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await phone.click(".table[data-table='12']")
    await phone.click(".actions button:has-text('Send')")
    await expect(phone.locator(".toast")).to_contain_text("Sent to the kitchen")
    assert await phone.evaluate(OVERLAPS) == []
    await phone.click(".actions button:has-text('Fire')")  # not held up by the message
    await expect(phone.locator("#sheet")).to_contain_text("Fire a course")


# every red message the page shows from now on, even one gone by the time the test looks
ERRORS_SEEN = """() => {
  window.errorsSeen = [];
  new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach((n) => {
    if (n.classList && n.classList.contains('error')) window.errorsSeen.push(n.textContent);
  }))).observe(document.querySelector('#toasts'), { childList: true });
}"""


async def double_tap(page: Page, selector: str) -> None:
    """Two taps on the same spot, the second before the first one's answer is back."""
    box = await page.locator(selector).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    await page.mouse.click(x, y)
    await page.mouse.click(x, y)


@pytest.mark.timeout(120)
async def test_a_double_tap_on_send_or_pay_shows_no_error(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await phone.evaluate(ERRORS_SEEN)
    await phone.click(".table[data-table='12']")
    await double_tap(phone, ".actions button:has-text('Send')")
    await expect(phone.locator(".toast.ok", has_text="Sent to the kitchen")).to_be_visible()
    await expect(phone.locator(".actions button:has-text('Send')")).to_be_disabled()
    await phone.click("button:has-text('Bill & pay')")
    await phone.click(".part button:has-text('Cash')")
    await double_tap(phone, "#sheet button:has-text('Take cash')")
    await expect(phone.locator(".toast.ok", has_text="Paid")).to_be_visible()
    await phone.wait_for_timeout(1500)
    assert await phone.evaluate("window.errorsSeen") == []
    [(payments,)] = await demo.sql(
        "SELECT count(*) FROM payments WHERE check_id = :c", c=check["id"]
    )
    assert payments == 1


@pytest.mark.timeout(120)
async def test_sign_out_is_a_finger_sized_target(demo: Demo, new_device: NewDevice) -> None:
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    box = await phone.locator("#signout").bounding_box()
    assert box is not None
    assert box["width"] >= 44 and box["height"] >= 44, box


async def tab_to(page: Page, selector: str) -> Locator:
    for _ in range(40):
        await page.keyboard.press("Tab")
        if await page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return page.locator(f"{selector}:focus")
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("path", "pin", "viewport", "target"),
    [
        ("/app/handheld", "1111", PHONE, "#signout"),
        ("/app/handheld", "1111", PHONE, ".table"),
        ("/app/host", "2222", TABLET, "#side button"),
        ("/app/kitchen?station=hot", "3333", TABLET, "#signout"),
    ],
)
async def test_the_keyboard_focus_can_be_seen(
    demo: Demo, new_device: NewDevice, path: str, pin: str, viewport: ViewportSize, target: str
) -> None:
    page = await (await new_device(viewport)).open(path, pin=pin)
    await page.wait_for_selector(target)
    style, ratio = ["", ""], 0.0
    for _ in range(3):  # a live redraw may replace the focused element: tab to it again
        focused = await tab_to(page, target)
        try:
            style = await focused.evaluate(
                "(e) => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
            )
            ratio = await contrast(focused, "outlineColor")
        except (PlaywrightError, AssertionError):
            continue
        if style[0]:
            break
    assert style[0] == "solid" and float(style[1].removesuffix("px")) >= 2, style
    assert ratio >= 3


# inputs on screen a screen reader can name only by their placeholder, if at all
UNNAMED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter((e) => e.offsetParent !== null && e.type !== 'hidden')
  .filter((e) => !e.labels.length && !e.getAttribute('aria-label')
    && !e.getAttribute('aria-labelledby'))
  .map((e) => e.name || e.placeholder || e.outerHTML)"""


@pytest.mark.timeout(120)
async def test_every_field_has_a_name_beyond_its_placeholder(
    demo: Demo, new_device: NewDevice
) -> None:
    host = await (await new_device(TABLET)).open("/app/host", pin="2222")
    for tab in ("Waitlist", "Book"):
        await host.click(f"#side .tabs button:has-text('{tab}')")
        await expect(host.locator("#side input").first).to_be_visible()
        assert await host.evaluate(UNNAMED) == [], tab

    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Espresso")).status_code == 201
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await phone.click(".table[data-table='12']")
    await phone.click(".lines li:has-text('Espresso')")
    await phone.click("#sheet button:has-text('Void…')")
    await expect(phone.locator("#sheet input").first).to_be_visible()
    assert await phone.evaluate(UNNAMED) == [], "void"
    await phone.click("#sheet button:has-text('Keep')")
    await phone.click(".actions button:has-text('Items')")
    assert await phone.evaluate(UNNAMED) == [], "menu"
    await phone.fill("input[type=search]", "Espresso")
    await phone.click(".items button[data-item='Espresso']")
    await expect(phone.locator("#sheet")).to_be_visible()
    assert await phone.evaluate(UNNAMED) == [], "item"


# text on screen smaller than 12 px: [text, size]
SMALL_TEXT = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
  .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
  .map((e) => [e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize)])
  .filter(([, size]) => size < 12)"""


@pytest.mark.timeout(120)
async def test_no_text_is_smaller_than_12_px(demo: Demo, new_device: NewDevice) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Espresso")).status_code == 201
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await expect(phone.locator(".table small").first).to_be_visible()
    assert await phone.evaluate(SMALL_TEXT) == [], "floor"
    await phone.click(".table[data-table='12']")
    await expect(phone.locator(".lines li").first).to_be_visible()
    assert await phone.evaluate(SMALL_TEXT) == [], "check"

    host = await (await new_device(TABLET)).open("/app/host", pin="2222")
    await expect(host.locator(".timeline").first).to_be_visible()
    assert await host.evaluate(SMALL_TEXT) == [], "book"
    await host.click("#side .tabs button:has-text('Floor')")
    await expect(host.locator("#side .table").first).to_be_visible()
    assert await host.evaluate(SMALL_TEXT) == [], "floor"


@pytest.mark.timeout(120)
async def test_the_notes_of_dimmed_items_on_the_kitchen_screen_can_be_read(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    for item in ("Burrata", "Sirloin"):
        r = await demo.add(
            check["id"], item, 1, ("rare", "fries") * (item == "Sirloin"), note="no salt"
        )
        assert r.status_code == 201, r.text
    assert (await demo.call("POST", f"/api/checks/{check['id']}/send", json={})).status_code == 200
    kitchen = await (await new_device(TABLET)).open("/app/kitchen?station=hot", pin="3333")
    dimmed = kitchen.locator(".ticket li.held, .ticket li.waiting")
    await expect(dimmed.first).to_be_visible()
    for i in range(await dimmed.count()):
        assert await contrast(dimmed.nth(i)) >= 4.5
        for small in await dimmed.nth(i).locator("small").all():
            assert await contrast(small) >= 4.5, await small.inner_text()


async def axe_violations(page: Page) -> list[tuple[str, list[str]]]:
    """axe-core's WCAG 2 A and AA rules on what the page shows now."""
    results = await Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    return [
        (v["id"], [str(n["target"]) for n in v["nodes"]][:5])
        for v in results.response["violations"]
    ]


@pytest.mark.timeout(180)
async def test_axe_finds_no_wcag_violation_on_the_service_pages(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (
        await demo.add(check["id"], "Sirloin", 1, ("rare", "fries"), note="no salt")
    ).status_code == 201
    assert (await demo.call("POST", f"/api/checks/{check['id']}/send", json={})).status_code == 200
    for path, viewport in (("/app/handheld", PHONE), ("/app/kitchen?station=hot", TABLET)):
        signin = await signin_screen(new_device, path, viewport)
        assert await axe_violations(signin) == [], f"sign-in {path}"

    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    assert await axe_violations(phone) == [], "floor"
    await phone.click(".table[data-table='12']")
    await expect(phone.locator(".lines li").first).to_be_visible()
    assert await axe_violations(phone) == [], "check"
    host = await (await new_device(TABLET)).open("/app/host", pin="2222")
    assert await axe_violations(host) == [], "host"
    kitchen = await (await new_device(TABLET)).open("/app/kitchen?station=hot", pin="3333")
    await expect(kitchen.locator(".ticket").first).to_be_visible()
    assert await axe_violations(kitchen) == [], "kitchen"
