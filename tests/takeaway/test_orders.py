"""Takeaway orders taken by staff: no table, a number of the day, held by the send and
fired by the scheduler at pickup minus prep time so that they are ready at pickup; all
tickets bumped makes the order ready and e-mails the guest."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from pos_service.mail.models import MailMessage
from tests.conftest import Demo
from tests.kitchen.support import at, events, run_task, screen
from tests.takeaway.support import line, next_local


async def test_a_counter_order_is_fired_by_prep_time_and_ready_when_bumped(demo: Demo) -> None:
    pickup = next_local(19, 30)
    body = {
        "channel": "phone",
        "name": "Anna",
        "email": "anna@example.org",
        "pickup_at": pickup.isoformat(),
        "lines": [
            await line(demo, "Ribeye", "medium", "fries"),  # 18 minutes
            await line(demo, "Burrata"),  # 5 minutes
        ],
        "send": True,
    }
    r = await demo.call("POST", "/api/takeaway", json=body)
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["number"] == 1 and order["state"] == "held"
    assert order["check"]["table_id"] is None and order["check"]["kind"] == "takeaway"
    assert at(order["fire_at"]) == pickup - dt.timedelta(minutes=18)
    tickets = await screen(demo, state="all")
    assert {t["state"] for t in tickets} == {"held"}
    assert all(t["table"].startswith("Pickup 19:30 Anna") for t in tickets)

    fire_at = at(order["fire_at"])
    assert await run_task(demo, "takeaway.fire", fire_at - dt.timedelta(seconds=1)) == 0
    assert await run_task(demo, "takeaway.fire", fire_at) == 1
    assert await run_task(demo, "takeaway.fire", fire_at + dt.timedelta(minutes=1)) == 0
    tickets = await screen(demo, state="all")
    assert {t["state"] for t in tickets} == {"open"}
    items = {i["name"]: i for t in tickets for i in t["items"]}
    # each item starts so that it is done at pickup: the burrata 13 minutes later
    for name in ("Ribeye", "Burrata"):
        item = items[name]
        assert at(item["release_at"]) + dt.timedelta(minutes=item["prep_minutes"]) == pickup

    r = await demo.call("GET", f"/api/takeaway/{order['id']}")
    assert r.json()["state"] == "preparing"
    first, second = tickets
    r = await demo.call("POST", f"/api/kitchen/tickets/{first['id']}/bump", "kitchen")
    assert r.status_code in (200, 201), r.text
    assert (await demo.call("GET", f"/api/takeaway/{order['id']}")).json()["state"] == "preparing"
    r = await demo.call("POST", f"/api/kitchen/tickets/{second['id']}/bump", "kitchen")
    assert r.status_code in (200, 201), r.text
    assert (await demo.call("GET", f"/api/takeaway/{order['id']}")).json()["state"] == "ready"

    states = [e["data"]["state"] for e in await events(demo, "pickup", "pickup.changed")]
    assert states == ["held", "preparing", "ready"]
    assert all(
        set(e["data"]) == {"order_id", "number", "state", "pickup_at"}
        for e in await events(demo, "pickup")
    )
    async with demo.sessions() as session:
        (mail,) = (await session.execute(select(MailMessage))).scalars()
    assert mail.to_address == "anna@example.org"
    assert mail.subject == "Your order 1 is ready"
    assert "Anna" in mail.text_body and "Trattoria Demo" in mail.text_body

    board = (await demo.call("GET", "/api/pickup", "host")).json()["orders"]
    assert [(o["number"], o["state"]) for o in board] == [(1, "ready")]
    r = await demo.call("POST", f"/api/takeaway/{order['id']}/collected")
    assert r.status_code == 200 and r.json()["state"] == "collected"
    r = await demo.call("POST", f"/api/takeaway/{order['id']}/collected")
    assert r.status_code == 409


async def test_an_order_due_now_fires_on_send_and_comes_up_together(demo: Demo) -> None:
    pickup = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    body = {"name": "Ben", "phone": "+49 30 1234567", "pickup_at": pickup.isoformat()}
    r = await demo.call("POST", "/api/takeaway", json=body)
    assert r.status_code == 201, r.text
    order = r.json()
    check_id = order["check_id"]
    assert (await demo.add(check_id, "Risotto ai funghi")).status_code == 201  # 20 minutes
    assert (await demo.add(check_id, "Tomato soup")).status_code == 201  # 4 minutes
    r = await demo.call("POST", f"/api/checks/{check_id}/send", json={})
    assert r.status_code == 200, r.text
    tickets = await screen(demo, state="all")
    assert {t["state"] for t in tickets} == {"open"}
    items = {i["name"]: i for t in tickets for i in t["items"]}
    soup, risotto = items["Tomato soup"], items["Risotto ai funghi"]
    assert at(soup["release_at"]) - at(risotto["release_at"]) == dt.timedelta(minutes=16)
    assert (await demo.call("GET", f"/api/takeaway/{order['id']}")).json()["state"] == "preparing"


async def test_numbers_count_per_business_day(demo: Demo) -> None:
    pickup = next_local(12, 0)
    numbers = []
    for name in ("A", "B", "C"):
        body = {"name": name, "phone": "0301234567", "pickup_at": pickup.isoformat()}
        r = await demo.call("POST", "/api/takeaway", json=body)
        assert r.status_code == 201, r.text
        numbers.append(r.json()["number"])
    assert numbers == [1, 2, 3]
    r = await demo.call("GET", "/api/takeaway", params={"day": pickup.date().isoformat()})
    assert [o["number"] for o in r.json()["orders"]] == [1, 2, 3]


async def test_a_pickup_time_without_offset_is_refused(demo: Demo) -> None:
    body = {"name": "A", "phone": "0301234567", "pickup_at": "2030-01-01T19:30:00"}
    r = await demo.call("POST", "/api/takeaway", json=body)
    assert r.status_code in (400, 422)
    assert "pickup_at" in r.text


async def test_the_pickup_screen_needs_staff(demo: Demo) -> None:
    r = await demo.client.get("/api/pickup")
    assert r.status_code == 401
    assert (await demo.call("GET", "/api/pickup", "kitchen")).status_code == 200


async def test_a_takeaway_ticket_names_the_pickup_in_the_venues_language(demo: Demo) -> None:
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text("UPDATE venues SET locale = 'nl_NL' WHERE id = :v"), {"v": demo.venue_id}
        )
    body = {
        "channel": "phone",
        "name": "Anna",
        "pickup_at": next_local(19, 30).isoformat(),
        "lines": [await line(demo, "Burrata")],
        "send": True,
    }
    r = await demo.call("POST", "/api/takeaway", json=body)
    assert r.status_code == 201, r.text
    tickets = await screen(demo, state="all")
    assert tickets and all(t["table"] == "Afhalen 19:30 Anna" for t in tickets)
