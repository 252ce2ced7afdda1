"""The table's allergies (from the booking, the guest's profile and the waiter) are the
band on every station's tickets of the check, on the screens and on paper."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, text

from pos_service.kitchen import screen
from pos_service.printing import service as printing
from pos_service.printing.models import Printer, PrintJob
from printers.decoder import decode
from tests.conftest import Demo

STATIONS = ("cold", "hot", "bar")


async def _book_and_seat(demo: Demo, **booking: Any) -> int:
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date().isoformat()
    slots = (
        await demo.call("GET", f"/api/reservations/availability?date={day}&party_size=2", "host")
    ).json()
    body = {"name": "Weber", "party_size": 2, "starts_at": slots["slots"][0]["starts_at"]}
    booked = await demo.call("POST", "/api/reservations", "host", json={**body, **booking})
    assert booked.status_code == 201, booked.text
    seated = await demo.call("POST", f"/api/reservations/{booked.json()['id']}/seat", "host")
    assert seated.status_code == 200, seated.text
    return int(seated.json()["check_id"])


async def _order_on_three_stations(demo: Demo, check_id: int) -> None:
    for name in ("Burrata", "Lasagne", "House red"):
        r = await demo.add(check_id, name, seat=1)
        assert r.status_code == 201, r.text
    sent = await demo.call("POST", f"/api/checks/{check_id}/send", json={})
    assert sent.status_code == 200, sent.text


async def _tickets(demo: Demo, check_id: int) -> dict[str, dict[str, Any]]:
    found = {}
    for station in STATIONS:
        r = await demo.call("GET", f"/api/kitchen/tickets?station={station}", "kitchen")
        found[station] = next(t for t in r.json()["tickets"] if t["check_id"] == check_id)
    return found


async def _paper(demo: Demo) -> list[str]:
    """The decoded text of every ticket printed, oldest first."""
    async with demo.sessions() as session:
        rows = (
            await session.execute(
                select(PrintJob, Printer)
                .join(
                    Printer,
                    (Printer.venue_id == PrintJob.venue_id) & (Printer.id == PrintJob.printer_id),
                )
                .where(PrintJob.venue_id == demo.venue_id)
                .order_by(PrintJob.id)
            )
        ).all()
        return [decode(printing.render(j, p)).text for j, p in rows]


async def test_a_bookings_allergies_are_on_every_stations_ticket_and_paper(demo: Demo) -> None:
    check_id = await _book_and_seat(
        demo, allergens=["nuts", "milk"], allergy_note="no coriander", notes="anniversary"
    )
    check = (await demo.call("GET", f"/api/checks/{check_id}")).json()
    assert (check["allergens"], check["allergy_note"]) == (["milk", "nuts"], "no coriander")
    await _order_on_three_stations(demo, check_id)

    band = ["milk", "nuts", "no coriander"]
    tickets = await _tickets(demo, check_id)
    assert {s: t["allergies"] for s, t in tickets.items()} == dict.fromkeys(STATIONS, band)
    # the dish that contains one of them is flagged on its station too
    burrata = next(i for i in tickets["cold"]["items"] if i["name"] == "Burrata")
    assert burrata["allergy_flags"] == ["milk"]
    expo = (await demo.call("GET", "/api/kitchen/expo", "kitchen")).json()
    assert next(o for o in expo["orders"] if o["check_id"] == check_id)["allergies"] == band

    paper = await _paper(demo)
    assert len(paper) == 3
    for printed in paper:
        assert "ALLERGY: milk" in printed
        assert "ALLERGY: nuts" in printed
        assert "ALLERGY: no coriander" in printed


async def test_a_guest_profiles_allergies_reach_the_check(demo: Demo) -> None:
    profile = {
        "name": "Grace",
        "phone": "+1 555 0100",
        "allergens": ["sesame"],
        "allergy_note": "no coriander",
    }
    r = await demo.call("POST", "/api/guests", "host", json=profile)
    assert r.status_code == 201, r.text

    # a walk-in: the waiter says whom the check is for
    check = await demo.open_check("12", covers=2)
    r = await demo.call("POST", f"/api/checks/{check['id']}/guest", json={"phone": "+15550100"})
    assert r.status_code == 200, r.text
    read = (await demo.call("GET", f"/api/checks/{check['id']}")).json()
    assert (read["allergens"], read["allergy_note"]) == (["sesame"], "no coriander")

    # a booking by the same phone: the profile's allergies join the booking's
    check_id = await _book_and_seat(demo, phone="+1 555 0100", allergens=["fish"])
    read = (await demo.call("GET", f"/api/checks/{check_id}")).json()
    assert (read["allergens"], read["allergy_note"]) == (["fish", "sesame"], "no coriander")
    await _order_on_three_stations(demo, check_id)
    tickets = await _tickets(demo, check_id)
    assert all(t["allergies"] == ["fish", "sesame", "no coriander"] for t in tickets.values())


async def test_the_waiter_sets_the_band_and_sent_tickets_show_it(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    await _order_on_three_stations(demo, check["id"])
    assert all(t["allergies"] == [] for t in (await _tickets(demo, check["id"])).values())
    since = await _last_seq(demo)

    url = f"/api/checks/{check['id']}/allergies"
    r = await demo.call("PUT", url, json={"allergens": ["gluten", "peanuts"], "allergy_note": ""})
    assert r.status_code == 200, r.text
    assert r.json()["allergens"] == ["gluten", "peanuts"]
    tickets = await _tickets(demo, check["id"])
    assert all(t["allergies"] == ["gluten", "peanuts"] for t in tickets.values())

    # a screen that applies the events it got arrives at what the server shows
    for station, ticket in tickets.items():
        before = {ticket["id"]: {**ticket, "allergies": []}}
        for event in await _events(demo, f"kitchen:{station}", since):
            before = screen.apply(before, event)
        assert before[ticket["id"]]["allergies"] == ["gluten", "peanuts"]

    r = await demo.call("PUT", url, json={"allergens": ["shellfish"]})
    assert r.status_code == 422 and "allergens" in r.json()["field"]


async def test_a_lines_own_allergens_flag_its_item_on_screen_and_paper(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    burrata = await demo.item("Burrata")
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/lines",
        json={"item_id": burrata["id"], "seat": 2, "allergens": ["gluten"]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["lines"][0]["allergens"] == ["gluten"]
    sent = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert sent.status_code == 200, sent.text
    ticket = (await _tickets_at(demo, "cold", check["id"]))["items"][0]
    assert ticket["allergy_flags"] == ["gluten"]
    [printed] = await _paper(demo)
    assert "ALLERGY: gluten" in printed


async def _tickets_at(demo: Demo, station: str, check_id: int) -> dict[str, Any]:
    r = await demo.call("GET", f"/api/kitchen/tickets?station={station}", "kitchen")
    return dict(next(t for t in r.json()["tickets"] if t["check_id"] == check_id))


async def _last_seq(demo: Demo) -> int:
    async with demo.sessions() as session:
        seq = await session.scalar(
            text("SELECT coalesce(max(seq), 0) FROM events WHERE venue_id = :v"),
            {"v": demo.venue_id},
        )
        return int(seq or 0)


async def _events(demo: Demo, topic: str, since: int) -> list[dict[str, Any]]:
    async with demo.sessions() as session:
        rows = await session.execute(
            text(
                "SELECT type, data FROM events WHERE venue_id = :v AND seq > :s "
                "AND topic = :t ORDER BY seq"
            ),
            {"v": demo.venue_id, "s": since, "t": topic},
        )
        return [{"type": r.type, "data": r.data} for r in rows]


async def test_a_guest_linked_after_the_send_brings_the_band_to_the_tickets(demo: Demo) -> None:
    body = {"name": "Grace", "phone": "+1 555 0100", "allergens": ["eggs"]}
    assert (await demo.call("POST", "/api/guests", "host", json=body)).status_code == 201
    check = await demo.open_check("12", covers=2)
    await _order_on_three_stations(demo, check["id"])
    since = await _last_seq(demo)

    r = await demo.call("POST", f"/api/checks/{check['id']}/guest", json={"phone": "+15550100"})
    assert r.status_code == 200, r.text
    tickets = await _tickets(demo, check["id"])
    assert all(t["allergies"] == ["eggs"] for t in tickets.values())
    told = [e["data"]["station"] for e in await _events(demo, "expo", since)]
    assert sorted(told) == sorted(STATIONS)
    # linking again changes nothing, and tells nobody
    since = await _last_seq(demo)
    r = await demo.call("POST", f"/api/checks/{check['id']}/guest", json={"phone": "+15550100"})
    assert r.status_code == 200, r.text
    assert [e["type"] for e in await _events(demo, "expo", since)] == []
