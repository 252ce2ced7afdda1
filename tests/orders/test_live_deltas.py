"""Events a page can apply (docs/live.md, "Page reducers: the handheld"): each carries the
object's new state and version, so a handheld keeps its floor and its open check from
them without asking the server again."""

from __future__ import annotations

from typing import Any

from tests.conftest import Demo
from tests.kitchen.support import events, send


async def check_state(demo: Demo, check_id: int) -> dict[str, Any]:
    r = await demo.call("GET", f"/api/checks/{check_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_the_floor_event_carries_the_open_checks_covers_and_waiter(demo: Demo) -> None:
    check = await demo.open_check("12", covers=3)
    (seated,) = await events(demo, "floor", "table.status_changed")
    floor = (await demo.call("GET", "/api/floor")).json()
    table = next(t for a in floor["areas"] for t in a["tables"] if t["name"] == "12")
    assert seated["data"]["open_check"] == table["open_check"]
    assert seated["data"]["open_check"]["id"] == check["id"]
    assert seated["data"]["open_check"]["covers"] == 3
    assert seated["data"]["open_check"]["waiter"] == table["open_check"]["waiter"] != ""
    assert seated["data"]["status_changed_at"] is not None
    # the fields the host stand reads are still there
    assert {"table_id", "name", "status", "check_id"} <= set(seated["data"])


async def test_send_and_void_carry_the_lines_as_the_check_shows_them(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    assert (await demo.add(check["id"], "Tiramisu")).status_code == 201
    await send(demo, check["id"])
    topic = f"check:{check['id']}"
    (sent,) = await events(demo, topic, "order.sent")
    after_send = await check_state(demo, check["id"])
    assert sent["data"]["version"] == after_send["version"]
    assert sent["data"]["lines"] == after_send["lines"]
    assert {line["state"] for line in sent["data"]["lines"]} == {"sent"}

    tiramisu = next(line for line in after_send["lines"] if line["name"] == "Tiramisu")
    approval = await demo.call(
        "POST", "/api/auth/approve", "manager", json={"pin": "9999", "action": "void"}
    )
    assert approval.status_code == 200, approval.text
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/lines/{tiramisu['id']}/void",
        json={"reason": "dropped", "approval": approval.json()["approval"]},
    )
    assert r.status_code == 200, r.text
    (voided,) = await events(demo, topic, "line.voided")
    after_void = await check_state(demo, check["id"])
    assert voided["data"]["version"] == after_void["version"] == after_send["version"] + 1
    assert voided["data"]["line"] == next(
        line for line in after_void["lines"] if line["id"] == tiramisu["id"]
    )
    assert voided["data"]["line"]["state"] == "voided"


async def test_every_change_of_a_check_follows_its_version_by_one(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    for item in ("Burrata", "Tiramisu", "Burrata"):
        assert (await demo.add(check["id"], item)).status_code == 201
    await send(demo, check["id"])
    r = await demo.call("POST", f"/api/checks/{check['id']}/split", json={"mode": "even", "n": 2})
    assert r.status_code == 200, r.text
    versions = [
        e["data"]["version"]
        for e in await events(demo, f"check:{check['id']}")
        if e["data"].get("version") is not None
    ]
    final = (await check_state(demo, check["id"]))["version"]
    assert versions == list(range(1, final + 1))


async def test_payment_events_carry_the_bill_and_the_close_the_new_version(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    await send(demo, check["id"])
    r = await demo.call("POST", f"/api/checks/{check['id']}/split", json={"mode": "even", "n": 2})
    assert r.status_code == 200, r.text
    topic = f"check:{check['id']}"
    (split,) = await events(demo, topic, "bill.split")
    assert split["data"]["bill"] == r.json()
    for part in r.json()["parts"]:
        paid = await demo.call(
            "POST",
            f"/api/checks/{check['id']}/payments",
            json={"method": "cash", "part_id": part["id"]},
        )
        assert paid.status_code in (200, 201), paid.text
    first, second = await events(demo, topic, "payment.changed")
    assert first["data"]["bill"]["due"] == second["data"]["due"] + second["data"]["amount"]
    assert second["data"]["bill"]["due"] == 0
    (closed,) = await events(demo, topic, "check.closed")
    bill = (await demo.call("GET", f"/api/checks/{check['id']}/bill")).json()
    assert closed["data"]["bill"] == bill
    assert closed["data"]["bill"]["status"] == "closed"
    assert closed["data"]["version"] == (await check_state(demo, check["id"]))["version"]


async def test_a_merge_carries_the_moved_lines_and_the_new_covers(demo: Demo) -> None:
    keep = await demo.open_check("12", covers=2)
    other = await demo.open_check("11", covers=3)
    assert (await demo.add(other["id"], "Tiramisu")).status_code == 201
    r = await demo.call("POST", f"/api/checks/{keep['id']}/merge", json={"check_id": other["id"]})
    assert r.status_code == 200, r.text
    (merged,) = await events(demo, f"check:{keep['id']}", "check.merged")
    (told,) = await events(demo, f"check:{other['id']}", "check.merged")
    assert told["data"] == merged["data"]
    assert merged["data"]["covers"] == 5 == r.json()["covers"]
    assert merged["data"]["lines"] == r.json()["lines"]
    assert merged["data"]["version"] == r.json()["version"]


async def test_menu_changes_go_to_the_menu_topic(demo: Demo) -> None:
    burrata = await demo.item("Burrata")
    r = await demo.call(
        "PATCH", f"/api/menu/items/{burrata['id']}", "kitchen", json={"available": False}
    )
    assert r.status_code == 200, r.text
    (changed,) = await events(demo, "menu", "menu.item_changed")
    assert changed["data"]["available"] is False
    assert await events(demo, "orders", "menu.item_changed") == []
