"""Availability and best-fit booking on small hand-built venues."""

from __future__ import annotations

import datetime as dt

from pos_service.reservations.planning import ServicePeriod, TurnTime
from tests.conftest import Demo
from tests.reservations.conftest import MakeVenue

EVENING = [ServicePeriod(name="dinner", start=dt.time(18, 0), end=dt.time(22, 0))]
TURNS = [TurnTime(party_size=2, minutes=90), TurnTime(party_size=4, minutes=120)]


async def test_bookings_block_their_tables_for_the_turn_time_of_their_party_size(
    make_venue: MakeVenue,
) -> None:
    v = await make_venue([("A", 2), ("B", 4)], periods=EVENING, slot_minutes=30, turn_times=TURNS)
    day = v.future_day()
    two = await v.booked(2, v.at(day, "19:00"))
    four = await v.booked(4, v.at(day, "19:00"))
    assert (two["table_ids"], four["table_ids"]) == ([v.tables["A"]], [v.tables["B"]])
    # A is busy 19:00-20:30 (90 min), B 19:00-21:00 (120 min)
    assert await v.availability(day, 2) == ["20:30", "21:00", "21:30"]
    assert await v.availability(day, 4) == ["21:00", "21:30"]
    r = await v.book(2, v.at(day, "20:00"))
    assert r.status_code == 409 and r.json()["field"] == "starts_at"
    # a cancelled booking gives its table back
    r = await v.call("POST", f"/api/reservations/{two['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert await v.availability(day, 2) == [
        "18:00",
        "18:30",
        "19:00",
        "19:30",
        "20:00",
        "20:30",
        "21:00",
        "21:30",
    ]


async def test_tables_are_combined_only_when_no_single_table_fits(make_venue: MakeVenue) -> None:
    v = await make_venue(
        [("A", 2), ("B", 2), ("C", 2), ("D", 4)], combos=[("A", "B")], periods=EVENING
    )
    day, seven = v.future_day(), v.at(v.future_day(), "19:00")
    r = await v.call(
        "GET", "/api/reservations/availability", params={"date": str(day), "party_size": 4}
    )
    first = r.json()["slots"][0]
    assert first["table_ids"] == [v.tables["D"]] and first["starts_at"].endswith(
        "T18:00:00" + first["starts_at"][19:]
    )
    assert (await v.booked(4, seven))["table_ids"] == [v.tables["D"]]
    assert (await v.booked(4, seven))["table_ids"] == [v.tables["A"], v.tables["B"]]
    assert (await v.book(4, seven)).status_code == 409  # C alone seats 2, and joins nothing
    assert "19:00" not in await v.availability(day, 4)
    assert (await v.booked(2, seven))["table_ids"] == [v.tables["C"]]
    assert "19:00" not in await v.availability(day, 1)


async def test_pacing_caps_covers_starting_per_slot(make_venue: MakeVenue) -> None:
    v = await make_venue([(str(n), 4) for n in range(6)], periods=EVENING, max_covers_per_slot=6)
    day = v.future_day()
    await v.booked(4, v.at(day, "19:00"))
    assert "19:00" in await v.availability(day, 2)
    assert "19:00" not in await v.availability(day, 3)
    assert "19:15" in await v.availability(day, 3)
    r = await v.book(3, v.at(day, "19:00"))
    assert r.status_code == 409 and "pacing" in r.json()["detail"]
    await v.booked(2, v.at(day, "19:00"))
    assert "19:00" not in await v.availability(day, 1)


async def test_a_share_of_tables_is_kept_for_walk_ins(make_venue: MakeVenue) -> None:
    v = await make_venue([(str(n), 2) for n in range(4)], periods=EVENING, walk_in_percent=50)
    day = v.future_day()
    await v.booked(2, v.at(day, "19:00"))
    await v.booked(2, v.at(day, "19:30"))
    r = await v.book(2, v.at(day, "20:00"))
    assert r.status_code == 409 and "walk-ins" in r.json()["detail"]
    # two of four tables are held 19:00-20:30 and 19:30-21:00: a third may sit only
    # 18:00-19:30 (with just the 19:00 party) or from 20:30 (with just the 19:30 one)
    assert await v.availability(day, 2) == [
        "18:00",
        "20:30",
        "20:45",
        "21:00",
        "21:15",
        "21:30",
        "21:45",
    ]


async def test_host_choice_of_tables_is_checked(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 2), ("B", 2), ("C", 2)], combos=[("A", "B")], periods=EVENING)
    t, seven = v.tables, v.at(v.future_day(), "19:00")
    r = await v.book(4, seven, table_ids=[t["A"], t["C"]])
    assert r.status_code == 422 and r.json()["field"] == "table_ids"
    r = await v.book(4, seven, table_ids=[t["C"]])
    assert r.status_code == 422  # seats 2
    assert (await v.booked(2, seven, table_ids=[t["B"]]))["table_ids"] == [t["B"]]
    r = await v.book(4, seven, table_ids=[t["A"], t["B"]])
    assert r.status_code == 409 and r.json()["table_ids"] == [t["B"]]
    r = await v.book(2, seven.replace(minute=7))
    assert r.status_code == 422 and r.json()["field"] == "starts_at"  # not a slot
    r = await v.book(2, seven - dt.timedelta(days=30))
    assert r.status_code == 422  # in the past


async def test_waiters_read_hosts_book(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 2)], periods=EVENING)
    day = v.future_day()
    r = await v.call(
        "GET",
        "/api/reservations/availability",
        "waiter",
        params={"date": str(day), "party_size": 2},
    )
    assert r.status_code == 200 and len(r.json()["slots"]) == 16
    r = await v.call(
        "POST",
        "/api/reservations",
        "waiter",
        json={"name": "X", "party_size": 2, "starts_at": v.at(day, "19:00").isoformat()},
    )
    assert r.status_code == 403


async def test_demo_venue_books_lunch_and_dinner(demo: Demo) -> None:
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)
    r = await demo.call(
        "GET", "/api/reservations/availability", "host", params={"date": str(day), "party_size": 8}
    )
    slots = r.json()["slots"]
    assert r.status_code == 200 and slots[0]["starts_at"].startswith(f"{day}T12:00:00+0")
    assert slots[0]["table_ids"] == [await demo.table_id("10")]  # the one 8-top
    assert {s["starts_at"][11:16] for s in slots} >= {"14:45", "18:00", "22:45"}
    assert not {s["starts_at"][11:16] for s in slots} & {"15:00", "17:45", "23:00"}


async def test_managers_set_the_booking_rules(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 2)], periods=EVENING)
    rules = (await v.call("GET", "/api/reservations/rules", "waiter")).json()
    assert rules["periods"] == [{"name": "dinner", "start": "18:00:00", "end": "22:00:00"}]
    lunch = rules | {"periods": [{"name": "lunch", "start": "12:00:00", "end": "13:00:00"}]}
    assert (await v.call("PUT", "/api/reservations/rules", "host", json=lunch)).status_code == 403
    r = await v.call("PUT", "/api/reservations/rules", "manager", json=lunch)
    assert r.status_code == 200, r.text
    assert await v.availability(v.future_day(), 2) == ["12:00", "12:15", "12:30", "12:45"]
    bad = lunch | {"turn_times": [{"party_size": 2, "minutes": 90}] * 2}
    r = await v.call("PUT", "/api/reservations/rules", "manager", json=bad)
    assert r.status_code == 422 and r.json()["field"] == "turn_times"
    r = await v.call("PUT", "/api/reservations/rules", "manager", json=lunch | {"slot_minutes": 1})
    assert r.status_code == 422 and r.json()["field"] == "slot_minutes"
