"""Stock: sends consume recipes, alerts at the low level, 86 at zero, counts logged."""

from __future__ import annotations

import asyncio
from typing import Any

from pos_service.core.auth import Caller
from pos_service.core.live import topic_refusal
from tests.conftest import Demo
from tests.payments.helpers import check_with


async def stock_item(demo: Demo, name: str, on_hand: int, low_at: int = 0, unit: str = "g") -> int:
    body = {"name": name, "unit": unit, "on_hand": on_hand, "low_at": low_at}
    r = await demo.call("POST", "/api/stock/items", "manager", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def recipe(demo: Demo, item: str, **quantities: int) -> dict[str, Any]:
    ids = {s["name"]: s["id"] for s in (await demo.call("GET", "/api/stock", "kitchen")).json()}
    lines = [{"stock_item_id": ids[n], "quantity": q} for n, q in quantities.items()]
    item_id = (await demo.item(item))["id"]
    r = await demo.call("PUT", f"/api/stock/recipes/{item_id}", "manager", json={"lines": lines})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def send(demo: Demo, check_id: int) -> Any:
    return await demo.call("POST", f"/api/checks/{check_id}/send", json={})


async def levels(demo: Demo) -> dict[str, int]:
    return {
        s["name"]: s["on_hand"] for s in (await demo.call("GET", "/api/stock", "kitchen")).json()
    }


async def test_a_send_takes_its_recipes_off_stock(demo: Demo) -> None:
    await stock_item(demo, "mozzarella", 1000)
    await stock_item(demo, "tomato", 2000)
    await stock_item(demo, "bread", 10, unit="pcs")
    await recipe(demo, "Burrata", mozzarella=125, tomato=80)
    await recipe(demo, "Garlic bread", bread=1)
    check = await check_with(demo, ("Burrata", 2, None), ("Garlic bread", 1, None))
    await check_with(demo, ("Tomato soup", 1, None), table="11")  # no recipe, not sent

    assert (await send(demo, check["id"])).status_code == 200

    assert await levels(demo) == {"bread": 9, "mozzarella": 750, "tomato": 1840}
    moves = (await demo.call("GET", "/api/stock/movements", "kitchen")).json()
    assert sorted((m["kind"], m["quantity"], m["check_id"]) for m in moves) == [
        ("sale", -250, check["id"]),
        ("sale", -160, check["id"]),
        ("sale", -1, check["id"]),
    ]


async def test_running_low_alerts_and_running_out_86s_the_items(demo: Demo) -> None:
    await stock_item(demo, "burrata", 3, low_at=2, unit="pcs")
    await recipe(demo, "Burrata", burrata=1)
    first = await check_with(demo, ("Burrata", 1, None))
    assert (await send(demo, first["id"])).status_code == 200
    second = await check_with(demo, ("Burrata", 2, None), table="11")
    assert (await send(demo, second["id"])).status_code == 200

    seen = await demo.sql(
        "SELECT topic, type, data FROM events WHERE venue_id = :v "
        "AND type IN ('stock.low', 'menu.item_changed') ORDER BY seq",
        v=demo.venue_id,
    )
    assert [(t, k, d.get("on_hand"), d.get("out"), d.get("available")) for t, k, d in seen] == [
        ("stock", "stock.low", 2, False, None),
        ("orders", "stock.low", 2, False, None),
        ("stock", "stock.low", 0, True, None),
        ("orders", "stock.low", 0, True, None),
        ("menu", "menu.item_changed", None, None, False),
    ]
    demo._menu = None
    assert (await demo.item("Burrata"))["available"] is False
    third = await check_with(demo, table="13")
    refused = await demo.add(third["id"], "Burrata")
    assert refused.status_code == 409


async def test_concurrent_sends_take_stock_exactly(demo: Demo) -> None:
    await stock_item(demo, "flour", 10_000)
    await stock_item(demo, "egg", 100, unit="pcs")
    await recipe(demo, "Spaghetti carbonara", flour=100, egg=2)
    await recipe(demo, "Tiramisu", egg=3, flour=20)
    checks = [
        await check_with(demo, ("Spaghetti carbonara", 1, None), ("Tiramisu", 2, None), table=t)
        for t in ("1", "2", "3", "4")
    ]
    answers = await asyncio.gather(*(send(demo, c["id"]) for c in checks))
    assert [a.status_code for a in answers] == [200] * 4
    assert await levels(demo) == {"egg": 100 - 4 * 8, "flour": 10_000 - 4 * 140}


async def test_counts_set_the_level_and_log_the_difference(demo: Demo) -> None:
    oil = await stock_item(demo, "olive oil", 5000, unit="ml")
    await stock_item(demo, "salt", 900)
    body = {"counts": [{"stock_item_id": oil, "on_hand": 4200}], "note": "Monday count"}
    assert (await demo.call("POST", "/api/stock/counts", "waiter", json=body)).status_code == 403
    r = await demo.call("POST", "/api/stock/counts", "kitchen", json=body)
    assert r.status_code == 201, r.text
    assert [(s["name"], s["on_hand"]) for s in r.json()] == [("olive oil", 4200)]
    moves = (await demo.call("GET", f"/api/stock/movements?stock_item_id={oil}", "kitchen")).json()
    assert [(m["kind"], m["quantity"], m["on_hand"], m["note"]) for m in moves] == [
        ("count", -800, 4200, "Monday count")
    ]
    unknown = {"counts": [{"stock_item_id": 999_999, "on_hand": 1}]}
    assert (
        await demo.call("POST", "/api/stock/counts", "kitchen", json=unknown)
    ).status_code == 404
    twice = await demo.call(
        "POST", "/api/stock/items", "manager", json={"name": "salt", "unit": "g"}
    )
    assert twice.status_code == 409 and twice.json()["field"] == "name"


def test_stock_alerts_are_for_the_kitchen_bar_and_managers() -> None:
    def caller(role: str) -> Caller:
        return Caller(kind="staff", venue_id=1, staff_id=1, roles=frozenset({role}))

    allowed = {
        r
        for r in ("waiter", "host", "kitchen", "bar", "manager")
        if topic_refusal(caller(r), "stock") is None
    }
    assert allowed == {"kitchen", "bar", "manager"}
