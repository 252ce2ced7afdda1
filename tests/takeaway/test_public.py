"""The public order page's API: the menu without staff data, pickup slots with a cap,
an order checked whole (422 naming the field, nothing half-written), its signed link,
card payment through the provider, and a flood from one address throttled (429)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from tests.conftest import Demo
from tests.kitchen.support import screen
from tests.takeaway.support import count, line, next_local, online

BASE = "/api/public/venues/demo"


async def order_body(demo: Demo, pickup: dt.datetime, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Carla",
        "email": "carla@example.org",
        "pickup_at": pickup.isoformat(),
        "lines": [await line(demo, "Burger", "medium", "fries", "bacon")],
        **extra,
    }


async def test_a_venue_is_not_public_until_it_says_so(demo: Demo) -> None:
    r = await demo.client.get(f"{BASE}/menu")
    assert r.status_code == 404 and r.json()["field"] == "slug"
    await online(demo)
    r = await demo.client.get(f"{BASE}/menu")
    assert r.status_code == 200
    menu = r.json()
    assert menu["venue"] == "Trattoria Demo"
    burger = next(i for c in menu["categories"] for i in c["items"] if i["name"] == "Burger")
    assert [g["name"] for g in burger["modifier_groups"]] == ["Cooking", "Side", "Extras"]
    assert burger["allergens"] == ["gluten", "milk", "mustard"]
    text = r.text
    for staff_only in ("station", "remaining", "prep_minutes", "waiter", "pin"):
        assert staff_only not in text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in r.headers


async def test_an_order_is_placed_held_and_opened_by_its_link(demo: Demo) -> None:
    await online(demo)
    pickup = next_local(19, 30)
    r = await demo.client.post(f"{BASE}/orders", json=await order_body(demo, pickup))
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["number"] == 1 and order["state"] == "held"
    assert order["total"] == 1850 + 200 and order["paid"] == 0
    assert order["lines"][0]["modifiers"] == ["medium", "fries", "bacon"]
    assert order["status_url"] == f"/order/demo/status/{order['token']}"
    assert {t["state"] for t in await screen(demo, state="all")} == {"held"}
    r = await demo.client.get(f"/api/public/orders/{order['token']}")
    assert r.status_code == 200 and r.json()["number"] == 1
    assert (await demo.client.get("/api/public/orders/forged.token")).status_code == 401
    (staff,) = (
        await demo.call("GET", "/api/takeaway", params={"day": pickup.date().isoformat()})
    ).json()["orders"]
    assert staff["channel"] == "online" and staff["customer_email"] == "carla@example.org"


async def test_card_payment_goes_through_the_provider(demo: Demo) -> None:
    await online(demo)
    pickup = next_local(19, 30)
    r = await demo.client.post(
        f"{BASE}/orders", json=await order_body(demo, pickup, payment="card")
    )
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    r = await demo.client.post(f"/api/guest/{token}/payments", json={})
    assert r.status_code == 201, r.text
    payment = r.json()["payment"]
    assert payment["status"] == "pending"
    for _ in range(10):
        r = await demo.client.post(f"/api/guest/{token}/payments/{payment['id']}/poll")
        if r.json()["payment"]["status"] != "pending":
            break
        await asyncio.sleep(0.5)
    assert r.json()["payment"]["status"] == "approved"
    assert (await demo.client.get(f"/api/public/orders/{token}")).json()["paid"] == 2050


async def test_bad_input_names_the_field_and_writes_nothing(demo: Demo) -> None:
    await online(demo)
    pickup = next_local(19, 30)
    before = [await count(demo, t) for t in ("checks", "check_lines", "takeaway_orders", "events")]
    good = await order_body(demo, pickup)
    burger_without_side = await line(demo, "Burger", "medium")
    cases: list[tuple[dict[str, Any], str]] = [
        ({**good, "lines": [good["lines"][0], burger_without_side]}, "lines[1].modifiers"),
        ({**good, "email": None}, "email"),
        ({**good, "email": "not an address"}, "email"),
        ({**good, "pickup_at": pickup.replace(tzinfo=None).isoformat()}, "pickup_at"),
        (
            {**good, "pickup_at": (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()},
            "pickup_at",
        ),
        ({**good, "lines": []}, "lines"),
        ({**good, "lines": [{"item_id": 999999}]}, "lines[0].item_id"),
        ({**good, "name": ""}, "name"),
        ({**good, "payment": "cash"}, "payment"),
    ]
    for body, field in cases:
        r = await demo.client.post(f"{BASE}/orders", json=body)
        assert r.status_code in (400, 404, 422), (field, r.status_code, r.text)
        assert r.json()["field"] == field, (field, r.text)
    r = await demo.client.post(f"{BASE}/orders", json={**good, "table_id": 1})
    assert r.status_code == 422 and "table_id" in r.json()["detail"]
    after = [await count(demo, t) for t in ("checks", "check_lines", "takeaway_orders", "events")]
    assert after == before


async def test_an_86_item_and_opening_hours_are_respected(demo: Demo) -> None:
    pickup = next_local(19, 30)
    weekday = pickup.isoweekday()
    await online(
        demo, opening_hours=[{"weekdays": [weekday], "starts": "17:00:00", "ends": "22:00:00"}]
    )
    burger = await demo.item("Burger")
    r = await demo.call(
        "PATCH", f"/api/menu/items/{burger['id']}", "manager", json={"available": False}
    )
    assert r.status_code == 200, r.text
    menu = (await demo.client.get(f"{BASE}/menu")).json()
    assert not next(i for c in menu["categories"] for i in c["items"] if i["name"] == "Burger")[
        "available"
    ]
    r = await demo.client.post(f"{BASE}/orders", json=await order_body(demo, pickup))
    assert r.status_code == 409 and r.json()["field"] == "lines[0].item_id"
    body = await order_body(demo, pickup)
    body["lines"] = [await line(demo, "Lasagne")]
    early = pickup.replace(hour=12, minute=0)
    r = await demo.client.post(f"{BASE}/orders", json={**body, "pickup_at": early.isoformat()})
    assert r.status_code == 422 and r.json()["field"] == "pickup_at"
    r = await demo.client.post(f"{BASE}/orders", json=body)
    assert r.status_code == 201, r.text
    slots = (
        await demo.client.get(f"{BASE}/slots", params={"date": pickup.date().isoformat()})
    ).json()
    local = [
        dt.datetime.fromisoformat(s["starts"]).astimezone(pickup.tzinfo) for s in slots["slots"]
    ]
    assert local and all(17 <= t.hour < 22 for t in local)


async def test_a_full_slot_is_refused(demo: Demo) -> None:
    await online(demo, slot_cap=2)
    pickup = next_local(19, 30)
    for _ in range(2):
        r = await demo.client.post(f"{BASE}/orders", json=await order_body(demo, pickup))
        assert r.status_code == 201, r.text
    r = await demo.client.post(
        f"{BASE}/orders", json=await order_body(demo, pickup + dt.timedelta(minutes=5))
    )
    assert r.status_code == 409 and r.json()["field"] == "pickup_at"
    slots = (
        await demo.client.get(f"{BASE}/slots", params={"date": pickup.date().isoformat()})
    ).json()
    starts = [dt.datetime.fromisoformat(s["starts"]) for s in slots["slots"]]
    assert pickup not in starts and pickup + dt.timedelta(minutes=15) in starts


async def test_a_flood_from_one_address_is_throttled(demo: Demo) -> None:
    await online(demo)
    limit = demo.app.state.settings.public_per_address_per_minute
    codes = [(await demo.client.get(f"{BASE}/menu")).status_code for _ in range(limit)]
    assert set(codes) == {200}
    r = await demo.client.get(f"{BASE}/menu")
    assert r.status_code == 429
    assert 1 <= int(r.headers["retry-after"]) <= 61
    assert r.json()["field"] == "address"
    r = await demo.client.post(f"{BASE}/orders", json={"name": ""})
    assert r.status_code == 429  # charged before anything is read or written
    assert (await demo.client.get("/api/public/venues/nowhere/menu")).status_code == 429


async def test_two_guests_racing_for_a_slots_last_place_get_one_order(demo: Demo) -> None:
    await online(demo, slot_cap=1)
    pickup = next_local(19, 30)
    bodies = [await order_body(demo, pickup, name=name) for name in ("Ada", "Bo", "Cy")]
    answers = await asyncio.gather(
        *(demo.client.post(f"{BASE}/orders", json=body) for body in bodies)
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409]
    assert await count(demo, "takeaway_orders") == 1
