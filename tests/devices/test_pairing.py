"""Pairing devices, listing and revoking them, and the audit trail of sign-in matters."""

from __future__ import annotations

import datetime as dt

from pos_service import cli
from tests.conftest import Demo


async def _pair(demo: Demo, name: str = "Terrace handheld", kind: str = "handheld") -> str:
    r = await demo.call(
        "POST", "/api/devices/pairings", "manager", json={"name": name, "kind": kind}
    )
    assert r.status_code == 201, r.text
    assert r.json()["expires_in"] == 600
    return str(r.json()["code"])


async def test_a_manager_pairs_a_device_with_a_one_time_code(demo: Demo) -> None:
    code = await _pair(demo)
    r = await demo.client.post("/api/devices/pair", json={"venue": "demo", "code": code.lower()})
    assert r.status_code == 201, r.text
    credential = r.json()["credential"]
    assert r.json()["device"]["name"] == "Terrace handheld"
    r = await demo.client.post("/api/devices/pair", json={"venue": "demo", "code": code})
    assert r.status_code == 401 and r.json()["field"] == "code"
    assert (await demo.login("1111", device=credential)).status_code == 200
    listed = (await demo.call("GET", "/api/devices", "manager")).json()
    terrace = next(d for d in listed if d["name"] == "Terrace handheld")
    assert terrace["kind"] == "handheld" and terrace["last_seen_at"] is not None
    # only the hash of the secret is kept
    secret = credential.split(".", 2)[2]
    rows = await demo.sql("SELECT secret_hash FROM devices")
    assert all(secret.encode() not in bytes(r[0]) for r in rows)


async def test_pairing_codes_expire_and_belong_to_their_venue(demo: Demo) -> None:
    code = await _pair(demo)
    from pos_service import demo as demo_data

    async with demo.sessions() as session, session.begin():
        await demo_data.seed(session, demo.app.state.security, slug="elsewhere")
    r = await demo.client.post("/api/devices/pair", json={"venue": "elsewhere", "code": code})
    assert r.status_code == 401
    await demo.sql("SELECT 1")
    async with demo.sessions() as session, session.begin():
        from sqlalchemy import text

        await session.execute(
            text("UPDATE device_pairings SET expires_at = :t"),
            {"t": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)},
        )
    r = await demo.client.post("/api/devices/pair", json={"venue": "demo", "code": code})
    assert r.status_code == 401


async def test_only_managers_pair_list_and_revoke(demo: Demo) -> None:
    for path in ("/api/devices/pairings",):
        r = await demo.call("POST", path, "waiter", json={"name": "x"})
        assert r.status_code == 403
    assert (await demo.call("GET", "/api/devices", "waiter")).status_code == 403
    assert (await demo.call("POST", "/api/devices/1/revoke", "host")).status_code == 403


async def test_the_command_line_makes_pairing_codes(demo: Demo, database_url: str) -> None:
    code = await cli._pair(database_url, "demo", "Kitchen screen", "kitchen")
    r = await demo.client.post("/api/devices/pair", json={"venue": "demo", "code": code})
    assert r.status_code == 201 and r.json()["device"]["kind"] == "kitchen"


async def test_the_audit_trail_records_staff_devices_and_lockouts(demo: Demo) -> None:
    r = await demo.call(
        "POST", "/api/staff", "manager", json={"name": "Mia", "roles": ["waiter"], "pin": "5151"}
    )
    mia = r.json()["id"]
    for change in ({"roles": ["host"]}, {"pin": "5252"}, {"active": False}):
        assert (await demo.call("PATCH", f"/api/staff/{mia}", "manager", json=change)).is_success
    code = await _pair(demo)
    credential = (
        await demo.client.post("/api/devices/pair", json={"venue": "demo", "code": code})
    ).json()["credential"]
    device_id = int(credential.split(".")[1])
    await demo.call("POST", f"/api/devices/{device_id}/revoke", "manager")
    for pin in ("0001", "0002", "0003", "0004", "0005"):
        await demo.login(pin)
    rows = await demo.sql(
        "SELECT action, subject, actor_name, device_id FROM audit_entries ORDER BY id"
    )
    actions = [(a, s) for a, s, _n, _d in rows]
    assert actions == [
        ("staff.created", f"staff:{mia}"),
        ("staff.roles_changed", f"staff:{mia}"),
        ("staff.pin_reset", f"staff:{mia}"),
        ("staff.deactivated", f"staff:{mia}"),
        ("device.pairing_created", "pairing:Terrace handheld"),
        ("device.paired", f"device:{device_id}"),
        ("device.revoked", f"device:{device_id}"),
        ("auth.locked", f"device:{demo.devices['demo'].split('.')[1]}"),
    ]
    manager_device = int(demo.devices["demo"].split(".")[1])
    assert rows[0][2] == "Marco" and rows[0][3] == manager_device
    assert (await demo.call("GET", "/api/audit?action=device.", "manager")).json()
