"""Managing the menu through the API: create and change categories, items, modifier
groups, schedules, stations and courses; stale versions, bad input, archive, live events
and the audit trail (issue #16, point 2)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import Demo


async def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


async def _category(demo: Demo, name: str = "Lunch specials", **fields: Any) -> Any:
    body = {"name": name, "default_course": "main", **fields}
    return await _ok(await demo.call("POST", "/api/menu/categories", "manager", json=body), 201)


async def _item(demo: Demo, category_id: int, name: str = "Soup of the day", **fields: Any) -> Any:
    body = {"category_id": category_id, "name": name, "price": 750, "tax_rate_ppm": 70000}
    body.update(fields)
    return await _ok(await demo.call("POST", "/api/menu/items", "manager", json=body), 201)


async def _events(demo: Demo, type_: str) -> list[Any]:
    rows = await demo.sql(
        "SELECT data FROM events WHERE venue_id = :v AND type = :t ORDER BY seq",
        v=demo.venue_id,
        t=type_,
    )
    return [r[0] for r in rows]


async def test_a_new_category_and_item_are_on_the_menu_and_orderable(demo: Demo) -> None:
    hot = next(s for s in (await demo.menu())["stations"] if s["name"] == "hot")
    group = await _ok(
        await demo.call(
            "POST",
            "/api/menu/modifier-groups",
            "manager",
            json={
                "name": "Bread",
                "min_choices": 1,
                "max_choices": 1,
                "options": [{"name": "white"}, {"name": "rye", "price_delta": 50}],
            },
        ),
        201,
    )
    category = await _category(demo, station_id=hot["id"])
    item = await _item(
        demo,
        category["id"],
        allergens=["celery", "gluten"],
        modifier_group_ids=[group["id"]],
        prep_minutes=4,
        description="changes daily",
    )
    assert item["tax_rate_ppm"] == 70000 and item["station_id"] == hot["id"]
    assert item["default_course"] == "main" and item["version"] == 1
    assert [g["name"] for g in item["modifier_groups"]] == ["Bread"]

    menu = await _ok(await demo.call("GET", "/api/menu"))
    listed = next(c for c in menu["categories"] if c["name"] == "Lunch specials")
    assert [i["name"] for i in listed["items"]] == ["Soup of the day"]
    assert listed["items"][0]["allergens"] == ["celery", "gluten"]

    check = await demo.open_check()
    rye = next(o["id"] for o in group["options"] if o["name"] == "rye")
    line = await _ok(
        await demo.call(
            "POST",
            f"/api/checks/{check['id']}/lines",
            json={"item_id": item["id"], "modifiers": [rye]},
        ),
        201,
    )
    assert line["lines"][0]["unit_price"] == 800 and line["lines"][0]["tax_rate_ppm"] == 70000
    saved = await _events(demo, "menu.item_saved")
    assert saved[-1]["item"]["name"] == "Soup of the day"
    assert (await _events(demo, "menu.group_saved"))[-1]["group"]["name"] == "Bread"


async def test_bad_input_is_422_naming_the_field_and_changes_nothing(demo: Demo) -> None:
    category = await _category(demo)
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        ("POST", "/api/menu/items", {"price": -1}, "price"),
        ("POST", "/api/menu/items", {"station_id": 999999}, "station_id"),
        ("POST", "/api/menu/items", {"category_id": 999999}, "category_id"),
        ("POST", "/api/menu/items", {"default_course": "fish"}, "default_course"),
        ("POST", "/api/menu/items", {"allergens": ["gluten", "garlic"]}, "allergens"),
        ("POST", "/api/menu/items", {"tax_rate_ppm": 1_000_001}, "tax_rate_ppm"),
        ("POST", "/api/menu/items", {"modifier_group_ids": [999999]}, "modifier_group_ids"),
        ("POST", "/api/menu/items", {"name": ""}, "name"),
    ]
    base = {"category_id": category["id"], "name": "Bad", "price": 100, "tax_rate_ppm": 70000}
    for method, path, change, field in cases:
        r = await demo.call(method, path, "manager", json={**base, **change})
        assert r.status_code == 422, (change, r.text)
        assert r.json()["field"].startswith(field), (change, r.json())
    r = await demo.call(
        "POST",
        "/api/menu/modifier-groups",
        "manager",
        json={"name": "Sauces", "min_choices": 3, "max_choices": 2},
    )
    assert r.status_code == 422 and r.json()["field"] == "min_choices"
    r = await demo.call(
        "POST",
        "/api/menu/categories",
        "manager",
        json={"name": "X", "default_course": "main", "station_id": 999999},
    )
    assert r.status_code == 422 and r.json()["field"] == "station_id"
    names = await demo.sql(
        "SELECT name FROM items WHERE venue_id = :v AND name = 'Bad' UNION ALL "
        "SELECT name FROM modifier_groups WHERE venue_id = :v AND name = 'Sauces' UNION ALL "
        "SELECT name FROM categories WHERE venue_id = :v AND name = 'X'",
        v=demo.venue_id,
    )
    assert names == []


async def test_a_stale_version_is_409_with_the_current_item(demo: Demo) -> None:
    burrata = await demo.item("Burrata")
    first = await _ok(
        await demo.call(
            "PATCH",
            f"/api/menu/items/{burrata['id']}",
            "manager",
            json={"version": burrata["version"], "price": 1350},
        )
    )
    assert first["version"] == burrata["version"] + 1 and first["price"] == 1350
    r = await demo.call(
        "PATCH",
        f"/api/menu/items/{burrata['id']}",
        "manager",
        json={"version": burrata["version"], "price": 1},
    )
    assert r.status_code == 409 and r.json()["field"] == "version"
    assert r.json()["current"]["price"] == 1350
    r = await demo.call("PATCH", f"/api/menu/items/{burrata['id']}", "manager", json={"price": 1})
    assert r.status_code == 422 and r.json()["field"] == "version"
    assert (await demo.sql("SELECT price FROM items WHERE id = :i", i=burrata["id"]))[0][0] == 1350


async def test_only_managers_change_what_an_item_is(demo: Demo) -> None:
    burrata = await demo.item("Burrata")
    r = await demo.call(
        "PATCH",
        f"/api/menu/items/{burrata['id']}",
        "kitchen",
        json={"version": burrata["version"], "price": 1},
    )
    assert r.status_code == 403 and r.json()["field"] == "price"
    r = await demo.call(
        "PATCH", f"/api/menu/items/{burrata['id']}", "kitchen", json={"available": False}
    )
    assert r.status_code == 200 and r.json()["version"] == burrata["version"]
    body = {"name": "Soup", "default_course": "main"}
    assert (await demo.call("POST", "/api/menu/categories", "waiter", json=body)).status_code == 403


async def test_price_change_mid_service_leaves_open_checks_alone(demo: Demo) -> None:
    check = await demo.open_check()
    await _ok(await demo.add(check["id"], "Ribeye", 1, ("medium", "truffle fries")), 201)
    ribeye = await demo.item("Ribeye")
    side = next(g for g in ribeye["modifier_groups"] if g["name"] == "Side")
    truffle = next(o for o in side["options"] if o["name"] == "truffle fries")
    before = await _ok(await demo.call("GET", f"/api/checks/{check['id']}"))
    bill_before = await _ok(await demo.call("GET", f"/api/checks/{check['id']}/bill"))

    await _ok(
        await demo.call(
            "PATCH",
            f"/api/menu/items/{ribeye['id']}",
            "manager",
            json={
                "version": ribeye["version"],
                "price": ribeye["price"] + 500,
                "tax_rate_ppm": 190000,
            },
        )
    )
    await _ok(
        await demo.call(
            "PATCH",
            f"/api/menu/options/{truffle['id']}",
            "manager",
            json={"version": truffle["version"], "price_delta": 900, "name": "black truffle"},
        )
    )
    after = await _ok(await demo.call("GET", f"/api/checks/{check['id']}"))
    assert after["lines"] == before["lines"]
    bill_after = await _ok(await demo.call("GET", f"/api/checks/{check['id']}/bill"))
    assert bill_after["total"] == bill_before["total"]
    assert bill_after["taxes"] == bill_before["taxes"]
    # a line added now takes the new price
    now = await _ok(await demo.add(check["id"], "Ribeye", 1, ("medium", "fries")), 201)
    assert now["lines"][-1]["unit_price"] == ribeye["price"] + 500
    assert now["lines"][-1]["tax_rate_ppm"] == 190000


async def test_an_ordered_item_is_archived_and_reports_still_name_it(demo: Demo) -> None:
    check = await demo.open_check()
    await _ok(await demo.add(check["id"], "Burrata"), 201)
    burrata = await demo.item("Burrata")
    removed = await _ok(await demo.call("DELETE", f"/api/menu/items/{burrata['id']}", "manager"))
    assert removed == {"id": burrata["id"], "outcome": "archived"}
    menu = await _ok(await demo.call("GET", "/api/menu"))
    assert "Burrata" not in {i["name"] for c in menu["categories"] for i in c["items"]}
    editor = await _ok(await demo.call("GET", "/api/menu", "manager", params={"archived": "true"}))
    kept = [i for c in editor["categories"] for i in c["items"] if i["name"] == "Burrata"]
    assert kept and kept[0]["archived"] is True
    lines = (await _ok(await demo.call("GET", f"/api/checks/{check['id']}")))["lines"]
    assert lines[0]["name"] == "Burrata"
    r = await demo.call("POST", f"/api/checks/{check['id']}/lines", json={"item_id": burrata["id"]})
    assert r.status_code == 409 and r.json()["field"] == "item_id"
    # a new item nobody ordered is deleted outright
    category = await _category(demo)
    item = await _item(demo, category["id"])
    gone = await _ok(await demo.call("DELETE", f"/api/menu/items/{item['id']}", "manager"))
    assert gone["outcome"] == "deleted"
    assert await demo.sql("SELECT 1 FROM items WHERE id = :i", i=item["id"]) == []


async def test_a_schedule_limits_when_an_item_is_ordered(demo: Demo) -> None:
    local = dt.datetime.now(ZoneInfo("Europe/Berlin"))
    later = (local + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    after = (local + dt.timedelta(hours=3)).time().replace(second=0, microsecond=0)
    schedule = await _ok(
        await demo.call(
            "POST",
            "/api/menu/schedules",
            "manager",
            json={
                "name": "Lunch",
                "weekdays": [1, 2, 3, 4, 5, 6, 7],
                "starts": later.isoformat(),
                "ends": after.isoformat(),
            },
        ),
        201,
    )
    category = await _category(demo, schedule_ids=[schedule["id"]])
    item = await _item(demo, category["id"])
    check = await demo.open_check()
    r = await demo.call("POST", f"/api/checks/{check['id']}/lines", json={"item_id": item["id"]})
    assert r.status_code == 422 and r.json()["field"] == "item_id"
    assert "Soup of the day" in r.json()["detail"] and "Lunch" in r.json()["detail"]
    # the manager moves lunch to now: orderable
    start = (local - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    await _ok(
        await demo.call(
            "PATCH",
            f"/api/menu/schedules/{schedule['id']}",
            "manager",
            json={"version": schedule["version"], "starts": start.isoformat()},
        )
    )
    await _ok(
        await demo.call("POST", f"/api/checks/{check['id']}/lines", json={"item_id": item["id"]}),
        201,
    )
    menu = await _ok(await demo.call("GET", "/api/menu"))
    assert menu["timezone"] == "Europe/Berlin"
    assert [s["name"] for s in menu["schedules"]] == ["Lunch"]


async def test_stations_and_courses(demo: Demo) -> None:
    station = await _ok(
        await demo.call(
            "POST", "/api/menu/stations", "manager", json={"name": "grill", "kind": "kitchen"}
        ),
        201,
    )
    category = await _category(demo, station_id=station["id"])
    r = await demo.call("DELETE", f"/api/menu/stations/{station['id']}", "manager")
    assert r.status_code == 409 and r.json()["field"] == "station_id"
    renamed = await _ok(
        await demo.call(
            "PATCH",
            f"/api/menu/stations/{station['id']}",
            "manager",
            json={"version": 1, "name": "wood-grill", "late_minutes": 25},
        )
    )
    assert renamed["version"] == 2 and renamed["name"] == "wood-grill"
    r = await demo.call(
        "PATCH", f"/api/menu/stations/{station['id']}", "manager", json={"version": 1}
    )
    assert r.status_code == 409 and r.json()["current"]["name"] == "wood-grill"

    courses = await _ok(await demo.call("GET", "/api/menu/courses"))
    assert courses == {"courses": ["drinks", "starter", "main", "dessert"], "version": 0}
    new = ["drinks", "amuse", "starter", "main", "cheese", "dessert"]
    changed = await _ok(
        await demo.call("PUT", "/api/menu/courses", "manager", json={"courses": new, "version": 0})
    )
    assert changed == {"courses": new, "version": 1}
    r = await demo.call("PUT", "/api/menu/courses", "manager", json={"courses": new, "version": 0})
    assert r.status_code == 409
    r = await demo.call(
        "PUT", "/api/menu/courses", "manager", json={"courses": ["drinks", "starter"], "version": 1}
    )
    assert r.status_code == 422 and r.json()["field"] == "courses"
    check = await demo.open_check()
    await _ok(await demo.add(check["id"], "Burrata", course="amuse"), 201)
    assert (await _events(demo, "menu.courses_changed"))[-1]["courses"] == new
    assert category["station_id"] == station["id"]


async def test_changes_are_audited_and_idempotent(demo: Demo) -> None:
    body = {"name": "Brunch", "default_course": "main"}
    first = await demo.call("POST", "/api/menu/categories", "manager", key="cat-1", json=body)
    again = await demo.call("POST", "/api/menu/categories", "manager", key="cat-1", json=body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(await demo.sql("SELECT 1 FROM categories WHERE name = 'Brunch'")) == 1
    burrata = await demo.item("Burrata")
    await _ok(
        await demo.call(
            "PATCH",
            f"/api/menu/items/{burrata['id']}",
            "manager",
            json={"version": burrata["version"], "price": 1400},
        )
    )
    audit = await _ok(await demo.call("GET", "/api/audit", "manager", params={"action": "menu."}))
    entries = audit["entries"] if isinstance(audit, dict) else audit
    changed = next(e for e in entries if e["action"] == "menu.item_changed")
    assert changed["detail"]["price"] == [burrata["price"], 1400]
    assert any(e["action"] == "menu.category_created" for e in entries)


async def test_a_category_with_items_is_not_removed(demo: Demo) -> None:
    starters = (await demo.menu())["categories"][0]
    r = await demo.call("DELETE", f"/api/menu/categories/{starters['id']}", "manager")
    assert r.status_code == 409 and r.json()["field"] == "category_id"
    r = await demo.call(
        "PATCH",
        f"/api/menu/categories/{starters['id']}",
        "manager",
        json={"version": starters["version"], "archived": True},
    )
    assert r.status_code == 409 and r.json()["field"] == "category_id"
    empty = await _category(demo, "Empty")
    gone = await demo.call("DELETE", f"/api/menu/categories/{empty['id']}", "manager")
    assert gone.status_code == 200 and gone.json()["outcome"] == "deleted"


async def test_racing_editors_get_one_success_and_one_409(demo: Demo) -> None:
    category = await _category(demo)
    body = {"category_id": category["id"], "name": "Twin", "price": 100, "tax_rate_ppm": 70000}
    created = await asyncio.gather(
        *[demo.call("POST", "/api/menu/items", "manager", json=body) for _ in range(4)]
    )
    assert sorted(r.status_code for r in created) == [201, 409, 409, 409]
    item = next(r.json() for r in created if r.status_code == 201)
    patched = await asyncio.gather(
        *[
            demo.call(
                "PATCH",
                f"/api/menu/items/{item['id']}",
                "manager",
                json={"version": item["version"], "price": price},
            )
            for price in (200, 300, 400)
        ]
    )
    assert sorted(r.status_code for r in patched) == [200, 409, 409]
    winner = next(r.json() for r in patched if r.status_code == 200)
    assert all(
        r.json()["current"]["price"] == winner["price"] for r in patched if r.status_code == 409
    )


async def test_a_sold_item_renamed_and_archived_is_still_named_by_the_sales_report(
    demo: Demo,
) -> None:
    check = await demo.open_check()
    await _ok(await demo.add(check["id"], "Burrata", 2), 201)
    await _ok(await demo.call("POST", f"/api/checks/{check['id']}/send", json={}))
    paid = await demo.call("POST", f"/api/checks/{check['id']}/payments", json={"method": "cash"})
    assert paid.status_code == 201, paid.text
    burrata = await demo.item("Burrata")
    await _ok(
        await demo.call(
            "PATCH",
            f"/api/menu/items/{burrata['id']}",
            "manager",
            json={"version": burrata["version"], "name": "Burrata pugliese", "price": 1500},
        )
    )
    removed = await _ok(await demo.call("DELETE", f"/api/menu/items/{burrata['id']}", "manager"))
    assert removed["outcome"] == "archived"
    day = (await demo.call("GET", "/api/reports/x", "manager")).json()["business_date"]
    report = await _ok(
        await demo.call(
            "GET",
            "/api/reports/sales",
            "manager",
            params={"from": day, "to": day, "group": "item"},
        )
    )
    rows = {row["label"]: row for row in report["rows"]}
    assert "Burrata" in rows and "Burrata pugliese" not in rows
    assert rows["Burrata"]["total"] == 2 * burrata["price"]
