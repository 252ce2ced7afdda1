"""The station screens and the pass: start, bump, recall, voids, timers, expo, counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text

from tests.conftest import Demo
from tests.kitchen.support import at, by_name, events, run_task, screen, send, ticket_at


async def post(demo: Demo, path: str, role: str = "kitchen", **kwargs: Any) -> Any:
    r = await demo.call("POST", path, role, **kwargs)
    assert r.status_code == 200, r.text
    return r.json()


async def floor_status(demo: Demo, table: str) -> str:
    floor = (await demo.call("GET", "/api/floor")).json()
    return str(next(t["status"] for a in floor["areas"] for t in a["tables"] if t["name"] == table))


async def test_start_bump_and_recall_the_last_bumped_ticket(demo: Demo) -> None:
    for table in ("3", "4"):
        check = await demo.open_check(table)
        await demo.add(check["id"], "Burrata")
        await demo.add(check["id"], "Garlic bread")  # both 5 minutes: no wait
        await send(demo, check["id"])
    first, second = await screen(demo, "cold")
    started = await post(demo, f"/api/kitchen/tickets/{first['id']}/start")
    assert started["state"] == "started" and started["started_at"] is not None
    assert {i["status"] for i in started["items"]} == {"started"}
    await post(demo, f"/api/kitchen/tickets/{first['id']}/bump")
    await post(demo, f"/api/kitchen/tickets/{second['id']}/bump")
    assert await screen(demo, "cold") == []
    bumped = await screen(demo, "cold", "bumped")
    assert [t["id"] for t in bumped] == [first["id"], second["id"]]
    assert {i["status"] for t in bumped for i in t["items"]} == {"bumped"}

    back = await post(demo, "/api/kitchen/recall", json={"station": "cold"})
    assert back["id"] == second["id"] and back["state"] == "open"
    assert {i["status"] for i in back["items"]} == {"released"}
    assert [t["id"] for t in await screen(demo, "cold")] == [second["id"]]
    back = await post(demo, f"/api/kitchen/tickets/{first['id']}/recall")
    assert back["state"] == "started"
    assert {i["status"] for i in back["items"]} == {"started"}
    again = await demo.call("POST", f"/api/kitchen/tickets/{first['id']}/recall", "kitchen")
    assert again.status_code == 409
    types = [e["type"] for e in await events(demo, "kitchen:cold")]
    assert types.count("ticket.bumped") == 2 and types.count("ticket.recalled") == 2
    assert types.count("ticket.started") == 1


async def test_bumping_the_last_item_bumps_the_ticket(demo: Demo) -> None:
    check = await demo.open_check()
    await demo.add(check["id"], "Burrata")
    await demo.add(check["id"], "Green salad")
    await send(demo, check["id"])
    ticket = await ticket_at(demo, "cold")
    burrata, salad = ticket["items"]
    after = await post(demo, f"/api/kitchen/tickets/{ticket['id']}/items/{burrata['id']}/bump")
    assert after["state"] == "open" and by_name(after)["Burrata"]["status"] == "bumped"
    twice = await demo.call(
        "POST", f"/api/kitchen/tickets/{ticket['id']}/items/{burrata['id']}/bump", "kitchen"
    )
    assert twice.status_code == 409 and twice.json()["field"] == "item_id"
    after = await post(demo, f"/api/kitchen/tickets/{ticket['id']}/items/{salad['id']}/bump")
    assert after["state"] == "bumped" and after["bumped_at"] is not None
    assert await screen(demo, "cold") == []


async def test_course_complete_across_stations_tells_the_waiter(demo: Demo) -> None:
    check = await demo.open_check("12")
    await demo.add(check["id"], "Caesar salad")  # cold starter
    await demo.add(check["id"], "Calamari fritti")  # cold starter
    await demo.add(check["id"], "Lasagne", course="starter")  # hot, as a starter
    await demo.add(check["id"], "Ribeye", 1, ("rare", "fries"))  # hot main, held
    await send(demo, check["id"])
    cold = await ticket_at(demo, "cold")
    hot = await ticket_at(demo, "hot")

    expo = (await demo.call("GET", "/api/kitchen/expo", "kitchen")).json()
    (order,) = expo["orders"]
    assert order["table"] == "12" and order["check_id"] == check["id"]
    assert [(c["course"], c["state"]) for c in order["courses"]] == [
        ("starter", "fired"),
        ("main", "held"),
    ]
    assert sorted(i["station"] for i in order["courses"][0]["items"]) == ["cold", "cold", "hot"]

    await post(demo, f"/api/kitchen/tickets/{cold['id']}/bump")
    assert await events(demo, f"check:{check['id']}", "course.ready") == []
    assert await floor_status(demo, "12") == "ordered"
    lasagne = by_name(hot)["Lasagne"]
    await post(demo, f"/api/kitchen/tickets/{hot['id']}/items/{lasagne['id']}/bump")

    (ready,) = await events(demo, f"check:{check['id']}", "course.ready")
    assert ready["data"]["course"] == "starter" and ready["data"]["table"] == "12"
    assert [e["data"]["course"] for e in await events(demo, "orders", "course.ready")] == [
        "starter"
    ]
    assert len(await events(demo, "expo", "course.ready")) == 1
    assert await floor_status(demo, "12") == "course_ready"
    order = (await demo.call("GET", "/api/kitchen/expo", "kitchen")).json()["orders"][0]
    assert [c["state"] for c in order["courses"]] == ["ready", "held"]
    assert (await ticket_at(demo, "hot"))["state"] == "held"

    await post(demo, f"/api/checks/{check['id']}/fire", "waiter", json={"course": "main"})
    assert await floor_status(demo, "12") == "ordered"
    await post(demo, f"/api/kitchen/tickets/{hot['id']}/bump")
    readies = await events(demo, f"check:{check['id']}", "course.ready")
    assert [e["data"]["course"] for e in readies] == ["starter", "main"]
    # cooked, not served: the courses wait on the pass until it marks them served
    order = (await demo.call("GET", "/api/kitchen/expo", "kitchen")).json()["orders"][0]
    assert [c["state"] for c in order["courses"]] == ["ready", "ready"]
    for course in ("starter", "main"):
        await post(demo, f"/api/kitchen/expo/{check['id']}/served", json={"course": course})
    assert (await demo.call("GET", "/api/kitchen/expo", "kitchen")).json()["orders"] == []


async def approve(demo: Demo) -> str:
    r = await demo.call("POST", "/api/auth/approve", json={"pin": "9999", "action": "void"})
    return str(r.json()["approval"])


async def test_a_void_after_send_reaches_the_right_station(demo: Demo) -> None:
    check = await demo.open_check("5")
    await demo.add(check["id"], "Burrata")
    sent = await demo.add(check["id"], "Ribeye", 1, ("rare", "fries"), course="starter")
    await send(demo, check["id"])
    ribeye_line = next(line for line in sent.json()["lines"] if line["name"] == "Ribeye")
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/lines/{ribeye_line['id']}/void",
        json={"reason": "guest left", "approval": await approve(demo)},
    )
    assert r.status_code == 200, r.text

    ribeye = by_name(await ticket_at(demo, "hot"))["Ribeye"]
    assert ribeye["status"] == "voided" and ribeye["void_reason"] == "guest left"
    assert by_name(await ticket_at(demo, "cold"))["Burrata"]["status"] == "waiting"
    (voided,) = await events(demo, "kitchen:hot", "ticket.item_voided")
    assert voided["data"]["line_id"] == ribeye_line["id"] and voided["data"]["name"] == "Ribeye"
    (alert,) = await events(demo, "kitchen:hot", "kitchen.alert")
    assert alert["data"]["kind"] == "void" and "VOID 1 x Ribeye" in alert["data"]["message"]
    cold_types = {e["type"] for e in await events(demo, "kitchen:cold")}
    assert cold_types == {"ticket.created"}
    all_day = (await demo.call("GET", "/api/kitchen/all-day", "kitchen")).json()
    assert [i["name"] for i in all_day["items"]] == ["Burrata"]


async def test_a_ticket_turns_late_once(demo: Demo) -> None:
    r = await demo.call("GET", "/api/kitchen/stations", "kitchen")
    cold_station = next(s for s in r.json() if s["name"] == "cold")
    r = await demo.call(
        "PATCH",
        f"/api/kitchen/stations/{cold_station['id']}",
        "manager",
        json={"warn_minutes": 5, "late_minutes": 8},
    )
    assert r.status_code == 200 and r.json()["late_minutes"] == 8
    refused = await demo.call(
        "PATCH", f"/api/kitchen/stations/{cold_station['id']}", "kitchen", json={"warn_minutes": 6}
    )
    assert refused.status_code == 403
    check = await demo.open_check()
    await demo.add(check["id"], "Burrata")
    await demo.add(check["id"], "Ribeye", 1, ("rare", "fries"))
    await send(demo, check["id"])
    cold = await ticket_at(demo, "cold")
    fired = at(cold["fired_at"])
    assert await run_task(demo, "kitchen.late", fired + dt.timedelta(minutes=7, seconds=59)) == 0
    assert await run_task(demo, "kitchen.late", fired + dt.timedelta(minutes=8)) == 1
    assert await run_task(demo, "kitchen.late", fired + dt.timedelta(minutes=30)) == 0
    (late,) = await events(demo, "kitchen:cold", "ticket.late")
    assert late["data"]["ticket_id"] == cold["id"] and late["data"]["late_minutes"] == 8
    assert (await ticket_at(demo, "cold"))["late_at"] is not None
    assert await events(demo, "kitchen:hot", "ticket.late") == []  # held: no clock running


async def test_all_day_counts_outstanding_portions_and_modifiers(demo: Demo) -> None:
    one = await demo.open_check("3")
    await demo.add(one["id"], "Ribeye", 2, ("rare", "fries"), course="starter")
    await demo.add(one["id"], "Sirloin", 1, ("rare", "green salad"), course="starter")
    await send(demo, one["id"])
    two = await demo.open_check("4")
    await demo.add(two["id"], "Burrata")
    await demo.add(two["id"], "Ribeye", 1, ("medium", "fries"))
    await send(demo, two["id"])
    r = await demo.call("GET", "/api/kitchen/all-day", "kitchen", params={"station": "hot"})
    body = r.json()
    assert [(i["name"], i["quantity"], i["held"]) for i in body["items"]] == [
        ("Ribeye", 3, 1),
        ("Sirloin", 1, 0),
    ]
    assert {(m["item"], m["modifier"]): m["quantity"] for m in body["modifiers"]} == {
        ("Ribeye", "rare"): 2,
        ("Ribeye", "medium"): 1,
        ("Ribeye", "fries"): 3,
        ("Sirloin", "rare"): 1,
        ("Sirloin", "green salad"): 1,
    }
    first = (await screen(demo, "hot"))[0]
    await post(demo, f"/api/kitchen/tickets/{first['id']}/bump")
    body = (
        await demo.call("GET", "/api/kitchen/all-day", "waiter", params={"station": "hot"})
    ).json()
    assert [(i["name"], i["quantity"], i["held"]) for i in body["items"]] == [("Ribeye", 1, 1)]


async def test_prep_times_average_and_90th_percentile(demo: Demo) -> None:
    check = await demo.open_check()
    for _ in range(10):
        await demo.add(check["id"], "Burrata")
    await demo.add(check["id"], "Tomato soup")
    await send(demo, check["id"])
    ticket = await ticket_at(demo, "cold")
    await post(demo, f"/api/kitchen/tickets/{ticket['id']}/bump")
    # the n-th Burrata took n minutes, the soup 2
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE kitchen_ticket_items AS i SET bumped_at = i.fired_at + make_interval("
                "mins => CASE WHEN i.name = 'Burrata' THEN r.n ELSE 2 END) "
                "FROM (SELECT id, row_number() OVER (ORDER BY id)::int AS n "
                "FROM kitchen_ticket_items) AS r WHERE i.id = r.id"
            )
        )
    r = await demo.call("GET", "/api/kitchen/prep-times", "manager", params={"station": "cold"})
    assert r.status_code == 200, r.text
    rows = {row["item"]: row for row in r.json()["rows"]}
    assert rows["Burrata"]["count"] == 10
    assert rows["Burrata"]["avg_seconds"] == 330.0  # 5.5 minutes
    assert rows["Burrata"]["p90_seconds"] == 546.0  # 9.1 minutes, interpolated
    assert rows["Tomato soup"]["avg_seconds"] == rows["Tomato soup"]["p90_seconds"] == 120.0
    r = await demo.call(
        "GET",
        "/api/kitchen/prep-times",
        "manager",
        params={"from": "2000-01-02", "to": "2000-01-01"},
    )
    assert r.status_code == 422 and r.json()["field"] == "to"
    r = await demo.call(
        "GET",
        "/api/kitchen/prep-times",
        "manager",
        params={"from": "2000-01-01", "to": "2000-01-02"},
    )
    assert r.json()["rows"] == []
