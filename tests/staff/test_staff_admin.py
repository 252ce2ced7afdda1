"""Managing staff and roles, PIN rules, clocking in and out, and the hours report."""

from __future__ import annotations

import asyncio

from tests.conftest import Demo


async def _login(demo: Demo, pin: str, venue: str = "demo") -> int:
    r = await demo.login(pin, venue)
    return r.status_code


async def test_a_manager_adds_changes_and_deactivates_staff(demo: Demo) -> None:
    listed = (await demo.call("GET", "/api/staff", "manager")).json()
    assert [m["name"] for m in listed][:6] == ["Anna", "Ben", "Clara", "Dario", "Eva", "Marco"]
    r = await demo.call(
        "POST", "/api/staff", "manager", json={"name": "Fritz", "roles": ["waiter"], "pin": "5151"}
    )
    assert r.status_code == 201, r.text
    fritz = r.json()
    assert (fritz["roles"], fritz["active"], fritz["home_venue"]) == (["waiter"], True, None)
    assert await _login(demo, "5151") == 200
    # PIN rules: unique in the venue, 4-8 digits; roles must exist
    taken = {"name": "Gina", "roles": ["host"], "pin": "1111"}
    r = await demo.call("POST", "/api/staff", "manager", json=taken)
    assert r.status_code == 409 and r.json()["field"] == "pin"
    short = {"name": "Gina", "roles": ["host"], "pin": "12"}
    assert (await demo.call("POST", "/api/staff", "manager", json=short)).status_code == 422
    r = await demo.call(
        "POST", "/api/staff", "manager", json={"name": "Gina", "roles": ["chef"], "pin": "5252"}
    )
    assert r.status_code == 422 and r.json()["field"] == "roles"

    url = f"/api/staff/{fritz['id']}"
    r = await demo.call("PATCH", url, "manager", json={"roles": ["waiter", "bar"], "pin": "6161"})
    assert r.status_code == 200 and r.json()["roles"] == ["bar", "waiter"]
    assert (await _login(demo, "5151"), await _login(demo, "6161")) == (401, 200)
    r = await demo.call("PATCH", url, "manager", json={"pin": "9999"})
    assert r.status_code == 409
    r = await demo.call("PATCH", url, "manager", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert await _login(demo, "6161") == 401
    assert (await demo.call("PATCH", "/api/staff/999999", "manager", json={})).status_code == 404


async def test_managers_keep_their_access_and_cannot_make_owners(demo: Demo) -> None:
    marco = next(
        m for m in (await demo.call("GET", "/api/staff", "manager")).json() if m["name"] == "Marco"
    )
    r = await demo.call("PATCH", f"/api/staff/{marco['id']}", "manager", json={"active": False})
    assert r.status_code == 409
    r = await demo.call("PATCH", f"/api/staff/{marco['id']}", "manager", json={"roles": ["owner"]})
    assert r.status_code == 403 and r.json()["field"] == "roles"
    r = await demo.call(
        "POST", "/api/staff", "manager", json={"name": "Otto", "roles": ["owner"], "pin": "7171"}
    )
    assert r.status_code == 403
    assert await _login(demo, "9999") == 200


async def test_one_open_shift_per_member(demo: Demo) -> None:
    r = await demo.call("POST", "/api/staff/clock-in", "waiter")
    assert r.status_code == 201 and r.json()["clock_out"] is None
    again = await demo.call("POST", "/api/staff/clock-in", "waiter")
    assert again.status_code == 409
    out = await demo.call("POST", "/api/staff/clock-out", "waiter")
    assert out.status_code == 200 and out.json()["id"] == r.json()["id"]
    assert out.json()["clock_out"] >= out.json()["clock_in"]
    assert (await demo.call("POST", "/api/staff/clock-out", "waiter")).status_code == 409


async def test_simultaneous_clock_ins_open_one_shift(demo: Demo) -> None:
    answers = await asyncio.gather(
        *(demo.call("POST", "/api/staff/clock-in", "bar") for _ in range(6))
    )
    assert sorted(r.status_code for r in answers) == [201] + [409] * 5
    [(count,)] = await demo.sql("SELECT count(*) FROM shifts WHERE venue_id = :v", v=demo.venue_id)
    assert count == 1


async def test_hours_report_per_member_and_day(demo: Demo) -> None:
    for role in ("waiter", "waiter", "host"):
        assert (await demo.call("POST", "/api/staff/clock-in", role)).status_code == 201
        if role == "waiter":
            assert (await demo.call("POST", "/api/staff/clock-out", role)).status_code == 200
    r = await demo.call("GET", "/api/reports/hours", "manager")
    assert r.status_code == 200, r.text
    rows = {row["name"]: row for row in r.json()["rows"]}
    assert (rows["Anna"]["shifts"], rows["Anna"]["open"]) == (2, False)
    assert (rows["Clara"]["shifts"], rows["Clara"]["open"]) == (1, True)
    csv = await demo.call("GET", "/api/reports/hours?format=csv", "manager")
    assert csv.text.splitlines()[0] == "business_date,staff_id,name,shifts,seconds,open"
    assert len(csv.text.splitlines()) == 3


async def test_staff_changes_are_versioned_and_audited_without_the_pin(demo: Demo) -> None:
    made = await demo.call(
        "POST", "/api/staff", "manager", json={"name": "Ida", "roles": ["waiter"], "pin": "5151"}
    )
    assert made.status_code == 201, made.text
    ida = made.json()
    path = f"/api/staff/{ida['id']}"
    r = await demo.call(
        "PATCH", path, "manager", json={"version": ida["version"], "roles": ["host"], "pin": "5252"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == ida["version"] + 1
    stale = await demo.call(
        "PATCH", path, "manager", json={"version": ida["version"], "active": False}
    )
    assert (stale.status_code, stale.json()["field"]) == (409, "version")
    assert stale.json()["current"]["roles"] == ["host"]
    rows = await demo.sql(
        "SELECT action, detail FROM audit_entries WHERE venue_id = :v ORDER BY id", v=demo.venue_id
    )
    assert [(a, d) for a, d in rows] == [
        ("staff.created", {"name": "Ida", "roles": ["waiter"]}),
        ("staff.roles_changed", {"from": ["waiter"], "to": ["host"]}),
        ("staff.pin_reset", {}),
    ]
    assert "5252" not in str(rows)
