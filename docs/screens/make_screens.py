"""Screenshots of the pages at their device sizes, for docs/pages.md (not part of the suite).

Run against a fresh demo server (it books, orders and pays on it):

    POS_VAR_DIR=/tmp/screens-var .venv/bin/python -m pos_service serve --demo --port 8200 &
    .venv/bin/python docs/screens/make_screens.py http://127.0.0.1:8200

Drives Debian's Chromium (/usr/bin/chromium) with Playwright; downloads nothing.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]
SIZES = {
    "handheld": (390, 844),
    "kitchen": (1920, 1080),
    "host": (1180, 820),
    "guest": (390, 844),
    "manager": (1440, 900),
}


class Api:
    """The demo venue's API as one member of staff."""

    def __init__(self, base: str, pin: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)
        # a demo server's own machine enrols itself as a device (docs/security.md)
        enrolled = self.http.post("/api/devices/local", json={"venue": "demo"})
        enrolled.raise_for_status()
        device = enrolled.json()["credential"]
        r = self.http.post("/api/auth/login", json={"venue": "demo", "pin": pin, "device": device})
        r.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {r.json()['token']}"

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        r = self.http.request(method, path, json=body)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text}")
        return r.json()


def stage(base: str) -> str:
    """An evening in progress: checks at several stages, bookings, a waitlist, sales."""
    waiter, host, kitchen = Api(base, "1111"), Api(base, "2222"), Api(base, "3333")
    menu = waiter("GET", "/api/menu")
    items = {i["name"]: i for c in menu["categories"] for i in c["items"]}
    tables = {t["name"]: t["id"] for a in waiter("GET", "/api/floor")["areas"] for t in a["tables"]}

    def option(item: str, name: str) -> int:
        groups = items[item]["modifier_groups"]
        return next(o["id"] for g in groups for o in g["options"] if o["name"] == name)

    def order(table: str, covers: int, lines: list[tuple[str, int, list[str], str | None]]) -> int:
        check = waiter("POST", "/api/checks", {"table_id": tables[table], "covers": covers})
        for seat, (name, qty, mods, note) in enumerate(lines, start=1):
            body = {
                "item_id": items[name]["id"],
                "quantity": qty,
                "modifiers": [option(name, m) for m in mods],
                "seat": seat,
                "note": note,
            }
            waiter("POST", f"/api/checks/{check['id']}/lines", body)
        waiter("POST", f"/api/checks/{check['id']}/send", {})
        return int(check["id"])

    paid = order("1", 2, [("Burrata", 1, [], None), ("Ribeye", 2, ["medium-rare", "fries"], None)])
    order("2", 2, [("Tomato soup", 2, [], None), ("House red", 2, [], None)])
    order(
        "9",
        4,
        [
            ("Sea bass", 1, ["green salad"], "no butter"),
            ("Burger", 2, ["medium", "fries", "bacon"], None),
            ("Lasagne", 1, [], None),
        ],
    )
    order(
        "6",
        6,
        [
            ("Caesar salad", 2, ["no croutons"], "nut allergy"),
            ("Sirloin", 3, ["rare", "truffle fries"], None),
            ("Vegan curry", 1, [], None),
        ],
    )
    waiter("POST", f"/api/checks/{order('T1', 2, [('Negroni', 2, [], None)])}/prebill")
    order("12", 3, [("Spaghetti carbonara", 3, [], None)])
    guest_check = order(
        "4",
        2,
        [
            ("Risotto ai funghi", 1, ["extra cheese"], None),
            ("Tiramisu", 2, [], None),
            ("Prosecco", 2, [], None),
        ],
    )
    waiter("POST", "/api/checks", {"table_id": tables["10"], "covers": 7})

    time.sleep(2)
    for station in ("cold", "hot"):
        for ticket in kitchen("GET", f"/api/kitchen/tickets?station={station}")["tickets"][:2]:
            for item in ticket["items"]:
                if item["status"] in ("released", "started"):
                    path = f"/api/kitchen/tickets/{ticket['id']}/items/{item['id']}/bump"
                    kitchen("POST", path)
    waiter("POST", f"/api/checks/{paid}/payments", {"method": "cash"})

    today = dt.datetime.now(ZoneInfo("Europe/Berlin")).date()
    slots = host("GET", f"/api/reservations/availability?date={today}&party_size=2")["slots"]
    for n, (name, size) in enumerate(
        [
            ("Rossi", 2),
            ("Bauer", 4),
            ("Nakamura", 3),
            ("Dubois", 2),
            ("Okafor", 6),
            ("Lindqvist", 2),
        ]
    ):
        if n * 3 < len(slots):
            try:
                host(
                    "POST",
                    "/api/reservations",
                    {
                        "name": name,
                        "party_size": size,
                        "starts_at": slots[n * 3]["starts_at"],
                        "tags": ["vip"] if n == 1 else [],
                    },
                )
            except RuntimeError as exc:
                print("booking skipped:", exc)
    for name, size in [("Meyer", 2), ("Silva", 4), ("Kowalski", 3)]:
        host("POST", "/api/waitlist", {"name": name, "party_size": size})
    return str(waiter("POST", f"/api/checks/{guest_check}/guest-link")["url"])


def sign_in(page: Page, pin: str) -> None:
    page.fill("#login-venue", "demo")
    for digit in pin:
        page.click(f"#login [data-key='{digit}']")
    page.click("#login button[type=submit]")
    page.wait_for_selector("#login", state="hidden")


def main(base: str) -> None:
    guest_url = stage(base)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)

        def page_for(name: str) -> Page:
            w, h = SIZES[name]
            context = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1)
            page = context.new_page()
            page.on("console", lambda m: print(f"[{name}] {m.type}: {m.text}"))
            page.on("pageerror", lambda e: print(f"[{name}] error: {e}"))
            return page

        page = page_for("handheld")
        page.goto(f"{base}/app/handheld")
        sign_in(page, "1111")
        page.wait_for_selector(".table[data-table='1']")
        page.screenshot(path=HERE / "handheld.png")
        page.click(".table[data-table='9']")
        page.wait_for_selector("text=Bill & pay")
        page.screenshot(path=HERE / "handheld-check.png")
        page.click("text=+ Items")
        page.click(".tabs button:has-text('Mains')")
        page.click("[data-item='Ribeye']")
        page.click("#sheet button:has-text('medium-rare')")
        page.screenshot(path=HERE / "handheld-modifiers.png")

        page = page_for("kitchen")
        page.goto(f"{base}/app/kitchen?station=hot")
        sign_in(page, "3333")
        page.wait_for_selector(".ticket")
        page.screenshot(path=HERE / "kitchen.png")
        page.goto(f"{base}/app/kitchen?mode=expo")
        page.wait_for_selector(".ticket")
        page.screenshot(path=HERE / "expo.png")

        page = page_for("host")
        page.goto(f"{base}/app/host")
        sign_in(page, "2222")
        page.wait_for_selector(".timeline")
        page.wait_for_timeout(300)
        page.screenshot(path=HERE / "host.png")

        page = page_for("guest")
        page.goto(base + guest_url)
        page.wait_for_selector(".big-pay")
        page.click("button:has-text('10 %')")
        page.screenshot(path=HERE / "guest.png")

        page = page_for("manager")
        page.goto(f"{base}/app/manager")
        sign_in(page, "9999")
        page.wait_for_selector(".chart svg")
        page.screenshot(path=HERE / "manager.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8200")
