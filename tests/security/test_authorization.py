"""Every route against every caller: nobody reaches what is not theirs.

``POLICY`` names, for every HTTP route of the app, the roles that may call it. A route
missing from it fails ``test_every_route_has_a_policy``, so a new route cannot ship
without a decision. Managers may call every staff route except a venue group's, which
only its owner may call (an owner holds no other role in the demo). Calls are made with bodies that
pass authorization (not necessarily validation): a caller the policy admits must not get
401/403; anyone else must.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from pos_service.booking import links as booking_links
from pos_service.core.auth import Caller
from pos_service.tableorder import links as table_links
from tests.conftest import Demo

STAFF = ("waiter", "host", "kitchen", "bar", "manager", "printer", "owner")
ANY_STAFF = frozenset(STAFF)
OWNER = frozenset({"owner"})
WORKERS = frozenset({"waiter", "host", "kitchen", "bar", "manager", "owner"})
PRINT_READERS = frozenset({"waiter", "host", "kitchen", "bar", "printer", "manager"})
PUBLIC = frozenset({"public"})
HOST = frozenset({"host", "manager"})
WAITER = frozenset({"waiter", "manager"})
MANAGER = frozenset({"manager"})
HOST_READ = frozenset({"host", "waiter", "manager"})
KITCHEN = frozenset({"kitchen", "bar", "manager"})
CASHIER = frozenset({"waiter", "bar", "manager"})

# (method, path) -> roles allowed ("public": no token needed)
POLICY: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/approve"): ANY_STAFF,
    ("GET", "/api/menu"): ANY_STAFF - {"printer", "owner"},
    ("PATCH", "/api/menu/items/{item_id}"): frozenset({"kitchen", "bar", "manager"}),
    # the menu's administration (issue #16)
    ("GET", "/api/menu/courses"): ANY_STAFF - {"printer", "owner"},
    ("PUT", "/api/menu/courses"): MANAGER,
    ("GET", "/api/menu/export"): MANAGER,
    ("POST", "/api/menu/import"): MANAGER,
    ("GET", "/api/audit"): MANAGER,
    ("POST", "/api/menu/items"): MANAGER,
    ("DELETE", "/api/menu/items/{item_id}"): MANAGER,
    ("POST", "/api/menu/categories"): MANAGER,
    ("PATCH", "/api/menu/categories/{category_id}"): MANAGER,
    ("DELETE", "/api/menu/categories/{category_id}"): MANAGER,
    ("POST", "/api/menu/modifier-groups"): MANAGER,
    ("PATCH", "/api/menu/modifier-groups/{group_id}"): MANAGER,
    ("DELETE", "/api/menu/modifier-groups/{group_id}"): MANAGER,
    ("POST", "/api/menu/modifier-groups/{group_id}/options"): MANAGER,
    ("PATCH", "/api/menu/options/{option_id}"): MANAGER,
    ("DELETE", "/api/menu/options/{option_id}"): MANAGER,
    ("POST", "/api/menu/schedules"): MANAGER,
    ("PATCH", "/api/menu/schedules/{schedule_id}"): MANAGER,
    ("DELETE", "/api/menu/schedules/{schedule_id}"): MANAGER,
    ("POST", "/api/menu/stations"): MANAGER,
    ("PATCH", "/api/menu/stations/{station_id}"): MANAGER,
    ("DELETE", "/api/menu/stations/{station_id}"): MANAGER,
    ("GET", "/api/floor"): frozenset({"waiter", "host", "manager"}),
    ("GET", "/api/floor/turnover"): frozenset({"waiter", "host", "manager"}),
    ("PUT", "/api/floor/turnover"): MANAGER,
    ("POST", "/api/tables/{table_id}/clean"): frozenset({"waiter", "host", "manager"}),
    ("POST", "/api/checks"): frozenset({"waiter", "manager"}),
    ("GET", "/api/checks/favourites"): frozenset({"waiter", "manager"}),
    ("GET", "/api/checks/{check_id}"): frozenset({"waiter", "manager"}),
    ("POST", "/api/checks/{check_id}/lines"): frozenset({"waiter", "manager"}),
    ("PATCH", "/api/checks/{check_id}/lines/{line_id}"): frozenset({"waiter", "manager"}),
    ("POST", "/api/checks/{check_id}/send"): frozenset({"waiter", "manager"}),
    ("POST", "/api/checks/{check_id}/lines/{line_id}/void"): frozenset({"waiter", "manager"}),
    ("POST", "/api/checks/{check_id}/transfer"): frozenset({"waiter", "manager"}),
    ("POST", "/api/checks/{check_id}/merge"): frozenset({"waiter", "manager"}),
    ("POST", "/api/checks/{check_id}/fire"): frozenset({"waiter", "manager"}),
    ("PUT", "/api/checks/{check_id}/allergies"): frozenset({"waiter", "manager"}),
    ("GET", "/api/checks/{check_id}/courses"): frozenset({"waiter", "manager"}),
    ("GET", "/api/kitchen/tickets"): frozenset({"waiter", "kitchen", "bar", "manager"}),
    ("POST", "/api/kitchen/tickets/{ticket_id}/start"): frozenset({"kitchen", "bar", "manager"}),
    ("POST", "/api/kitchen/tickets/{ticket_id}/bump"): frozenset({"kitchen", "bar", "manager"}),
    ("POST", "/api/kitchen/tickets/{ticket_id}/recall"): frozenset({"kitchen", "bar", "manager"}),
    ("POST", "/api/kitchen/recall"): frozenset({"kitchen", "bar", "manager"}),
    ("POST", "/api/kitchen/tickets/{ticket_id}/items/{item_id}/bump"): frozenset(
        {"kitchen", "bar", "manager"}
    ),
    ("GET", "/api/kitchen/expo"): frozenset({"waiter", "kitchen", "bar", "manager"}),
    ("POST", "/api/kitchen/expo/{check_id}/pickup"): frozenset({"kitchen", "bar", "manager"}),
    ("POST", "/api/kitchen/expo/{check_id}/served"): frozenset({"kitchen", "bar", "manager"}),
    ("GET", "/api/kitchen/all-day"): frozenset({"waiter", "kitchen", "bar", "manager"}),
    ("GET", "/api/kitchen/prep-times"): frozenset({"waiter", "kitchen", "bar", "manager"}),
    ("GET", "/api/kitchen/stations"): frozenset({"waiter", "kitchen", "bar", "manager"}),
    ("PATCH", "/api/kitchen/stations/{station_id}"): frozenset({"manager"}),
    ("GET", "/api/reservations"): HOST_READ,
    ("GET", "/api/reservations/availability"): HOST_READ,
    ("GET", "/api/reservations/rules"): HOST_READ,
    ("PUT", "/api/reservations/rules"): frozenset({"manager"}),
    ("GET", "/api/reservations/{reservation_id}"): HOST_READ,
    ("POST", "/api/reservations"): HOST,
    **{
        ("POST", f"/api/reservations/{{reservation_id}}/{step}"): HOST
        for step in ("confirm", "arrive", "seat", "complete", "cancel", "no-show")
    },
    ("GET", "/api/waitlist"): HOST_READ,
    ("POST", "/api/waitlist"): HOST,
    ("POST", "/api/waitlist/{entry_id}/seat"): HOST,
    ("POST", "/api/waitlist/{entry_id}/cancel"): HOST,
    ("GET", "/api/guests"): HOST,
    ("GET", "/api/guests/{guest_id}"): HOST,
    ("GET", "/api/printers"): PRINT_READERS,
    ("POST", "/api/printers"): frozenset({"manager"}),
    ("PATCH", "/api/printers/{printer_id}"): frozenset({"manager"}),
    ("GET", "/api/print-jobs"): PRINT_READERS,
    ("POST", "/api/print-jobs/{job_id}/reprint"): frozenset(
        {"waiter", "kitchen", "bar", "manager"}
    ),
    ("POST", "/api/print-jobs/claim"): frozenset({"printer", "manager"}),
    ("POST", "/api/print-jobs/{job_id}/ack"): frozenset({"printer", "manager"}),
    **{("GET", f"/api/checks/{{check_id}}/{what}"): WAITER for what in ("bill", "receipt")},
    **{
        ("POST", f"/api/checks/{{check_id}}/{what}"): WAITER
        for what in (
            "close",
            "comps",
            "discounts",
            "guest-link",
            "payments",
            "prebill",
            "receipt/email",
            "split",
        )
    },
    ("POST", "/api/checks/{check_id}/refunds"): MANAGER,
    ("POST", "/api/payments/{payment_id}/poll"): WAITER,
    ("POST", "/api/gift-cards"): MANAGER,
    ("GET", "/api/gift-cards/{code}"): WAITER,
    # the guest link in the path is the credential
    ("GET", "/api/guest/{token}/bill"): PUBLIC,
    ("POST", "/api/guest/{token}/payments"): PUBLIC,
    ("POST", "/api/guest/{token}/payments/{payment_id}/poll"): PUBLIC,
    ("GET", "/api/guest/{token}/receipt"): PUBLIC,
    ("POST", "/api/guest/{token}/receipt/email"): PUBLIC,
    ("GET", "/api/reports/x"): MANAGER,
    ("GET", "/api/reports/live"): MANAGER,
    ("GET", "/sw.js"): PUBLIC,
    ("GET", "/manifest.webmanifest"): PUBLIC,
    ("POST", "/api/days/close"): MANAGER,
    ("GET", "/api/days/{business_date}"): MANAGER,
    ("GET", "/api/journal/verify"): MANAGER,
    # the pages are HTML shells: signing in happens in the page, through the API
    **{("GET", page): PUBLIC for page in ("/", "/app/handheld", "/app/kitchen", "/app/host")},
    ("GET", "/app/manager"): PUBLIC,
    ("GET", "/app/manager/menu"): PUBLIC,
    ("GET", "/guest/{token}"): PUBLIC,
    ("GET", "/static/{file_path}"): PUBLIC,
    ("GET", "/i18n/{language}"): PUBLIC,
    ("GET", "/api/days/{business_date}/tips"): MANAGER,
    **{
        ("GET", f"/api/reports/{what}"): MANAGER
        for what in ("sales", "exceptions", "turns", "prep-times", "hours")
    },
    ("GET", "/api/staff"): MANAGER,
    ("POST", "/api/staff"): MANAGER,
    ("PATCH", "/api/staff/{staff_id}"): MANAGER,
    ("POST", "/api/staff/clock-in"): WORKERS,
    ("POST", "/api/staff/clock-out"): WORKERS,
    ("GET", "/api/tip-pool"): MANAGER,
    ("PUT", "/api/tip-pool"): MANAGER,
    # a venue group's owner, and nobody else (managers included)
    ("GET", "/api/group/venues"): OWNER,
    ("GET", "/api/group/reports/sales"): OWNER,
    ("POST", "/api/group/memberships"): OWNER,
    ("POST", "/api/menu/copy"): OWNER,
    ("POST", "/api/guests"): HOST,
    ("PATCH", "/api/guests/{guest_id}"): HOST,
    ("GET", "/api/guests/{guest_id}/export"): MANAGER,
    ("DELETE", "/api/guests/{guest_id}"): MANAGER,
    ("POST", "/api/checks/{check_id}/guest"): WAITER,
    ("POST", "/api/checks/{check_id}/loyalty-redeem"): WAITER,
    ("GET", "/api/checks/{check_id}/gift-cards"): WAITER,
    ("GET", "/api/loyalty/settings"): MANAGER,
    ("PUT", "/api/loyalty/settings"): MANAGER,
    ("GET", "/api/stock"): KITCHEN,
    ("POST", "/api/stock/items"): MANAGER,
    ("PATCH", "/api/stock/items/{stock_item_id}"): MANAGER,
    ("GET", "/api/stock/recipes/{item_id}"): KITCHEN,
    ("PUT", "/api/stock/recipes/{item_id}"): MANAGER,
    ("POST", "/api/stock/counts"): KITCHEN,
    ("GET", "/api/stock/movements"): KITCHEN,
    ("GET", "/api/webhooks"): MANAGER,
    ("GET", "/api/api-keys"): MANAGER,
    ("POST", "/api/api-keys"): MANAGER,
    ("POST", "/api/api-keys/{key_id}/rotate"): MANAGER,
    ("POST", "/api/api-keys/{key_id}/revoke"): MANAGER,
    ("POST", "/api/webhooks"): MANAGER,
    ("GET", "/api/webhooks/{webhook_id}"): MANAGER,
    ("PATCH", "/api/webhooks/{webhook_id}"): MANAGER,
    ("DELETE", "/api/webhooks/{webhook_id}"): MANAGER,
    ("GET", "/api/webhooks/{webhook_id}/deliveries"): MANAGER,
    ("POST", "/api/webhooks/{webhook_id}/replay"): MANAGER,
    ("GET", "/api/days/{business_date}/export.csv"): MANAGER,
    ("GET", "/api/audit-file"): MANAGER,
    ("GET", "/api/devices"): MANAGER,
    ("POST", "/api/devices/pairings"): MANAGER,
    ("POST", "/api/devices/{device_id}/revoke"): MANAGER,
    # the pairing code, or a demo server's own machine, is the credential
    ("POST", "/api/devices/pair"): PUBLIC,
    ("POST", "/api/devices/local"): PUBLIC,
    # cash drawers (issue #23)
    ("GET", "/api/drawer-sessions"): CASHIER,
    ("GET", "/api/drawer-sessions/{session_id}"): CASHIER,
    ("POST", "/api/drawer-sessions"): CASHIER,
    ("POST", "/api/drawer-sessions/paid-in"): CASHIER,
    ("POST", "/api/drawer-sessions/paid-out"): CASHIER,
    ("POST", "/api/drawer-sessions/no-sale"): CASHIER,
    ("POST", "/api/drawer-sessions/{session_id}/close"): CASHIER,
    # promotions and day-part prices (issue #23)
    ("GET", "/api/promotions"): MANAGER,
    ("POST", "/api/promotions"): MANAGER,
    ("GET", "/api/promotions/{promotion_id}"): MANAGER,
    ("PATCH", "/api/promotions/{promotion_id}"): MANAGER,
    ("POST", "/api/promotions/{promotion_id}/end"): MANAGER,
    ("GET", "/api/promotions/prices"): MANAGER,
    ("POST", "/api/promotions/prices"): MANAGER,
    ("PATCH", "/api/promotions/prices/{price_id}"): MANAGER,
    ("DELETE", "/api/promotions/prices/{price_id}"): MANAGER,
    # returns, gift card voids and the books (issue #23)
    ("POST", "/api/checks/{check_id}/returns"): WAITER,
    ("GET", "/api/checks/{check_id}/returns"): WAITER,
    ("POST", "/api/gift-cards/{code}/void"): MANAGER,
    ("GET", "/api/accounting/accounts"): frozenset({"manager", "owner"}),
    ("PUT", "/api/accounting/accounts"): frozenset({"manager", "owner"}),
    ("GET", "/api/accounting/journal-entries"): frozenset({"manager", "owner"}),
    # first run and the venue's administration (issue #16)
    ("GET", "/app/setup"): PUBLIC,
    ("GET", "/api/setup"): PUBLIC,
    ("POST", "/api/setup"): PUBLIC,
    ("POST", "/api/venues"): OWNER,
    ("GET", "/api/venue"): MANAGER,
    ("PATCH", "/api/venue"): MANAGER,
    ("POST", "/api/floor/areas"): MANAGER,
    ("PATCH", "/api/floor/areas/{area_id}"): MANAGER,
    ("DELETE", "/api/floor/areas/{area_id}"): MANAGER,
    ("POST", "/api/floor/tables"): MANAGER,
    ("PATCH", "/api/floor/tables/{table_id}"): MANAGER,
    ("DELETE", "/api/floor/tables/{table_id}"): MANAGER,
    # rosters and sections (issue #24)
    ("GET", "/api/sections"): HOST_READ,
    ("POST", "/api/sections"): MANAGER,
    ("PUT", "/api/sections/{section_id}"): MANAGER,
    ("GET", "/api/rosters"): MANAGER,
    ("POST", "/api/rosters/publish"): MANAGER,
    ("POST", "/api/rosters/copy-previous"): MANAGER,
    ("POST", "/api/rosters/shifts"): MANAGER,
    ("PATCH", "/api/rosters/shifts/{shift_id}"): MANAGER,
    ("DELETE", "/api/rosters/shifts/{shift_id}"): MANAGER,
    ("GET", "/api/rosters/mine"): WORKERS,
    # clocking against the roster: a member's own clock, no wage in it
    ("GET", "/api/rosters/clock"): WORKERS,
    ("GET", "/api/rosters/clock-rules"): MANAGER,
    ("PUT", "/api/rosters/clock-rules"): MANAGER,
    ("POST", "/api/staff/breaks/start"): WORKERS,
    ("POST", "/api/staff/breaks/end"): WORKERS,
    # wages and labour cost: never a waiter's or the kitchen's
    ("GET", "/api/wages"): frozenset({"manager", "owner"}),
    ("PUT", "/api/wages"): frozenset({"manager", "owner"}),
    ("GET", "/api/reports/labour"): frozenset({"manager", "owner"}),
    ("GET", "/api/reports/performance"): MANAGER,
    # guests beyond the table (issue #22): QR ordering, booking online, receipts
    ("POST", "/api/checks/{check_id}/receipt/print"): WAITER,
    ("GET", "/api/venue/guest-settings"): MANAGER,
    ("PUT", "/api/venue/guest-settings"): MANAGER,
    ("GET", "/api/tables/order-links"): MANAGER,
    ("POST", "/api/tables/order-links/rotate"): MANAGER,
    ("GET", "/api/tables/{table_id}/order-link"): HOST_READ,
    ("GET", "/api/tables/{table_id}/order-link.svg"): HOST_READ,
    ("POST", "/api/tables/{table_id}/order-link/rotate"): MANAGER,
    # public pages: the signed table or booking token in the path, or the venue's slug
    ("GET", "/api/table-order/{table_token}"): PUBLIC,
    ("POST", "/api/table-order/{table_token}/orders"): PUBLIC,
    ("GET", "/api/book/{slug}"): PUBLIC,
    ("GET", "/api/book/{slug}/availability"): PUBLIC,
    ("POST", "/api/book/{slug}/reservations"): PUBLIC,
    ("GET", "/api/booking/{booking_token}"): PUBLIC,
    ("POST", "/api/booking/{booking_token}/cancel"): PUBLIC,
    ("POST", "/api/booking/{booking_token}/change"): PUBLIC,
    ("GET", "/t/{table_token}"): PUBLIC,
    ("GET", "/book/{slug}"): PUBLIC,
    ("GET", "/book/manage/{booking_token}"): PUBLIC,
    # takeaway and pickup (issue #22): staff take orders; the public order page needs none
    ("POST", "/api/takeaway"): WAITER,
    ("GET", "/api/takeaway"): WAITER,
    ("GET", "/api/takeaway/settings"): MANAGER,
    ("PUT", "/api/takeaway/settings"): MANAGER,
    ("GET", "/api/takeaway/{order_id}"): WAITER,
    ("POST", "/api/takeaway/{order_id}/collected"): WAITER,
    ("GET", "/api/pickup"): frozenset({"waiter", "host", "kitchen", "bar", "manager"}),
    ("GET", "/api/public/venues/{slug}/menu"): PUBLIC,
    ("GET", "/api/public/venues/{slug}/slots"): PUBLIC,
    ("POST", "/api/public/venues/{slug}/orders"): PUBLIC,
    ("GET", "/api/public/orders/{token}"): PUBLIC,
    ("GET", "/app/pickup"): PUBLIC,
    ("GET", "/order/{slug}"): PUBLIC,
    ("GET", "/order/{slug}/status/{token}"): PUBLIC,
}

# Callers whose token is well signed but whose session is over: refused everywhere (401).
ENDED = ("stale_manager", "revoked_device_manager", "other_device_manager", "revoked_key")

# API keys, by scope: the routes each opens (a key reaches a route when its scope opens it
# and the role the scope carries passes the route's policy); anything else is 403.
READS = ("GET",)
KEY_SCOPES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # scope: (role it carries, methods, path prefixes)
    "menu:read": ("waiter", READS, ("/api/menu",)),
    "orders:write": (
        "waiter",
        ("GET", "POST", "PUT", "PATCH", "DELETE"),
        ("/api/checks", "/api/payments"),
    ),
    "sales:read": ("manager", READS, ("/api/reports", "/api/days", "/api/journal")),
    "webhooks": ("manager", ("GET", "POST", "PATCH", "DELETE"), ("/api/webhooks",)),
}


def key_may(scope: str, method: str, path: str) -> bool:
    role, methods, prefixes = KEY_SCOPES[scope]
    under = any(path == p or path.startswith(p + "/") for p in prefixes)
    return method in methods and under and role in POLICY[(method, path)]


async def _keys(demo: Demo) -> dict[str, dict[str, str]]:
    """A key per scope of :data:`KEY_SCOPES`, and one revoked."""
    made = {}
    for scope in (*KEY_SCOPES, "revoked"):
        scopes = ["menu:read"] if scope == "revoked" else [scope]
        r = await demo.call(
            "POST", "/api/api-keys", "manager", json={"name": scope, "scopes": scopes}
        )
        assert r.status_code == 201, r.text
        made[f"key {scope}" if scope != "revoked" else "revoked_key"] = {
            "Authorization": f"Bearer {r.json()['key']}"
        }
        if scope == "revoked":
            revoked = await demo.call("POST", f"/api/api-keys/{r.json()['id']}/revoke", "manager")
            assert revoked.status_code == 200, revoked.text
    return made


NOT_ROUTES = re.compile(r"^/(schema|health)")


def app_routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or NOT_ROUTES.match(route.path):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for method in route.methods - {"HEAD", "OPTIONS"}:
            found.append((method, path))
    return sorted(found)


def test_every_route_has_a_policy(app: Litestar) -> None:
    missing = [r for r in app_routes(app) if r not in POLICY]
    assert missing == [], f"routes without an authorization policy: {missing}"


async def _ids(demo: Demo) -> dict[str, Any]:
    venue = demo.venue_id
    secret = demo.app.state.settings.secret_key
    check = await demo.open_check("6", covers=2)
    line = (await demo.add(check["id"], "Burrata")).json()["lines"][0]
    assert (await demo.call("POST", f"/api/checks/{check['id']}/send", json={})).status_code == 200
    rows = await demo.sql("SELECT id FROM kitchen_tickets ORDER BY id LIMIT 1")
    station = await demo.sql("SELECT id FROM stations ORDER BY id LIMIT 1")
    reservation = await demo.call(
        "POST",
        "/api/reservations",
        "host",
        json={
            "name": "Rossi",
            "party_size": 2,
            "phone": "+49 30 1234567",
            "starts_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
            .replace(hour=18, minute=0, second=0, microsecond=0)
            .isoformat(),
        },
    )
    waiting = await demo.call(
        "POST", "/api/waitlist", "host", json={"name": "Bauer", "party_size": 2}
    )
    assert reservation.status_code == 201, reservation.text
    assert waiting.status_code == 201, waiting.text
    guests = await demo.sql("SELECT id FROM guests ORDER BY id LIMIT 1")
    return {
        "reservation_id": reservation.json()["id"],
        "entry_id": waiting.json()["id"],
        "guest_id": guests[0][0],
        "ticket_id": rows[0][0],
        "job_id": (await demo.sql("SELECT id FROM print_jobs ORDER BY id LIMIT 1"))[0][0],
        "printer_id": (await demo.sql("SELECT id FROM printers ORDER BY id LIMIT 1"))[0][0],
        "station_id": station[0][0],
        "stock_item_id": 1,
        "webhook_id": 1,
        "key_id": 1000,
        "session_id": 1,
        "check_id": check["id"],
        "payment_id": 1,
        "code": "NO-SUCH-CARD",
        "business_date": dt.datetime.now(dt.UTC).date().isoformat(),
        "section_id": 1,
        "shift_id": 1,
        "token": demo.app.state.signer.issue(
            Caller(kind="guest", venue_id=demo.venue_id, check_id=check["id"]), 600
        ),
        "line_id": line["id"],
        "table_id": await demo.table_id("6"),
        "item_id": (await demo.item("Burrata"))["id"],
        "category_id": (await demo.sql("SELECT min(id) FROM categories"))[0][0],
        "group_id": (await demo.sql("SELECT min(id) FROM modifier_groups"))[0][0],
        "option_id": (await demo.sql("SELECT min(id) FROM modifier_options"))[0][0],
        "schedule_id": 1,
        "promotion_id": 1,
        "price_id": 1,
        "file_path": "pos.js",
        "staff_id": (await demo.sql("SELECT max(id) FROM staff"))[0][0] + 1,
        "device_id": (await demo.sql("SELECT max(id) FROM devices"))[0][0] + 1000,
        "area_id": (await demo.sql("SELECT min(id) FROM areas WHERE venue_id = :v", v=venue))[0][0],
        "slug": "demo",
        "language": "nl",
        "table_token": table_links.issue(secret, venue, await demo.table_id("6"), (0, 0)),
        "booking_token": booking_links.issue(secret, venue, 999_999),
        "order_id": 1,
    }


async def _ended_sessions(demo: Demo, elsewhere_device: int) -> dict[str, dict[str, str]]:
    """A manager demoted after signing in; a manager on a device since revoked; a
    manager's token naming a device of another venue."""
    r = await demo.call(
        "POST", "/api/staff", "manager", json={"name": "Mia", "roles": ["manager"], "pin": "5151"}
    )
    assert r.status_code == 201, r.text
    stale = await demo.sign_in("5151")
    r = await demo.call(
        "PATCH", f"/api/staff/{r.json()['id']}", "manager", json={"roles": ["waiter"]}
    )
    assert r.status_code == 200, r.text
    tablet = await demo.device(name="Bar tablet")
    revoked = await demo.sign_in("9999", device=tablet)
    tablet_id = int(tablet.split(".")[1])
    r = await demo.call("POST", f"/api/devices/{tablet_id}/revoke", "manager")
    assert r.status_code == 200, r.text
    own = demo.app.state.signer.verify(demo.headers["manager"]["Authorization"][7:])
    foreign = demo.app.state.signer.issue(
        msgspec.structs.replace(own, device_id=elsewhere_device), 600
    )
    return {
        "stale_manager": stale,
        "revoked_device_manager": revoked,
        "other_device_manager": {"Authorization": f"Bearer {foreign}"},
    }


def _callers(demo: Demo, other_manager: str) -> dict[str, dict[str, str]]:
    signer = demo.app.state.signer
    guest = signer.issue(Caller(kind="guest", venue_id=demo.venue_id, check_id=1), 600)
    return {
        "none": {},
        **{role: demo.headers[role] for role in STAFF},
        "guest": {"Authorization": f"Bearer {guest}"},
        "other_venue_manager": {"Authorization": f"Bearer {other_manager}"},
    }


async def test_authorization_matrix(demo: Demo) -> None:
    from pos_service import demo as demo_data

    async with demo.sessions() as session, session.begin():
        await demo_data.seed(session, demo.app.state.security, slug="elsewhere")
    other = await demo.sign_in("9999", "elsewhere")
    elsewhere_device = int(demo.devices["elsewhere"].split(".")[1])
    callers = {
        **_callers(demo, other["Authorization"][7:]),
        **await _ended_sessions(demo, elsewhere_device),
        **await _keys(demo),
    }
    ids = await _ids(demo)
    failures: list[str] = []
    for method, path in app_routes(demo.app):
        allowed = POLICY[(method, path)]
        url = path.format(**ids)
        for who, headers in callers.items():
            response = await demo.client.request(method, url, headers=headers, json={})
            code = response.status_code
            if allowed == PUBLIC:
                ok = code not in (401, 403)
            elif who == "none" or who in ENDED:
                ok = code == 401
            elif who.startswith("key "):
                may = key_may(who.removeprefix("key "), method, path)
                ok = code not in (401, 403) if may else code == 403
            elif who == "guest" or (who == "other_venue_manager" and "manager" not in allowed):
                ok = code == 403
            elif who == "other_venue_manager":
                ok = code in (404, 422) if "{" in path else code not in (401, 403)
            else:
                ok = (code not in (401, 403)) if who in allowed else code == 403
            if not ok:
                failures.append(f"{who:>20} {method} {path} -> {code} {response.text[:120]}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("token", ["garbage", "a.b", "eyJ.eyJ", "x" * 5000])
async def test_malformed_tokens_are_401(client: httpx.AsyncClient, token: str, demo: Demo) -> None:
    r = await client.get("/api/floor", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


async def test_wages_never_reach_a_waiter_host_or_the_kitchen(demo: Demo) -> None:
    """Every GET route a waiter, host, kitchen or bar member may call answers nothing of
    wages, while a member has one, is clocked in and is on a published roster."""
    anna = (await demo.sql("SELECT id FROM staff WHERE name = 'Anna'"))[0][0]
    r = await demo.call(
        "PUT", "/api/wages", "manager", json={"staff_id": anna, "hourly_wage": 4321}
    )
    assert r.status_code == 200, r.text
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    r = await demo.call(
        "POST",
        "/api/rosters/shifts",
        "manager",
        json={
            "staff_id": anna,
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
    assert (await demo.call("POST", "/api/staff/clock-in")).status_code == 201
    ids = await _ids(demo)
    leaks = []
    for method, path in app_routes(demo.app):
        if method != "GET":
            continue
        for role in ("waiter", "host", "kitchen", "bar"):
            if role not in POLICY[(method, path)]:
                continue
            response = await demo.call(method, path.format(**ids), role)
            # the wage as a JSON number of its own, not digits inside a timestamp or an id
            if "wage" in response.text.lower() or re.search(
                r"(?<![\d.:])4321(?![\d])", response.text
            ):
                leaks.append(f"{role} {path}: {response.text[:120]}")
    assert leaks == []
    # the managers' answer does carry it (the test can see a wage when there is one)
    assert "4321" in (await demo.call("GET", "/api/wages", "manager")).text
