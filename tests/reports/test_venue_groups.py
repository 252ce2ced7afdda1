"""A venue group: its owner sees every venue and their sales, staff work at several
venues with one PIN, and a menu is copied from one venue to another."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from pos_service import demo as demo_data
from tests.conftest import Demo
from tests.payments.helpers import check_with, pay


async def _execute(demo: Demo, query: str, **params: Any) -> None:
    async with demo.sessions() as session, session.begin():
        await session.execute(text(query), params)


async def _join_group(demo: Demo, slug: str) -> None:
    await _execute(
        demo,
        "UPDATE venues SET group_id = (SELECT group_id FROM venues WHERE id = :v) WHERE slug = :s",
        v=demo.venue_id,
        s=slug,
    )


async def _seeded(demo: Demo, slug: str) -> None:
    async with demo.sessions() as session, session.begin():
        await demo_data.seed(session, demo.app.state.security, slug=slug)
    await _join_group(demo, slug)


async def _empty(demo: Demo, slug: str) -> None:
    await _execute(
        demo,
        "INSERT INTO venues (slug, name, currency, timezone, tax_inclusive, courses) "
        "VALUES (:s, 'New place', 'EUR', 'Europe/Berlin', true, "
        "ARRAY['drinks', 'starter', 'main', 'dessert'])",
        s=slug,
    )
    await _join_group(demo, slug)


async def _token(demo: Demo, venue: str, pin: str) -> dict[str, str]:
    r = await demo.client.post("/api/auth/login", json={"venue": venue, "pin": pin})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def test_the_owner_sees_every_venue_and_their_sales(demo: Demo) -> None:
    await _seeded(demo, "uptown")
    await pay(demo, (await check_with(demo, ("Burrata", 1, None)))["id"], method="cash")
    uptown = await _token(demo, "uptown", "1111")
    [(table,)] = await demo.sql(
        "SELECT t.id FROM dining_tables t JOIN venues v ON v.id = t.venue_id "
        "WHERE v.slug = 'uptown' AND t.name = '7'"
    )
    r = await demo.client.post("/api/checks", headers=uptown, json={"table_id": table, "covers": 2})
    check = r.json()["id"]
    [(lasagne,)] = await demo.sql(
        "SELECT i.id FROM items i JOIN venues v ON v.id = i.venue_id "
        "WHERE v.slug = 'uptown' AND i.name = 'Lasagne'"
    )
    r = await demo.client.post(
        f"/api/checks/{check}/lines", headers=uptown, json={"item_id": lasagne, "quantity": 2}
    )
    assert r.status_code == 201, r.text
    r = await demo.client.post(
        f"/api/checks/{check}/payments", headers=uptown, json={"method": "cash"}
    )
    assert r.status_code == 201, r.text

    venues = (await demo.call("GET", "/api/group/venues", "owner")).json()
    assert [v["slug"] for v in venues["venues"]] == ["demo", "uptown"]
    r = await demo.call("GET", "/api/group/reports/sales", "owner", params={"group": "item"})
    assert r.status_code == 200, r.text
    report = r.json()
    totals = {v["slug"]: v["report"]["total"] for v in report["venues"]}
    assert totals == {"demo": 1350, "uptown": 3700}
    mine = (
        await demo.call("GET", "/api/reports/sales", "manager", params={"group": "item"})
    ).json()
    assert report["venues"][0]["report"]["rows"] == mine["rows"]
    [eur] = report["totals"]
    assert (eur["currency"], eur["venues"], eur["checks"], eur["total"]) == ("EUR", 2, 2, 5050)
    csv = await demo.call("GET", "/api/group/reports/sales?group=item&format=csv", "owner")
    lines = csv.text.splitlines()
    assert lines[0].startswith("venue,currency,key,label,checks")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["demo", "uptown"]
    # a manager is no owner
    assert (await demo.call("GET", "/api/group/venues", "manager")).status_code == 403


async def test_a_member_signs_in_at_another_venue_of_the_group_with_one_pin(
    demo: Demo,
) -> None:
    await _empty(demo, "harbour")
    marco = next(
        m for m in (await demo.call("GET", "/api/staff", "manager")).json() if m["name"] == "Marco"
    )
    body = {"home_venue": "demo", "staff_id": marco["id"], "venue": "harbour", "roles": ["manager"]}
    r = await demo.call("POST", "/api/group/memberships", "owner", json=body)
    assert r.status_code == 201, r.text
    assert (r.json()["name"], r.json()["home_venue"]) == ("Marco", "demo")
    assert (
        await demo.call("POST", "/api/group/memberships", "owner", json=body)
    ).status_code == 409
    harbour = await _token(demo, "harbour", "9999")
    listed = (await demo.client.get("/api/staff", headers=harbour)).json()
    assert [(m["name"], m["roles"], m["home_venue"]) for m in listed] == [
        ("Marco", ["manager"], "demo")
    ]
    # the PIN is kept at home: changed there, it changes here
    r = await demo.client.patch(
        f"/api/staff/{listed[0]['id']}", headers=harbour, json={"pin": "4321"}
    )
    assert r.status_code == 422 and r.json()["field"] == "pin"
    r = await demo.call("PATCH", f"/api/staff/{marco['id']}", "manager", json={"pin": "4321"})
    assert r.status_code == 200
    await _token(demo, "harbour", "4321")
    r = await demo.client.post("/api/auth/login", json={"venue": "harbour", "pin": "9999"})
    assert r.status_code == 401
    # a PIN is unique across the group: harbour cannot hand out a PIN used in demo
    r = await demo.client.post(
        "/api/staff", headers=harbour, json={"name": "Nico", "roles": ["waiter"], "pin": "1111"}
    )
    assert r.status_code == 409 and "venue group" in r.json()["detail"]
    outsider = {**body, "venue": "nowhere"}
    r = await demo.call("POST", "/api/group/memberships", "owner", json=outsider)
    assert r.status_code == 404 and r.json()["field"] == "venue"


async def test_a_menu_is_copied_with_new_ids_into_an_empty_venue(demo: Demo) -> None:
    await _empty(demo, "harbour")
    await _execute(
        demo,
        "INSERT INTO stations (venue_id, name, kind) "
        "SELECT id, 'bar', 'bar' FROM venues WHERE slug = 'harbour'",
    )
    body = {"from_venue": "demo", "to_venue": "harbour"}
    assert (await demo.call("POST", "/api/menu/copy", "manager", json=body)).status_code == 403
    r = await demo.call("POST", "/api/menu/copy", "owner", json=body)
    assert r.status_code == 201, r.text
    result = r.json()
    assert (result["stations"], result["categories"], result["items"]) == (3, 4, 40)
    assert (result["modifier_groups"], result["options"]) == (7, 23)
    again = await demo.call("POST", "/api/menu/copy", "owner", json=body)
    assert again.status_code == 409 and again.json()["field"] == "to_venue"
    r = await demo.call("POST", "/api/menu/copy", "owner", json={**body, "to_venue": "demo"})
    assert r.status_code == 422

    marco = next(
        m for m in (await demo.call("GET", "/api/staff", "manager")).json() if m["name"] == "Marco"
    )
    membership = {
        "home_venue": "demo",
        "staff_id": marco["id"],
        "venue": "harbour",
        "roles": ["manager"],
    }
    assert (
        await demo.call("POST", "/api/group/memberships", "owner", json=membership)
    ).status_code == 201
    copied = (
        await demo.client.get("/api/menu", headers=await _token(demo, "harbour", "9999"))
    ).json()
    original = (await demo.call("GET", "/api/menu", "manager")).json()

    def shape(menu: dict[str, Any]) -> list[Any]:
        stations = {s["id"]: s["name"] for s in menu["stations"]}
        return [
            (
                c["name"],
                [
                    (
                        i["name"],
                        i["price"],
                        i["tax_rate_ppm"],
                        stations.get(i["station_id"]),
                        [
                            (g["name"], [o["name"] for o in g["options"]])
                            for g in i["modifier_groups"]
                        ],
                    )
                    for i in c["items"]
                ],
            )
            for c in menu["categories"]
        ]

    # every reference (station, category, modifier group) points into the new venue
    assert shape(copied) == shape(original)
