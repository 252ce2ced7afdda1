"""The strict language walker: a page state rendered in English and in another language;
any text a person sees that reads the same in both, and is neither the venue's own data
nor a number, an amount or a time, is English left behind, whether or not anyone marked
it for translation.

Use it from any page test::

    left = await english_left(demo, new_device, Screen("manager", "/app/manager", "9999"), "nl")
    assert left == []

and add a page to :data:`SCREENS` (a path, the PIN that signs in, what to do before
reading) so ``test_no_english_is_left_on_any_screen`` walks it in Dutch and in German.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from playwright.async_api import Page, ViewportSize, expect

from pos_service import i18n
from pos_service.core.allergens import ALLERGENS
from tests.conftest import Demo
from tests.pages.conftest import NewDevice

TABLET: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}

Action = Callable[[Page], Awaitable[None]]
"""What to do on a page before its texts are read (open a section, a form); it must not
depend on the page's language (select by ids, data attributes, not by words)."""
Path = str | Callable[[Demo], Awaitable[str]]
"""A page's path, or a coroutine making it from the demo (a guest's link)."""


@dataclass(frozen=True)
class Screen:
    """One page state to compare: ``path`` opened (signed in with ``pin``, or as a guest
    when None), then ``action`` done."""

    name: str
    path: Path
    pin: str | None = None
    action: Action | None = None
    viewport: ViewportSize = field(default_factory=lambda: TABLET)
    ready: str = "body[data-live='live']"
    """A selector the page shows once it has drawn itself."""
    allowed: frozenset[str] = frozenset()
    """Texts of this screen that are the same in every language on purpose."""
    scope: str = "body"
    """The part of the page read (``#view``: a manager's section without the frame)."""
    known: frozenset[str] = frozenset()
    """English known to be left on this screen, to be translated where it is written:
    listed so that the walker catches anything new meanwhile. Empty it as they go."""


SAME_EVERYWHERE = frozenset(
    {
        # endonyms in a language picker, codes and names that are not translated
        "English",
        "Nederlands",
        "Deutsch",
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "PIN",
        "QR",
        "API",
        "CSV",
        "JSON",
        "ESC/POS",
        "OK",
        "pos_service",
    }
)

_NUMBERISH = re.compile(
    r"[+\-\u2212]?[€$£]?\s?\d[\d.,:\s\u00a0]*(?:%|€|\$|£|min\b|h\b|s\b|x\b|\u00d7)?"
    r"|\b(?:EUR|USD|GBP|CHF)\b"
    r"|[A-Za-z]+/[A-Za-z_]+"
    r"|\S+@\S+|https?://\S+"
)
"""Numbers, amounts, times, dates, currency codes, timezone names (Europe/Berlin), e-mail
addresses and links."""
_WORD = re.compile(r"[^\W\d_]{2,}")
"""Two letters in a row: a word a person reads."""

_COLLECT = """(scope) => {
  const root = document.querySelector(scope);
  if (!root) return [];
  const visible = (el) => (el.checkVisibility
    ? el.checkVisibility({ checkVisibilityCSS: true })
    : !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length));
  // each piece of text as it was written into the page (a tag, a cell, a line), not the
  // lines the browser would join them into
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest("script, style, template, noscript") || !visible(el)) continue;
    out.push(...node.textContent.split("\\n"));
  }
  for (const el of root.querySelectorAll("[placeholder], [aria-label], [title], [alt]")) {
    if (!visible(el)) continue;
    for (const a of ["placeholder", "aria-label", "title", "alt"]) {
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  for (const o of root.querySelectorAll("select option")) {
    if (visible(o.closest("select"))) out.push(o.textContent);
  }
  for (const b of root.querySelectorAll("input[type=submit], input[type=button]")) {
    if (visible(b) && b.value) out.push(b.value);
  }
  if (scope === "body") out.push(document.title);
  return out.map((t) => t.trim()).filter(Boolean);
}"""


async def shown_texts(page: Page, scope: str = "body") -> set[str]:
    """What a person sees or hears on the page (or the part ``scope`` selects): each piece
    of its text, placeholders, labels, titles, the options of its menus, its title."""
    texts: list[str] = await page.evaluate(_COLLECT, scope)
    return set(texts)


_DATA_SQL = (
    "SELECT name FROM items",
    "SELECT name FROM categories",
    "SELECT name FROM modifier_groups",
    "SELECT name FROM modifier_options",
    "SELECT name FROM staff",
    "SELECT name FROM dining_tables",
    "SELECT name FROM areas",
    "SELECT name FROM stations",
    "SELECT name FROM printers",
    "SELECT name FROM devices",
    "SELECT name FROM venues",
    "SELECT slug FROM venues",
    "SELECT unnest(courses) FROM venues",
    "SELECT jsonb_array_elements(tax_rates::jsonb) ->> 'name' FROM venues",
    "SELECT name FROM guests",
    "SELECT name FROM reservations",
    "SELECT name FROM stock_items",
    "SELECT name FROM promotions",
    "SELECT name FROM sections",
    "SELECT name FROM api_keys",
)


async def venue_data(demo: Demo) -> set[str]:
    """The names the venue gave its things (items, tables, staff ...): shown as they are
    in every language."""
    names: set[str] = set()
    for query in _DATA_SQL:
        try:
            rows = await demo.sql(query)
        except Exception:  # a table this build does not have: nothing of it to show
            continue
        names.update(str(row[0]) for row in rows if row[0])
    return names


def same_in_the_catalogs(language: str) -> set[str]:
    """Texts whose translation is the English text itself ("Menu", "Status" in Dutch)."""
    return {
        str(m.id)
        for domain in i18n.DOMAINS
        for m in i18n.read_catalog(language, domain)
        if isinstance(m.id, str) and m.string == m.id
    }


def reads_as_text(line: str, data: set[str]) -> bool:
    """Whether ``line`` still has words once the venue's names (and the words kept
    alike in every language), numbers, amounts, times and codes are taken out."""
    rest = line
    for name in sorted(data, key=len, reverse=True):
        rest = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", rest)
    rest = _NUMBERISH.sub(" ", rest)
    return _WORD.search(rest) is not None


def left_in(
    english: set[str], translated: set[str], data: set[str], allowed: set[str]
) -> list[str]:
    """The texts shown alike in English and in the translation that are words, neither
    the venue's data nor allowed to stay."""
    return sorted(
        text
        for text in translated & english
        if text not in allowed and text not in data and reads_as_text(text, data | allowed)
    )


async def _settle(page: Page, screen: Screen) -> None:
    await page.wait_for_selector(screen.ready)
    if screen.action is not None:
        await screen.action(page)
    await page.wait_for_timeout(300)


async def english_left(
    demo: Demo, new_device: NewDevice, screen: Screen, language: str
) -> list[str]:
    """Render ``screen`` in English, then in ``language`` (the ``pos_lang`` cookie, as a
    sign-in or the language switch sets it), and return what reads the same in both."""
    device = await new_device(screen.viewport)
    path = screen.path if isinstance(screen.path, str) else await screen.path(demo)
    url = path if path.startswith("http") else device.base + path
    if screen.pin is None:
        await device.page.goto(url)
        page = device.page
    else:
        page = await device.open(path, screen.pin)
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await _settle(page, screen)
    english = await shown_texts(page, screen.scope)

    await device.context.add_cookies([{"name": "pos_lang", "value": language, "url": device.base}])
    await page.goto(url)
    await expect(page.locator("html")).to_have_attribute("lang", language)
    await _settle(page, screen)
    translated = await shown_texts(page, screen.scope)
    allowed = set(SAME_EVERYWHERE | screen.allowed | screen.known) | same_in_the_catalogs(language)
    return left_in(english, translated, await venue_data(demo), allowed)


# ---- the screens walked ---------------------------------------------------------------


def section(key: str) -> Action:
    """Open a section of the manager's page or the menu editor by its key."""

    async def open_it(page: Page) -> None:
        await page.click(f"#nav button[data-section='{key}']")
        await page.wait_for_timeout(300)

    return open_it


async def _show_setup_form(page: Page) -> None:
    await expect(page.locator("#setup-done")).to_be_visible()  # the demo venue exists
    await page.evaluate("document.getElementById('setup').hidden = false")


async def _item_form(page: Page) -> None:
    await section("items")(page)
    await page.locator("#view tr[data-item]:not(.archived) button").first.click()
    await expect(page.locator("#sheet")).to_be_visible()


async def _guest_link(demo: Demo) -> str:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    link = await demo.call("POST", f"/api/checks/{check['id']}/guest-link")
    return str(link.json()["url"])


async def _order_link(demo: Demo) -> str:
    from pos_service.core import ratelimit

    ratelimit._windows.counts.clear()
    r = await demo.call(
        "PUT", "/api/venue/guest-settings", "manager", json={"guest_ordering": "direct"}
    )
    assert r.status_code == 200, r.text
    tent = await demo.call("GET", f"/api/tables/{await demo.table_id('6')}/order-link")
    return str(tent.json()["url"])


MANAGER = "9999"
MANAGER_KNOWN = {
    # web/static/manager-venue.js: the language picker shows codes, not the languages
    "venue": frozenset({"en", "nl", "de"}),
    # web/static/manager-floor.js: the new table's heading is not marked
    "plan": frozenset({"New table in"}),
    # web/static/manager-printers.js: a printer's kind, connection and state are codes
    "printers": frozenset({"kitchen", "receipt", "network", "file", "serial", "usb", "unknown"}),
}
"""English the walker found in the manager's set-up sections, in files being translated
with the manager's other sections: delete an entry once its text is translated."""
ALLERGEN_CODES = frozenset(ALLERGENS)
"""web/static/manager-menu.js: the menu editor's list of items tags them with the
allergens' codes, not their names (allergens.js has the names)."""
SCREENS: list[Screen] = [
    Screen(
        "setup",
        "/app/setup",
        action=_show_setup_form,
        ready="#setup-done",
        allowed=frozenset({"XXXX-XXXX-XXXX"}),  # the setup code's pattern
    ),
    *[
        Screen(
            f"manager {key}",
            "/app/manager",
            MANAGER,
            section(key),
            scope="#view",
            known=MANAGER_KNOWN.get(key, frozenset()),
        )
        for key in ("devices", "venue", "plan", "staff", "printers", "integrations", "auditfile")
    ],
    *[
        Screen(
            f"menu editor {key}",
            "/app/manager/menu",
            MANAGER,
            section(key),
            known=ALLERGEN_CODES if key == "items" else frozenset(),
        )
        for key in ("items", "groups", "schedules", "stations", "transfer")
    ],
    Screen("menu editor item form", "/app/manager/menu", MANAGER, _item_form, known=ALLERGEN_CODES),
    Screen("guest bill", _guest_link, viewport=PHONE, ready=".tips"),
    Screen("table ordering", _order_link, viewport=PHONE, ready=".order-item"),
]
"""The screens translated so far (docs/i18n.md); add every page as it is translated.
The manager's sections are read without the page's frame (``scope="#view"``) while the
navigation still lists sections in English; read them whole once every section is."""
