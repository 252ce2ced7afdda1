"""A paid table comes back: cleaned from the handheld or the host stand, or by itself
after the venue's minutes; quotes count down while it is cleaned; seating on it says so."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text

from tests.conftest import Demo
from tests.support.service import in_service, next_slot


async def _table(demo: Demo, name: str) -> dict[str, Any]:
    floor = (await demo.call("GET", "/api/floor", "host")).json()
    return next(t for a in floor["areas"] for t in a["tables"] if t["name"] == name)


async def _paid(demo: Demo, table: str) -> None:
    check = await demo.open_check(table, covers=2)
    assert (await demo.add(check["id"], "Espresso")).status_code == 201
    r = await demo.call("POST", f"/api/checks/{check['id']}/payments", json={"method": "cash"})
    assert r.status_code == 201, r.text
    assert (await _table(demo, table))["status"] == "to_clean"


async def _cleaning_since(demo: Demo, table: str, minutes: int) -> None:
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE dining_tables SET status_changed_at = now() - make_interval(mins => :m) "
                "WHERE venue_id = :v AND name = :n"
            ),
            {"m": minutes, "v": demo.venue_id, "n": table},
        )


async def test_a_paid_table_is_cleaned_from_the_handheld_or_the_host_stand(demo: Demo) -> None:
    for role, table in (("waiter", "5"), ("host", "6")):
        await _paid(demo, table)
        table_id = await demo.table_id(table)
        r = await demo.call("POST", f"/api/tables/{table_id}/clean", role)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "free" and r.json()["open_check"] is None
        assert (await _table(demo, table))["status"] == "free"
        again = await demo.call("POST", f"/api/tables/{table_id}/clean", role)
        assert again.status_code == 409 and again.json()["field"] == "table_id"
        assert again.json()["detail"] == f"table {table} is free, not to clean"
    kitchen = await demo.call("POST", f"/api/tables/{await demo.table_id('5')}/clean", "kitchen")
    assert kitchen.status_code == 403
    missing = await demo.call("POST", "/api/tables/999999/clean")
    assert missing.status_code == 404 and missing.json()["field"] == "table_id"


async def test_seating_on_a_table_being_cleaned_says_so(demo: Demo) -> None:
    tz = await in_service(demo)
    await _paid(demo, "5")
    table_id = await demo.table_id("5")
    booking = await demo.call(
        "POST",
        "/api/reservations",
        "host",
        json={
            "name": "Rossi",
            "party_size": 2,
            "starts_at": next_slot(tz, 120).isoformat(),
            "table_ids": [await demo.table_id("7")],
        },
    )
    assert booking.status_code == 201, booking.text
    seat = await demo.call(
        "POST",
        f"/api/reservations/{booking.json()['id']}/seat",
        "host",
        json={"table_ids": [table_id]},
    )
    assert seat.status_code == 409
    assert seat.json()["detail"] == "table 5 is still being cleaned; mark it clean first"
    entry = await demo.call(
        "POST", "/api/waitlist", "host", json={"name": "Gallo", "party_size": 2}
    )
    r = await demo.call(
        "POST", f"/api/waitlist/{entry.json()['id']}/seat", "host", json={"table_id": table_id}
    )
    assert r.status_code == 409 and r.json()["table_status"] == "to_clean"
    assert "still being cleaned" in r.json()["detail"]
    assert (await demo.call("POST", f"/api/tables/{table_id}/clean", "host")).status_code == 200
    r = await demo.call(
        "POST", f"/api/waitlist/{entry.json()['id']}/seat", "host", json={"table_id": table_id}
    )
    assert r.status_code == 200, r.text
    assert (await _table(demo, "5"))["status"] == "seated"


async def test_quotes_count_down_while_the_only_table_is_cleaned(demo: Demo) -> None:
    await in_service(demo)
    # every table but 5 (4 seats) is taken for hours: the quote hangs on table 5
    for name in ("1", "2", "3", "4", "6", "7", "8", "9", "10", "11", "12", "13", "14"):
        await demo.open_check(name, covers=2)
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text("DELETE FROM dining_tables WHERE venue_id = :v AND name LIKE 'T%'"),
            {"v": demo.venue_id},
        )
    await _paid(demo, "5")
    r = await demo.call("PUT", "/api/floor/turnover", "manager", json={"clean_after_minutes": 20})
    assert r.status_code == 200, r.text
    entry = await demo.call(
        "POST", "/api/waitlist", "host", json={"name": "Gallo", "party_size": 4}
    )
    assert entry.status_code == 201, entry.text
    assert entry.json()["quoted_minutes"] == 20
    await _cleaning_since(demo, "5", 9)
    (listed,) = (await demo.call("GET", "/api/waitlist", "host")).json()
    assert listed["estimated_minutes"] == 15  # 11 minutes left, not "5 min" forever
    await _cleaning_since(demo, "5", 30)
    (listed,) = (await demo.call("GET", "/api/waitlist", "host")).json()
    assert listed["estimated_minutes"] == 0


async def test_a_venue_setting_cleans_tables_by_itself(demo: Demo) -> None:
    assert (await demo.call("GET", "/api/floor/turnover")).json() == {"clean_after_minutes": None}
    r = await demo.call("PUT", "/api/floor/turnover", "waiter", json={"clean_after_minutes": 10})
    assert r.status_code == 403
    r = await demo.call("PUT", "/api/floor/turnover", "manager", json={"clean_after_minutes": 0})
    assert r.status_code == 422 and r.json()["field"] == "clean_after_minutes"
    r = await demo.call("PUT", "/api/floor/turnover", "manager", json={"clean_after_minutes": 10})
    assert r.status_code == 200, r.text
    await _paid(demo, "5")
    scheduler = demo.app.state.scheduler
    now = dt.datetime.now(dt.UTC)
    assert await scheduler.run_task("tables.clean", now + dt.timedelta(minutes=9)) == 0
    assert (await _table(demo, "5"))["status"] == "to_clean"
    assert await scheduler.run_task("tables.clean", now + dt.timedelta(minutes=11)) == 1
    assert (await _table(demo, "5"))["status"] == "free"
    audit = (await demo.call("GET", "/api/audit", "manager")).json()
    assert any(e["action"] == "settings.changed" for e in audit)
