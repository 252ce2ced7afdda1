"""The guest book: profiles with consent and allergies, export, erasure on request."""

from __future__ import annotations

import datetime as dt

from tests.conftest import Demo
from tests.guests.test_loyalty import link, loyalty
from tests.payments.helpers import check_with, pay


async def test_profiles_are_created_and_changed_by_hosts(demo: Demo) -> None:
    body = {"name": "Grace", "phone": "+1 555 0100", "allergens": ["nuts"], "tags": ["vip"]}
    r = await demo.call("POST", "/api/guests", "host", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["phone"], created["marketing_consent"]) == ("+15550100", False)
    twin = await demo.call("POST", "/api/guests", "host", json={**body, "phone": "+15550100"})
    assert twin.status_code == 409 and twin.json()["guest_id"] == created["id"]

    r = await demo.call(
        "PATCH",
        f"/api/guests/{created['id']}",
        "host",
        json={"marketing_consent": True, "allergens": ["nuts", "crustaceans"], "email": "G@x.org"},
    )
    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["marketing_consent"] and changed["consent_changed_at"] is not None
    assert (changed["allergens"], changed["email"]) == (["crustaceans", "nuts"], "g@x.org")
    waiter = await demo.call("GET", f"/api/guests/{created['id']}", "waiter")
    assert waiter.status_code == 403
    check = await check_with(demo, ("Burrata", 1, None))
    seen = await link(demo, check["id"], phone="+1 (555) 0100")
    assert seen["allergens"] == ["crustaceans", "nuts"] and seen["guest_id"] == created["id"]


async def test_export_holds_everything_and_erasure_keeps_the_money(demo: Demo) -> None:
    await loyalty(demo)
    starts = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    booking = await demo.call(
        "POST",
        "/api/reservations",
        "host",
        json={
            "name": "Ada Lovelace",
            "party_size": 2,
            "phone": "+44 20 7946 0958",
            "email": "ada@example.org",
            "notes": "window, please",
            "starts_at": starts.isoformat(),
        },
    )
    assert booking.status_code == 201, booking.text
    guest_id = booking.json()["guest_id"]
    check = await check_with(demo, ("Burrata", 1, None))
    await link(demo, check["id"], guest_id=guest_id)
    await pay(demo, check["id"], method="cash")

    export = await demo.call("GET", f"/api/guests/{guest_id}/export", "manager")
    assert export.status_code == 200, export.text
    held = export.json()
    assert held["profile"]["email"] == "ada@example.org" and held["profile"]["points"] == 13
    assert [r["notes"] for r in held["reservations"]] == ["window, please"]
    assert [(m["kind"], m["points"], m["check_id"]) for m in held["loyalty"]] == [
        ("earn", 13, check["id"])
    ]
    assert held["profile"]["checks"][0]["total"] == 1350
    assert (await demo.call("DELETE", f"/api/guests/{guest_id}", "host")).status_code == 403

    gone = await demo.call("DELETE", f"/api/guests/{guest_id}", "manager")
    assert gone.status_code == 204, gone.text
    assert (await demo.call("GET", f"/api/guests/{guest_id}", "host")).status_code == 404
    found = await demo.call("GET", "/api/guests", "host", params={"phone": "+44 20 7946 0958"})
    assert found.json() == []
    stored = await demo.sql(
        "SELECT name, phone, email, notes FROM reservations WHERE venue_id = :v", v=demo.venue_id
    )
    assert stored == [("(erased)", None, None, "")]
    assert await demo.sql("SELECT 1 FROM guest_checks WHERE venue_id = :v", v=demo.venue_id) == []
    closed = await demo.call("GET", f"/api/checks/{check['id']}/bill")
    assert (closed.json()["status"], closed.json()["paid"]) == ("closed", 1350)
    verified = await demo.call("GET", "/api/journal/verify", "manager")
    assert verified.json()["ok"] and verified.json()["entries"] == 2
    again = await demo.call("POST", f"/api/checks/{check['id']}/guest", json={"guest_id": guest_id})
    assert again.status_code in (404, 409)
