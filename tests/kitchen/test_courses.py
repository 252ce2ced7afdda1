"""Courses: which fire on send, which are held, firing them, and release by prep time."""

from __future__ import annotations

import datetime as dt

from tests.conftest import Demo
from tests.kitchen.support import (
    at,
    by_name,
    events,
    run_task,
    screen,
    send,
    ticket_at,
    venue_setting,
)


async def four_courses(demo: Demo) -> int:
    check = await demo.open_check("12")
    await demo.add(check["id"], "Cola", 1, ("0.2 l",))
    await demo.add(check["id"], "Calamari fritti")
    await demo.add(check["id"], "Sirloin", 1, ("rare", "fries"))
    await demo.add(check["id"], "Tiramisu")
    await send(demo, check["id"])
    return int(check["id"])


async def test_drinks_and_first_course_fire_on_send_later_ones_are_held(demo: Demo) -> None:
    check_id = await four_courses(demo)
    assert by_name(await ticket_at(demo, "bar"))["Cola"]["status"] == "released"
    assert by_name(await ticket_at(demo, "cold"))["Calamari fritti"]["status"] == "released"
    hot = await ticket_at(demo, "hot")
    pastry = await ticket_at(demo, "pastry")
    assert hot["state"] == pastry["state"] == "held" and hot["fired_at"] is None
    assert by_name(hot)["Sirloin"]["status"] == "held"
    assert by_name(hot)["Sirloin"]["release_at"] is None
    courses = (await demo.call("GET", f"/api/checks/{check_id}/courses")).json()["courses"]
    assert [(c["course"], c["state"]) for c in courses] == [
        ("drinks", "fired"),
        ("starter", "fired"),
        ("main", "held"),
        ("dessert", "held"),
    ]

    version = (await demo.call("GET", f"/api/checks/{check_id}")).json()["version"]
    stale = {"course": "main", "version": version - 1}
    r = await demo.call("POST", f"/api/checks/{check_id}/fire", json=stale)
    assert r.status_code == 409 and r.json()["field"] == "version"
    assert (await ticket_at(demo, "hot"))["state"] == "held"
    r = await demo.call(
        "POST", f"/api/checks/{check_id}/fire", json={"course": "main", "version": version}
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == version + 1
    assert [c["state"] for c in r.json()["courses"]] == ["fired", "fired", "fired", "held"]
    hot = await ticket_at(demo, "hot")
    assert hot["state"] == "open" and hot["fired_at"] is not None
    assert by_name(hot)["Sirloin"]["status"] == "released"
    assert (await ticket_at(demo, "pastry"))["state"] == "held"
    fired = await events(demo, "kitchen:hot", "ticket.fired")
    assert [e["data"]["course"] for e in fired] == ["main"]
    assert await events(demo, "kitchen:pastry", "ticket.fired") == []
    (course_fired,) = await events(demo, "orders", "course.fired")
    assert course_fired["data"]["course"] == "main" and course_fired["data"]["check_id"] == check_id

    again = await demo.call("POST", f"/api/checks/{check_id}/fire", json={"course": "main"})
    assert again.status_code == 409 and again.json()["field"] == "course"
    bad = await demo.call("POST", f"/api/checks/{check_id}/fire", json={"course": "cheese"})
    assert bad.status_code == 422 and bad.json()["field"] == "course"


async def test_more_of_a_fired_course_fires_at_once_a_new_one_waits(demo: Demo) -> None:
    check_id = await four_courses(demo)
    await demo.add(check_id, "Burrata")
    await demo.add(check_id, "Lasagne")
    await send(demo, check_id)
    tickets = await screen(demo, "cold", "all")
    assert by_name(tickets[-1])["Burrata"]["status"] == "released"
    hot = await screen(demo, "hot", "all")
    assert [t["state"] for t in hot] == ["held", "held"]


async def test_fire_next_on_bump_fires_the_next_course_when_one_comes_up(demo: Demo) -> None:
    await venue_setting(demo, "fire_next_on_bump", True)
    check_id = await four_courses(demo)
    bar = await ticket_at(demo, "bar")
    r = await demo.call("POST", f"/api/kitchen/tickets/{bar['id']}/bump", "bar")
    assert r.status_code == 200
    assert (await ticket_at(demo, "hot"))["state"] == "held"  # drinks pull nothing
    cold = await ticket_at(demo, "cold")
    r = await demo.call("POST", f"/api/kitchen/tickets/{cold['id']}/bump", "kitchen")
    assert r.status_code == 200, r.text
    assert (await ticket_at(demo, "hot"))["state"] == "open"
    assert (await ticket_at(demo, "pastry"))["state"] == "held"
    (fired,) = await events(demo, f"check:{check_id}", "course.fired")
    assert fired["data"]["course"] == "main"


async def test_quick_items_wait_for_the_slow_ones_of_their_course(demo: Demo) -> None:
    check = await demo.open_check()
    await demo.add(check["id"], "Ribeye", 1, ("medium", "fries"))  # 18 minutes, hot
    await demo.add(check["id"], "Tomato soup", 1, course="main")  # 4 minutes, cold
    await send(demo, check["id"])
    ribeye = by_name(await ticket_at(demo, "hot"))["Ribeye"]
    soup = by_name(await ticket_at(demo, "cold"))["Tomato soup"]
    fired = at(ribeye["fired_at"])
    assert ribeye["status"] == "released" and at(ribeye["release_at"]) == fired
    assert soup["status"] == "waiting"
    assert at(soup["release_at"]) - fired == dt.timedelta(minutes=14)

    assert await run_task(demo, "kitchen.release", fired + dt.timedelta(minutes=13)) == 0
    assert by_name(await ticket_at(demo, "cold"))["Tomato soup"]["status"] == "waiting"
    later = fired + dt.timedelta(minutes=14)
    assert await run_task(demo, "kitchen.release", later) == 1
    soup = by_name(await ticket_at(demo, "cold"))["Tomato soup"]
    assert soup["status"] == "released" and at(soup["released_at"]) == later
    (released,) = await events(demo, "kitchen:cold", "ticket.item_released")
    assert released["data"]["item_id"] == soup["id"]
    assert await run_task(demo, "kitchen.release", later + dt.timedelta(minutes=1)) == 0


async def test_a_fired_course_is_paced_by_prep_time_too(demo: Demo) -> None:
    check_id = await four_courses(demo)
    await demo.add(check_id, "Tiramisu")
    await demo.add(check_id, "Chocolate fondant")  # 12 minutes against Tiramisu's 3
    await send(demo, check_id)
    r = await demo.call("POST", f"/api/checks/{check_id}/fire", json={"course": "dessert"})
    assert r.status_code == 200
    items = [i for t in await screen(demo, "pastry") for i in t["items"]]
    fondant = next(i for i in items if i["name"] == "Chocolate fondant")
    tiramisus = [i for i in items if i["name"] == "Tiramisu"]
    assert fondant["status"] == "released"
    assert {i["status"] for i in tiramisus} == {"waiting"}
    fired = at(fondant["fired_at"])
    assert {at(i["release_at"]) - fired for i in tiramisus} == {dt.timedelta(minutes=9)}
    done = await run_task(demo, "kitchen.release", fired + dt.timedelta(minutes=9))
    assert done == 2
