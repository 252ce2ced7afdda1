"""The waitlist: quotes from when tables free up, table-ready announcements, seating."""

from __future__ import annotations

from typing import Any

from pos_service.tables import service as tables
from pos_service.tables.models import TableStatus
from tests.reservations.conftest import MakeVenue, Place, RunTask


async def _set_status(v: Place, table: str, status: TableStatus, **kw: Any) -> None:
    """What payments and the kitchen do to a table's live state."""
    async with v.sessions() as session, session.begin():
        await tables.set_state(session, v.venue_id, v.tables[table], status, **kw)


async def _waitlist(v: Place) -> list[dict[str, Any]]:
    r = await v.call("GET", "/api/waitlist", "waiter")
    assert r.status_code == 200, r.text
    return list(r.json())


async def test_quote_shortens_when_the_seated_table_asks_for_the_bill_and_pays(
    make_venue: MakeVenue,
) -> None:
    v = await make_venue([("A", 2)])
    check = await v.call(
        "POST", "/api/checks", "waiter", json={"table_id": v.tables["A"], "covers": 2}
    )
    assert check.status_code == 201
    added = await v.call("POST", "/api/waitlist", json={"name": "Bianchi", "party_size": 2})
    assert added.status_code == 201
    assert added.json()["quoted_minutes"] == 90 and added.json()["position"] == 1
    second = await v.call("POST", "/api/waitlist", json={"name": "Verdi", "party_size": 2})
    assert second.json()["quoted_minutes"] == 180  # after the first party's turn
    await _set_status(v, "A", TableStatus.BILL_REQUESTED)
    assert [e["estimated_minutes"] for e in await _waitlist(v)] == [10, 100]
    await _set_status(v, "A", TableStatus.PAID)
    listed = await _waitlist(v)
    assert [(e["position"], e["estimated_minutes"]) for e in listed] == [(1, 0), (2, 90)]
    assert [e["quoted_minutes"] for e in listed] == [90, 180]  # what was told stays


async def test_quotes_keep_clear_of_upcoming_reservations(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 2)])
    await v.booked(2, v.next_slot(30))
    added = await v.call("POST", "/api/waitlist", json={"name": "Neri", "party_size": 2})
    # a 90-minute walk-in cannot sit before the booking; it waits for it to finish
    assert added.json()["quoted_minutes"] >= 120
    too_big = await v.call("POST", "/api/waitlist", json={"name": "Big", "party_size": 3})
    assert too_big.status_code == 422 and too_big.json()["field"] == "party_size"


async def test_table_ready_is_announced_once_when_a_suitable_table_frees(
    make_venue: MakeVenue, run_task: RunTask
) -> None:
    v = await make_venue([("A", 2), ("B", 6)])
    for table in ("A", "B"):
        await v.call(
            "POST", "/api/checks", "waiter", json={"table_id": v.tables[table], "covers": 2}
        )
    entry = (await v.call("POST", "/api/waitlist", json={"name": "Gallo", "party_size": 2})).json()
    run = run_task
    assert await run("reservations.waitlist_ready") == 0
    await _set_status(v, "B", TableStatus.PAID)
    assert await run("reservations.waitlist_ready") == 0  # paid is not yet free
    await _set_status(v, "B", TableStatus.FREE, open_check=None)
    assert await run("reservations.waitlist_ready") == 1
    assert await run("reservations.waitlist_ready") == 0
    await _set_status(v, "A", TableStatus.FREE, open_check=None)
    assert await run("reservations.waitlist_ready") == 1  # the better fit, announced anew
    ready = await v.events("waitlist.table_ready")
    assert [(e["entry_id"], e["table_names"]) for e in ready] == [
        (entry["id"], ["B"]),
        (entry["id"], ["A"]),
    ]
    assert (await _waitlist(v))[0]["ready_table_ids"] == [v.tables["A"]]


async def test_seating_from_the_waitlist_opens_a_check(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 2), ("B", 4)])
    await v.call("POST", "/api/checks", "waiter", json={"table_id": v.tables["A"], "covers": 2})
    entry = (
        await v.call(
            "POST", "/api/waitlist", json={"name": "Russo", "party_size": 3, "notes": "pram"}
        )
    ).json()
    busy = await v.call(
        "POST", f"/api/waitlist/{entry['id']}/seat", json={"table_id": v.tables["A"]}
    )
    assert busy.status_code == 409
    seated = await v.call(
        "POST", f"/api/waitlist/{entry['id']}/seat", json={"table_id": v.tables["B"]}
    )
    assert seated.status_code == 200 and seated.json()["status"] == "seated"
    check = (await v.call("GET", f"/api/checks/{seated.json()['check_id']}", "waiter")).json()
    assert (check["covers"], check["notes"], check["table_id"]) == (3, "pram", v.tables["B"])
    assert await _waitlist(v) == []
    again = await v.call("POST", f"/api/waitlist/{entry['id']}/cancel")
    assert again.status_code == 409
    gone = (await v.call("POST", "/api/waitlist", json={"name": "X", "party_size": 1})).json()
    assert (await v.call("POST", f"/api/waitlist/{gone['id']}/cancel")).json()[
        "status"
    ] == "cancelled"
    waiter = await v.call("POST", "/api/waitlist", "waiter", json={"name": "Y", "party_size": 1})
    assert waiter.status_code == 403
