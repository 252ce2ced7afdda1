"""Sign-in, lockout, token expiry and role guards."""

from __future__ import annotations

import time

from pos_service.core.auth import Caller, TokenSigner
from tests.conftest import Demo


async def test_wrong_pins_lock_the_device_out(demo: Demo) -> None:
    for _ in range(4):
        r = await demo.login("0000")
        assert r.status_code == 401
        assert r.json()["field"] == "pin"
    r = await demo.login("0000")
    assert r.status_code == 429
    assert 0 < r.json()["retry_after"] <= 31
    assert r.headers["retry-after"] == str(r.json()["retry_after"])
    r = await demo.login("1111")
    assert r.status_code == 429
    rows = await demo.sql("SELECT failures FROM auth_failures WHERE subject LIKE 'device:%'")
    assert rows[0][0] == 5


async def test_pin_must_be_digits(demo: Demo) -> None:
    r = await demo.login("12ab")
    assert r.status_code == 422
    assert r.json()["field"] == "pin"


async def test_unknown_venue_is_404(demo: Demo) -> None:
    r = await demo.client.post(
        "/api/auth/login", json={"venue": "nowhere", "pin": "1111", "device": demo.devices["demo"]}
    )
    assert r.status_code == 404
    assert r.json()["field"] == "venue"


async def test_pins_are_stored_hashed(demo: Demo) -> None:
    rows = await demo.sql("SELECT pin_hash FROM staff")
    assert rows
    assert all(r[0].startswith("$argon2id$") and "1111" not in r[0] for r in rows)


async def test_expired_and_forged_tokens_are_refused(demo: Demo) -> None:
    signer: TokenSigner = demo.app.state.signer
    caller = demo.app.state.signer.verify(demo.headers["waiter"]["Authorization"][7:])
    expired = signer.issue(caller, -1)
    r = await demo.client.get("/api/floor", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401
    assert "expired" in r.json()["detail"]
    forged = TokenSigner("another-key").issue(caller, 60)
    r = await demo.client.get("/api/floor", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401
    r = await demo.client.get("/api/floor")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


async def test_tokens_are_short_lived(demo: Demo) -> None:
    r = await demo.login("1111")
    ttl = r.json()["expires_in"]
    caller = demo.app.state.signer.verify(r.json()["token"])
    assert 0 < caller.exp - time.time() <= ttl
    assert ttl <= 24 * 3600


async def test_roles_are_checked_on_every_route(demo: Demo) -> None:
    table = await demo.table_id("4")
    r = await demo.call("POST", "/api/checks", "kitchen", json={"table_id": table, "covers": 2})
    assert r.status_code == 403
    r = await demo.call("POST", "/api/checks", "host", json={"table_id": table, "covers": 2})
    assert r.status_code == 403
    r = await demo.call("GET", "/api/floor", "kitchen")
    assert r.status_code == 403
    burrata = (await demo.item("Burrata"))["id"]
    r = await demo.call("PATCH", f"/api/menu/items/{burrata}", "waiter", json={"available": False})
    assert r.status_code == 403
    r = await demo.call("PATCH", f"/api/menu/items/{burrata}", "bar", json={"available": False})
    assert r.status_code == 200
    assert (await demo.sql("SELECT count(*) FROM checks"))[0][0] == 0


async def test_guest_token_opens_no_staff_route(demo: Demo) -> None:
    check = await demo.open_check()
    guest = demo.app.state.signer.issue(
        Caller(kind="guest", venue_id=demo.venue_id, check_id=check["id"]), 60
    )
    r = await demo.client.get(
        f"/api/checks/{check['id']}", headers={"Authorization": f"Bearer {guest}"}
    )
    assert r.status_code == 403
