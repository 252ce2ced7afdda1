"""A send becomes one ticket per station with everything the line cooks need."""

from __future__ import annotations

from tests.conftest import Demo
from tests.kitchen.support import by_name, events, screen, send, ticket_at


async def test_mixed_order_goes_to_hot_cold_and_bar_one_ticket_each(demo: Demo) -> None:
    r = await demo.call(
        "POST",
        "/api/checks",
        json={"table_id": await demo.table_id("12"), "covers": 3, "allergens": ["milk"]},
    )
    check = r.json()
    await demo.add(check["id"], "Negroni", 2, ("no ice",), seat=1)
    await demo.add(check["id"], "Burrata", 1, seat=2, note="share plates")
    await demo.add(check["id"], "Green salad", 1, ("no onions",), seat=3, course="main")
    await demo.add(check["id"], "Ribeye", 1, ("medium-rare", "fries"), seat=1)
    sent = await send(demo, check["id"])
    assert {line["state"] for line in sent["lines"]} == {"sent"}

    tickets = await screen(demo, state="all")
    assert sorted(t["station"] for t in tickets) == ["bar", "cold", "hot"]
    assert sorted(t["number"] for t in tickets) == [1, 2, 3]
    for t in tickets:
        assert (t["table"], t["waiter"], t["covers"], t["check_id"]) == (
            "12",
            "Anna",
            3,
            check["id"],
        )
        assert t["allergies"] == ["milk"]

    bar = by_name(await ticket_at(demo, "bar"))
    assert list(bar) == ["Negroni"]
    assert bar["Negroni"]["quantity"] == 2 and bar["Negroni"]["modifiers"] == ["no ice"]
    assert bar["Negroni"]["course"] == "drinks" and bar["Negroni"]["seat"] == 1

    cold = by_name(await ticket_at(demo, "cold"))
    assert sorted(cold) == ["Burrata", "Green salad"]
    assert cold["Burrata"]["note"] == "share plates" and cold["Burrata"]["seat"] == 2
    assert cold["Burrata"]["allergens"] == ["milk"] and cold["Burrata"]["allergy_flags"] == ["milk"]
    assert cold["Green salad"]["allergy_flags"] == [] and cold["Green salad"]["course"] == "main"
    line_ids = {line["name"]: line["id"] for line in sent["lines"]}
    assert cold["Burrata"]["line_id"] == line_ids["Burrata"]

    hot = by_name(await ticket_at(demo, "hot"))
    assert list(hot) == ["Ribeye"]
    assert hot["Ribeye"]["modifiers"] == ["medium-rare", "fries"]

    created = await events(demo, "kitchen:hot", "ticket.created")
    assert [e["data"]["ticket"]["items"][0]["name"] for e in created] == ["Ribeye"]
    assert [e["type"] for e in await events(demo, "expo", "ticket.created")] == [
        "ticket.created"
    ] * 3
    assert await events(demo, "kitchen:pastry") == []


async def test_ticket_numbers_run_on_across_sends_and_checks(demo: Demo) -> None:
    first = await demo.open_check("3")
    await demo.add(first["id"], "Burrata")
    await demo.add(first["id"], "Espresso")
    await send(demo, first["id"])
    second = await demo.open_check("4", role="waiter2")
    await demo.add(second["id"], "Burrata", role="waiter2")
    await send(demo, second["id"], role="waiter2")
    await demo.add(first["id"], "Espresso")
    await send(demo, first["id"])
    tickets = await screen(demo, state="all")
    assert [(t["table"], t["station"], t["number"]) for t in tickets] == [
        ("3", "cold", 1),
        ("3", "bar", 2),
        ("4", "cold", 3),
        ("3", "bar", 4),
    ]
    assert tickets[2]["waiter"] == "Ben"


async def test_a_retried_send_makes_no_second_ticket(demo: Demo) -> None:
    check = await demo.open_check()
    await demo.add(check["id"], "Burrata")
    url = f"/api/checks/{check['id']}/send"
    first = await demo.call("POST", url, key="send-1", json={})
    again = await demo.call("POST", url, key="send-1", json={})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert len(await screen(demo)) == 1
    nothing = await demo.call("POST", url, json={})
    assert nothing.status_code == 409
    assert len(await screen(demo)) == 1


async def test_waiters_read_screens_but_only_the_kitchen_bumps(demo: Demo) -> None:
    check = await demo.open_check()
    await demo.add(check["id"], "Burrata")
    await send(demo, check["id"])
    ticket = (await screen(demo, "cold", role="waiter"))[0]
    r = await demo.call("POST", f"/api/kitchen/tickets/{ticket['id']}/bump", "waiter")
    assert r.status_code == 403
    r = await demo.call("GET", "/api/kitchen/tickets", "host")
    assert r.status_code == 403
    r = await demo.call("GET", "/api/kitchen/tickets", "kitchen", params={"station": "grill"})
    assert r.status_code == 404 and r.json()["field"] == "station"
