"""Seating names the check's waiter; paying the check completes the reservation."""

from __future__ import annotations

from typing import Any

from tests.conftest import Demo
from tests.support.service import in_service, next_slot


async def _booked(demo: Demo, tables: list[str], party: int = 2) -> dict[str, Any]:
    tz = await in_service(demo)
    body = {
        "name": "Rossi",
        "party_size": party,
        "starts_at": next_slot(tz).isoformat(),
        "table_ids": [await demo.table_id(t) for t in tables],
    }
    r = await demo.call("POST", "/api/reservations", "host", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _staff_id(demo: Demo, name: str) -> int:
    rows = await demo.sql(
        "SELECT id FROM staff WHERE venue_id = :v AND name = :n", v=demo.venue_id, n=name
    )
    return int(rows[0].id)


async def _floor_table(demo: Demo, name: str) -> dict[str, Any]:
    floor = (await demo.call("GET", "/api/floor", "host")).json()
    return dict(next(t for a in floor["areas"] for t in a["tables"] if t["name"] == name))


async def test_the_host_seats_a_party_for_the_waiter_they_name(demo: Demo) -> None:
    booking = await _booked(demo, ["7"])
    ben = await _staff_id(demo, "Ben")
    r = await demo.call(
        "POST", f"/api/reservations/{booking['id']}/seat", "host", json={"waiter_id": ben}
    )
    assert r.status_code == 200, r.text
    check = (await demo.call("GET", f"/api/checks/{r.json()['check_id']}")).json()
    assert check["waiter_id"] == ben
    assert (await _floor_table(demo, "7"))["open_check"]["waiter"] == "Ben"
    entry = await demo.call(
        "POST", "/api/waitlist", "host", json={"name": "Gallo", "party_size": 2}
    )
    r = await demo.call(
        "POST",
        f"/api/waitlist/{entry.json()['id']}/seat",
        "host",
        json={"table_id": await demo.table_id("11"), "waiter_id": 999999},
    )
    assert r.status_code == 404 and r.json()["field"] == "waiter_id"


async def test_unnamed_the_check_is_nobodys_until_a_waiter_adds_a_line(demo: Demo) -> None:
    booking = await _booked(demo, ["7"])
    r = await demo.call("POST", f"/api/reservations/{booking['id']}/seat", "host", json={})
    assert r.status_code == 200, r.text
    check_id = r.json()["check_id"]
    check = (await demo.call("GET", f"/api/checks/{check_id}")).json()
    assert check["waiter_id"] is None  # not the host's
    assert (await _floor_table(demo, "7"))["open_check"]["waiter"] == ""
    assert (await demo.add(check_id, "Burrata", role="waiter2")).status_code == 201
    assert (await demo.add(check_id, "Tiramisu", role="waiter")).status_code == 201
    check = (await demo.call("GET", f"/api/checks/{check_id}")).json()
    assert check["waiter_id"] == await _staff_id(demo, "Ben")
    assert (await _floor_table(demo, "7"))["open_check"]["waiter"] == "Ben"
    sent = await demo.call("POST", f"/api/checks/{check_id}/send", "waiter2", json={})
    assert sent.status_code == 200, sent.text
    tickets = (await demo.call("GET", "/api/kitchen/tickets", "kitchen")).json()["tickets"]
    assert {t["waiter"] for t in tickets} == {"Ben"}


async def test_paying_the_check_completes_the_seated_reservation(demo: Demo) -> None:
    booking = await _booked(demo, ["1", "2"], party=4)
    r = await demo.call("POST", f"/api/reservations/{booking['id']}/seat", "host", json={})
    assert r.status_code == 200, r.text
    check_id = r.json()["check_id"]
    assert (await demo.add(check_id, "Espresso")).status_code == 201
    paid = await demo.call("POST", f"/api/checks/{check_id}/payments", json={"method": "cash"})
    assert paid.status_code == 201, paid.text
    reservation = (await demo.call("GET", f"/api/reservations/{booking['id']}", "host")).json()
    assert reservation["status"] == "completed"
    assert [(await _floor_table(demo, t))["status"] for t in ("1", "2")] == ["to_clean"] * 2
