"""One evening, end to end through the public API, as a restaurant runs it: book, seat,
two waiters order, send, fire, merge two tables with a held course, transfer, split evenly
with odd cents, a guest pays, cash with a tip and change, the table is cleaned and
re-seated from the waitlist, and the day closes with an open check carried. Every
amount is checked to the cent."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar

from tests.conftest import Demo
from tests.support.service import in_service, next_slot

EVEN = [2363, 2362, 2362, 2362]
"""9449 in four even parts: they differ by one cent at most (docs/money.md)."""


async def ok(demo: Demo, method: str, path: str, role: str = "waiter", **kw: Any) -> Any:
    r = await demo.call(method, path, role, **kw)
    assert r.status_code < 300, (method, path, r.status_code, r.text)
    return r.json()


async def add(demo: Demo, check_id: int, item: str, *options: str, role: str = "waiter") -> None:
    r = await demo.add(check_id, item, 1, options, role=role)
    assert r.status_code == 201, r.text


async def floor_status(demo: Demo, name: str) -> str:
    floor = await ok(demo, "GET", "/api/floor", "host")
    return str(next(t["status"] for a in floor["areas"] for t in a["tables"] if t["name"] == name))


async def station(demo: Demo, name: str) -> list[dict[str, Any]]:
    r = await ok(demo, "GET", "/api/kitchen/tickets", "kitchen", params={"station": name})
    return list(r["tickets"])


async def test_one_evening(demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch) -> None:
    tz = await in_service(demo)
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    staff = {r.name: r.id for r in await demo.sql("SELECT id, name FROM staff")}

    # 18:00 the host books the Rossi party of four on table 12
    booking = await ok(
        demo,
        "POST",
        "/api/reservations",
        "host",
        json={
            "name": "Rossi",
            "party_size": 4,
            "starts_at": next_slot(tz).isoformat(),
            "table_ids": [await demo.table_id("12")],
            "phone": "+49 30 1234567",
        },
    )
    # they arrive; the host seats them for Anna
    seated = await ok(
        demo,
        "POST",
        f"/api/reservations/{booking['id']}/seat",
        "host",
        json={"waiter_id": staff["Anna"]},
    )
    rossi = seated["check_id"]
    # a walk-in pair sits at table 5 with Ben
    walk_in = await demo.open_check("5", covers=2, role="waiter2")
    bianchi = walk_in["id"]

    # two waiters order
    await add(demo, rossi, "Cola", "0.2 l")  # 420
    await add(demo, rossi, "Cola", "0.2 l")  # 420
    await add(demo, rossi, "Burrata")  # 1350
    await add(demo, rossi, "Sirloin", "rare", "fries")  # 2950
    await add(demo, rossi, "Tiramisu")  # 850, dessert: held
    await add(demo, bianchi, "Lasagne", role="waiter2")  # 1850, main: fired with the send
    await add(demo, bianchi, "Panna cotta", role="waiter2")  # 750, dessert: held
    await ok(demo, "POST", f"/api/checks/{rossi}/send", json={})
    await ok(demo, "POST", f"/api/checks/{bianchi}/send", "waiter2", json={})
    assert await floor_status(demo, "12") == await floor_status(demo, "5") == "ordered"

    # the mains are fired on 12; the pass bumps the starters
    await ok(demo, "POST", f"/api/checks/{rossi}/fire", json={"course": "main"})
    for ticket in await station(demo, "cold"):
        await ok(demo, "POST", f"/api/kitchen/tickets/{ticket['id']}/bump", "kitchen")

    # the two tables join: table 5's check, with its held panna cotta, merges into 12
    merged = await ok(demo, "POST", f"/api/checks/{rossi}/merge", json={"check_id": bianchi})
    assert merged["covers"] == 6 and merged["subtotal"] == 8590
    assert await floor_status(demo, "5") == "free"
    (pastry_5,) = [t for t in await station(demo, "pastry") if t["moved"]]
    assert (pastry_5["check_id"], pastry_5["moved"]) == (rossi, "merged into 12")
    # and the party moves to the bigger table 13
    await ok(
        demo, "POST", f"/api/checks/{rossi}/transfer", json={"table_id": await demo.table_id("13")}
    )
    assert await floor_status(demo, "12") == "free"
    assert await floor_status(demo, "13") == "course_ready"  # the starters were bumped
    assert {t["table"] for t in await station(demo, "pastry")} == {"13"}
    # dessert for everyone: both held desserts fire from the one check
    fired = await ok(demo, "POST", f"/api/checks/{rossi}/fire", json={"course": "dessert"})
    assert {c["course"]: c["state"] for c in fired["courses"]}["dessert"] == "fired"
    assert all(i["status"] != "held" for t in await station(demo, "pastry") for i in t["items"])

    # the bill: 8590 of food and drink, 10 % service for six covers, split four ways
    bill = await ok(demo, "GET", f"/api/checks/{rossi}/bill")
    assert (bill["subtotal"], bill["service_charge"], bill["total"]) == (8590, 859, 9449)
    split = await ok(demo, "POST", f"/api/checks/{rossi}/split", json={"mode": "even", "n": 4})
    parts = split["parts"]
    assert [p["amount"] for p in parts] == EVEN  # 9449 in four: odd cents
    assert sum(p["amount"] for p in parts) == 9449

    # a guest pays the first part from the table's link, by card with a tip
    token = (await ok(demo, "POST", f"/api/checks/{rossi}/guest-link"))["token"]
    r = await demo.client.post(
        f"/api/guest/{token}/payments", json={"part_id": parts[0]["id"], "tip": 237}
    )
    assert r.status_code == 201, r.text
    r = await demo.client.post(f"/api/guest/{token}/payments/{r.json()['payment']['id']}/poll")
    assert r.json()["payment"]["status"] == "approved"
    assert (r.json()["payment"]["amount"], r.json()["payment"]["tip"]) == (EVEN[0], 237)

    # the second in cash: 30.00 handed over, 2.00 tip, change 4.38
    cash = await ok(
        demo,
        "POST",
        f"/api/checks/{rossi}/payments",
        json={"method": "cash", "part_id": parts[1]["id"], "tendered": 3000, "tip": 200},
    )
    assert (cash["payment"]["amount"], cash["payment"]["tip"]) == (EVEN[1], 200)
    assert cash["payment"]["change"] == 3000 - EVEN[1] - 200

    # the third by card on the waiter's terminal, the fourth in exact cash
    card = await ok(
        demo,
        "POST",
        f"/api/checks/{rossi}/payments",
        json={"method": "card", "part_id": parts[2]["id"]},
    )
    await ok(demo, "POST", f"/api/payments/{card['payment']['id']}/poll")
    last = await ok(
        demo,
        "POST",
        f"/api/checks/{rossi}/payments",
        json={"method": "cash", "part_id": parts[3]["id"]},
    )
    assert (last["bill"]["status"], last["bill"]["paid"], last["bill"]["due"]) == (
        "closed",
        9449,
        0,
    )
    assert last["bill"]["tips"] == 237 + 200
    # the party has left: the reservation is complete, table 13 waits to be cleaned
    done = await ok(demo, "GET", f"/api/reservations/{booking['id']}", "host")
    assert done["status"] == "completed"
    assert await floor_status(demo, "13") == "to_clean"

    # two more tables fill up; a party of five waits for table 13, being cleaned
    for name in ("6", "10"):
        await demo.open_check(name, covers=2)
    entry = await ok(demo, "POST", "/api/waitlist", "host", json={"name": "Verdi", "party_size": 5})
    seat = await demo.call(
        "POST",
        f"/api/waitlist/{entry['id']}/seat",
        "host",
        json={"table_id": await demo.table_id("13")},
    )
    assert seat.status_code == 409 and "still being cleaned" in seat.json()["detail"]
    await ok(demo, "POST", f"/api/tables/{await demo.table_id('13')}/clean", "host")
    verdi = await ok(
        demo,
        "POST",
        f"/api/waitlist/{entry['id']}/seat",
        "host",
        json={"table_id": await demo.table_id("13"), "waiter_id": staff["Ben"]},
    )
    await add(demo, verdi["check_id"], "Negroni", role="waiter2")  # 1100, still open at close
    assert await floor_status(demo, "13") == "seated"

    # the X report: the closed sale, the open checks apart
    x = await ok(demo, "GET", "/api/reports/x", "manager")
    assert (x["checks"], x["sales_total"], x["tips"]) == (1, 9449, 437)
    assert {c["table"]: c["total"] for c in x["open_checks"]} == {"6": 0, "10": 0, "13": 1100}
    cash_in = EVEN[1] + 200 + EVEN[3]  # the tip in cash is in the drawer too
    assert x["cash_expected"] == cash_in
    assert [(s["name"], s["sales"]) for s in x["by_staff"] if s["sales"]] == [("Anna", 9449)]

    # closing the day: refused while checks are open, then carried explicitly
    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": cash_in})
    assert r.status_code == 409 and len(r.json()["open_checks"]) == 3
    for name in ("6", "10"):  # the empty checks are closed by hand
        empty = next(c for c in x["open_checks"] if c["table"] == name)
        await ok(demo, "POST", f"/api/checks/{empty['check_id']}/close")
    z = await ok(
        demo,
        "POST",
        "/api/days/close",
        "manager",
        json={"counted_cash": cash_in, "open_checks": "carry"},
    )
    assert z["carried"] == [verdi["check_id"]] and z["open_total"] == 1100
    assert (z["sales_total"], z["cash_expected"], z["cash_difference"]) == (9449, cash_in, 0)
    assert (await ok(demo, "GET", "/api/journal/verify", "manager"))["ok"] is True
