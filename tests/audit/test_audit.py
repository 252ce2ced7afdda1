"""The audit trail: recorded in the changing transaction, read by managers only."""

from __future__ import annotations

from pos_service.audit import service as audit
from pos_service.core.auth import Caller
from tests.conftest import Demo


async def test_an_entry_names_who_what_and_the_device_and_only_managers_read_it(
    demo: Demo,
) -> None:
    manager = Caller(kind="staff", venue_id=demo.venue_id, staff_id=6, name="Marco", device_id=3)
    async with demo.sessions() as session, session.begin():
        await audit.record(session, manager, "staff.role_changed", "staff:1", {"roles": ["host"]})
    async with demo.sessions() as session:
        # a change rolled back leaves no trace
        async with session.begin():
            await audit.record(session, manager, "staff.deactivated", "staff:2")
            await session.rollback()

    r = await demo.call("GET", "/api/audit", "manager")
    assert r.status_code == 200, r.text
    [entry] = r.json()
    assert entry["action"] == "staff.role_changed"
    assert entry["subject"] == "staff:1"
    assert (entry["actor_name"], entry["device_id"]) == ("Marco", 3)
    assert entry["detail"] == {"roles": ["host"]}

    r = await demo.call("GET", "/api/audit", "manager", params={"action": "device."})
    assert r.json() == []
    for role in ("waiter", "kitchen", "host"):
        r = await demo.call("GET", "/api/audit", role)
        assert r.status_code == 403, role


async def test_since_takes_a_moment_with_its_offset_and_nothing_else(demo: Demo) -> None:
    for bad in ("1.13e-79", "2026-12-05", "2026-12-05T10:00:00", "2026-13-05T10:00Z"):
        r = await demo.call("GET", "/api/audit", "manager", params={"since": bad})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["field"] == "since"
    r = await demo.call("GET", "/api/audit", "manager", params={"since": "2026-12-05T10:00:00Z"})
    assert r.status_code == 200, r.text
