"""Each change of a reservation or a waitlist entry bumps its version, and its event
carries the state with that version: a page keeps the newer of two copies
(docs/live.md, "Page reducers: the host stand")."""

from __future__ import annotations

from typing import Any

from pos_service.tables import service as tables
from pos_service.tables.models import TableStatus
from tests.reservations.conftest import MakeVenue, RunTask


def _versions(events: list[dict[str, Any]], key: str) -> list[tuple[str, int]]:
    return [(e[key]["status"], e[key]["version"]) for e in events]


async def test_a_reservation_s_events_carry_its_version_bumped_by_each_move(
    make_venue: MakeVenue,
) -> None:
    v = await make_venue([("A", 2), ("B", 2)])
    made = await v.booked(2, v.next_slot(30))
    assert made["version"] == 1
    confirmed = await v.call("POST", f"/api/reservations/{made['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    seated = await v.call("POST", f"/api/reservations/{made['id']}/seat")
    assert seated.status_code == 200, seated.text
    done = await v.call("POST", f"/api/reservations/{made['id']}/complete")
    assert done.status_code == 200, done.text
    assert done.json()["version"] == 4
    got = await v.call("GET", f"/api/reservations/{made['id']}")
    assert got.json()["version"] == 4  # the read shows what the last event carried

    moves = [
        *await v.events("reservation.booked"),
        *await v.events("reservation.confirmed"),
        *await v.events("reservation.seated"),
        *await v.events("reservation.completed"),
    ]
    assert _versions(moves, "reservation") == [
        ("booked", 1),
        ("confirmed", 2),
        ("seated", 3),
        ("completed", 4),
    ]


async def test_a_waitlist_entry_s_events_carry_its_version(
    make_venue: MakeVenue, run_task: RunTask
) -> None:
    v = await make_venue([("A", 2)])
    check = await v.call(
        "POST", "/api/checks", "waiter", json={"table_id": v.tables["A"], "covers": 2}
    )
    assert check.status_code == 201, check.text
    added = await v.call("POST", "/api/waitlist", json={"name": "Gallo", "party_size": 2})
    assert added.status_code == 201, added.text
    entry = added.json()
    async with v.sessions() as session, session.begin():
        await tables.set_state(
            session, v.venue_id, v.tables["A"], TableStatus.FREE, open_check=None
        )
    assert await run_task("reservations.waitlist_ready") == 1
    [ready] = await v.events("waitlist.table_ready")
    assert (ready["entry_id"], ready["version"]) == (entry["id"], 2)
    gone = await v.call("POST", f"/api/waitlist/{entry['id']}/cancel")
    assert gone.status_code == 200, gone.text
    assert gone.json()["version"] == 3
    [add] = await v.events("waitlist.added")
    [cancel] = await v.events("waitlist.cancelled")
    assert _versions([add, cancel], "entry") == [("waiting", 1), ("cancelled", 3)]
