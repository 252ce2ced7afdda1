"""Booking races, the status flow, and the floor's next reservation."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from pos_service.reservations import service
from pos_service.reservations.schemas import ReservationCreate
from pos_service.reservations.service import _booking
from pos_service.reservations.service._common import load_floor
from tests.reservations.conftest import MakeVenue, Place


async def _race(v: Place) -> list[str]:
    """Two hosts book the one table for the same slot, truly at once."""
    seven = v.at(v.future_day(), "19:00")
    answers = await asyncio.gather(
        *[
            v.write(service.book, ReservationCreate(name=name, party_size=2, starts_at=seven))
            for name in ("First", "Second")
        ],
        return_exceptions=True,
    )
    return sorted(type(a).__name__ for a in answers)


async def test_two_hosts_booking_the_last_table_at_once_one_wins(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 2)])
    assert await _race(v) == ["Conflict", "ReservationRead"]
    rows = await v.sql("SELECT name FROM reservations WHERE venue_id = :v", v=v.venue_id)
    assert len(rows) == 1


async def test_without_the_day_lock_the_last_table_is_booked_twice(
    make_venue: MakeVenue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race is real: with the lock gone, both bookings read the table free."""
    v = await make_venue([("A", 2)])
    both_read = asyncio.Barrier(2)

    async def no_lock(*_: Any) -> None:
        return None

    async def load_then_wait(*args: Any) -> Any:
        state = await load_floor(*args)
        await asyncio.wait_for(both_read.wait(), 5)
        return state

    monkeypatch.setattr(_booking, "lock_day", no_lock)
    monkeypatch.setattr(_booking, "load_floor", load_then_wait)
    assert await _race(v) == ["ReservationRead", "ReservationRead"]


async def test_status_flow_and_its_events(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 2), ("B", 2)])
    at = v.next_slot(60)
    r = await v.booked(2, at)
    rid = r["id"]
    # the same instant (an offset of zero is written "Z": London in winter)
    assert r["status"] == "booked" and dt.datetime.fromisoformat(r["starts_at"]) == at

    async def move(action: str, expect: int) -> Any:
        answer = await v.call("POST", f"/api/reservations/{rid}/{action}")
        assert answer.status_code == expect, (action, answer.text)
        return answer.json()

    await move("confirm", 200)
    await move("confirm", 409)
    await move("arrive", 200)
    refused = await move("no-show", 409)
    assert refused["current_status"] == "arrived" and refused["field"] == "status"
    seated = await move("seat", 200)
    assert seated["status"] == "seated" and seated["check_id"] is not None
    await move("cancel", 409)
    await move("complete", 200)
    await move("seat", 409)
    assert [e["reservation"]["status"] for e in await v.events("reservation.booked")] == ["booked"]
    for kind in ("confirmed", "arrived", "seated", "completed"):
        assert [e["reservation"]["id"] for e in await v.events(f"reservation.{kind}")] == [rid]
    r2 = (await v.booked(2, at))["id"]
    assert (await v.call("POST", f"/api/reservations/{r2}/no-show")).json()["status"] == "no_show"
    listed = await v.call("GET", "/api/reservations", "waiter", params={"date": str(at.date())})
    assert [(x["id"], x["status"]) for x in listed.json()] == [(rid, "completed"), (r2, "no_show")]


async def test_floor_shows_each_tables_next_reservation_of_today(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 2)])
    late, early = v.next_slot(120), v.next_slot(30)

    async def next_on_a() -> Any:
        floor = (await v.call("GET", "/api/floor", "waiter")).json()
        return floor["areas"][0]["tables"][0]["next_reservation"]

    assert await next_on_a() is None
    later = await v.booked(2, late, name="Late")
    assert (await next_on_a())["name"] == "Late"
    sooner = await v.booked(2, early, name="Early")
    assert (await next_on_a())["name"] == "Early"
    await v.booked(2, v.at(v.future_day(), "19:00"), name="Next week")
    assert (await next_on_a())["name"] == "Early"
    await v.call("POST", f"/api/reservations/{sooner['id']}/cancel")
    assert (await next_on_a())["id"] == later["id"]
    await v.call("POST", f"/api/reservations/{later['id']}/seat")
    assert await next_on_a() is None
    changes = await v.events("table.next_reservation_changed")
    assert [c["next_reservation"] and c["next_reservation"]["name"] for c in changes] == [
        "Late",
        "Early",
        "Late",
        None,
    ]
