"""The pass calls a ready course up for pickup (the waiter's handheld is told) and marks
it served (it leaves the pass)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Demo
from tests.kitchen.support import events, send, ticket_at


async def expo_courses(demo: Demo) -> list[tuple[str, str]]:
    r = await demo.call("GET", "/api/kitchen/expo", "kitchen")
    assert r.status_code == 200, r.text
    return [(c["course"], c["state"]) for o in r.json()["orders"] for c in o["courses"]]


async def floor_status(demo: Demo, table: str) -> str:
    floor = (await demo.call("GET", "/api/floor")).json()
    return str(next(t["status"] for a in floor["areas"] for t in a["tables"] if t["name"] == table))


async def ready_starter(demo: Demo) -> dict[str, Any]:
    check = await demo.open_check("12")
    await demo.add(check["id"], "Burrata")  # cold starter
    await demo.add(check["id"], "Ribeye", 1, ("rare", "fries"))  # hot main, held
    await send(demo, check["id"])
    cold = await ticket_at(demo, "cold")
    r = await demo.call("POST", f"/api/kitchen/tickets/{cold['id']}/bump", "kitchen")
    assert r.status_code == 200, r.text
    return dict(check)


async def test_the_pass_calls_a_ready_course_and_the_waiter_is_told(demo: Demo) -> None:
    check = await ready_starter(demo)
    # every ticket of the check is bumped or held, yet the ready starter stays on the pass
    assert await expo_courses(demo) == [("starter", "ready"), ("main", "held")]
    r = await demo.call(
        "POST", f"/api/kitchen/expo/{check['id']}/pickup", "kitchen", json={"course": "starter"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "pickup" and r.json()["pickup_at"] is not None
    (call,) = await events(demo, "orders", "course.pickup")
    assert call["data"]["table"] == "12" and call["data"]["course"] == "starter"
    [(waiter,)] = await demo.sql("SELECT id FROM staff WHERE name = 'Anna'")
    assert call["data"]["waiter_id"] == waiter
    assert len(await events(demo, f"check:{check['id']}", "course.pickup")) == 1
    assert await expo_courses(demo) == [("starter", "pickup"), ("main", "held")]
    assert await floor_status(demo, "12") == "course_ready"

    r = await demo.call(
        "POST", f"/api/kitchen/expo/{check['id']}/served", "kitchen", json={"course": "starter"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "served"
    assert len(await events(demo, "expo", "course.served")) == 1
    assert await floor_status(demo, "12") == "ordered"
    assert await expo_courses(demo) == [("starter", "served"), ("main", "held")]
    twice = await demo.call(
        "POST", f"/api/kitchen/expo/{check['id']}/served", "kitchen", json={"course": "starter"}
    )
    assert twice.status_code == 409 and twice.json()["field"] == "course"
    late = await demo.call(
        "POST", f"/api/kitchen/expo/{check['id']}/pickup", "kitchen", json={"course": "starter"}
    )
    assert late.status_code == 409


async def test_the_pass_refuses_a_course_not_fired_and_a_waiter(demo: Demo) -> None:
    check = await ready_starter(demo)
    held = await demo.call(
        "POST", f"/api/kitchen/expo/{check['id']}/pickup", "kitchen", json={"course": "main"}
    )
    assert held.status_code == 409 and held.json()["field"] == "course"
    missing = await demo.call(
        "POST", "/api/kitchen/expo/999999/served", "kitchen", json={"course": "starter"}
    )
    assert missing.status_code == 404 and missing.json()["field"] == "check_id"
    waiter = await demo.call(
        "POST", f"/api/kitchen/expo/{check['id']}/pickup", "waiter", json={"course": "starter"}
    )
    assert waiter.status_code == 403
    assert await events(demo, "orders", "course.pickup") == []
