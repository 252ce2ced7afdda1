"""The attacks of an insider with one waiter's PIN, each a regression test.

PIN guessing is throttled per device, member and venue, never reset by someone else's
success; sessions end when the member's roles, PIN or activity change or the device is
revoked, sockets included; tokens have one spelling only.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from types import SimpleNamespace
from typing import Any

import httpx
import msgspec
import pytest
import websockets
from litestar import Litestar

from pos_service.config import Settings
from pos_service.core.auth import TokenSigner, client_address, derive_key
from tests.conftest import Demo
from tests.support.servers import serve, ws_url

pytestmark = pytest.mark.timeout(120)

GUESSES = [f"{n:04d}" for n in range(2000, 2100) if f"{n:04d}" not in ("2222",)]


async def test_the_reset_and_guess_loop_is_stopped_and_locks_out_nobody_else(demo: Demo) -> None:
    """4 wrong guesses, then one's own PIN, repeated: a success no longer clears the
    count, so the guessing stops within 10 wrong PINs; other members on other devices
    and other devices of the venue are not locked out."""
    guesses = iter(GUESSES)
    wrong = 0
    refused = None
    for _round in range(10):
        for _ in range(4):
            r = await demo.login(next(guesses))
            if r.status_code == 429:
                refused = r
                break
            assert r.status_code == 401, r.text
            wrong += 1
        if refused is not None:
            break
        r = await demo.login("1111")  # one's own PIN, to "reset" the counter
        if r.status_code == 429:
            refused = r
            break
    assert refused is not None, "never refused"
    assert wrong <= 10
    assert int(refused.headers["retry-after"]) > 0
    # another device of the venue: every member (the guesser's victims) signs in
    other_device = await demo.device(name="Host stand")
    for pin in ("1112", "2222", "9999", "8888"):
        r = await demo.login(pin, device=other_device)
        assert r.status_code == 200, r.text


async def test_wrong_pins_on_one_device_do_not_lock_out_another(demo: Demo) -> None:
    """All devices share one address (NAT): a lock is per device, not per address."""
    for pin in GUESSES[:6]:
        await demo.login(pin)
    assert (await demo.login("1111")).status_code == 429
    kitchen_screen = await demo.device(name="Kitchen screen")
    r = await demo.login("3333", device=kitchen_screen)
    assert r.status_code == 200, r.text


async def test_sign_in_needs_an_enrolled_device(demo: Demo) -> None:
    r = await demo.client.post("/api/auth/login", json={"venue": "demo", "pin": "1111"})
    assert r.status_code == 401 and r.json()["field"] == "device"
    forged = demo.devices["demo"][:-4] + "AAAA"
    r = await demo.login("1111", device=forged)
    assert r.status_code == 401 and r.json()["field"] == "device"
    r = await demo.login("1111", device="1.1.x")
    assert r.status_code == 401
    # a device of another venue does not sign in here
    from pos_service import demo as demo_data

    async with demo.sessions() as session, session.begin():
        await demo_data.seed(session, demo.app.state.security, slug="elsewhere")
    elsewhere = await demo.device("elsewhere")
    r = await demo.login("1111", device=elsewhere)
    assert r.status_code == 401 and r.json()["field"] == "device"


async def test_sign_in_and_approval_take_json_only(demo: Demo) -> None:
    """A foreign web page may post text/plain without a preflight: refused."""
    body = json.dumps({"venue": "demo", "pin": "1111", "device": demo.devices["demo"]})
    r = await demo.client.post(
        "/api/auth/login", content=body, headers={"Content-Type": "text/plain"}
    )
    assert r.status_code == 415
    r = await demo.client.post(
        "/api/auth/approve",
        content=json.dumps({"pin": "9999", "action": "void"}),
        headers={**demo.headers["waiter"], "Content-Type": "text/plain"},
    )
    assert r.status_code == 415


async def test_approvals_count_failures_and_tell_nothing(demo: Demo) -> None:
    """A waiter's valid PIN is as wrong as an invalid one for an approval, and both count."""
    r = await demo.call("POST", "/api/auth/approve", json={"pin": "1112", "action": "void"})
    assert r.status_code == 401 and r.json()["detail"] == "wrong PIN"
    r2 = await demo.call("POST", "/api/auth/approve", json={"pin": "0000", "action": "void"})
    assert (r2.status_code, r2.json()["detail"]) == (401, "wrong PIN")
    codes = [
        (
            await demo.call("POST", "/api/auth/approve", json={"pin": p, "action": "void"})
        ).status_code
        for p in GUESSES[:4]
    ]
    assert codes[-1] == 429 and codes.count(401) == 2
    # the same device's sign-in is throttled alike
    assert (await demo.login("9999")).status_code == 429


async def test_locks_are_audited_and_alert_the_managers(demo: Demo) -> None:
    for pin in GUESSES[:5]:
        await demo.login(pin)
    rows = await demo.sql("SELECT subject, detail FROM audit_entries WHERE action = 'auth.locked'")
    assert [r[0] for r in rows] == [f"device:{demo.devices['demo'].split('.')[1]}"]
    alerts = await demo.sql("SELECT type, data FROM events WHERE topic = 'alerts'")
    assert alerts[0][0] == "auth.locked" and alerts[0][1]["seconds"] == 30


async def test_a_burst_across_devices_raises_an_alert(demo: Demo) -> None:
    for i in range(4):
        device = await demo.device(name=f"Handheld {i}")
        for pin in GUESSES[i * 3 : i * 3 + 3]:
            assert (await demo.login(pin, device=device)).status_code == 401
    types = [r[0] for r in await demo.sql("SELECT type FROM events WHERE topic = 'alerts'")]
    assert types == ["auth.burst"]


async def test_guesses_spread_over_many_devices_are_slowed_by_the_venue_limit(
    demo: Demo,
) -> None:
    """200 guesses from 50 places were never slowed: now the venue's 50th wrong PIN
    locks its PIN checks (and the managers were alerted at the 10th)."""
    codes = []
    for i in range(13):
        device = await demo.device(name=f"Handheld {i}")
        for pin in GUESSES[i * 4 : i * 4 + 4]:
            codes.append((await demo.login(pin, device=device)).status_code)
    assert codes[:49] == [401] * 49 and codes[49:] == [429] * 3
    assert (await demo.login("9999", device=await demo.device(name="New one"))).status_code == 429
    types = [r[0] for r in await demo.sql("SELECT type FROM events WHERE topic = 'alerts'")]
    assert types == ["auth.burst", "auth.locked"]


async def test_failures_on_a_device_are_charged_to_who_signs_in_next(demo: Demo) -> None:
    """A member who guesses on several devices, signing in after each round, is locked
    out on every device once the charges reach the member's limit."""
    for round_ in range(3):
        device = await demo.device(name=f"Handheld {round_}")
        for pin in GUESSES[round_ * 4 : round_ * 4 + 4]:
            assert (await demo.login(pin, device=device)).status_code == 401
        r = await demo.login("1111", device=device)
        assert r.status_code == (200 if round_ < 2 else 429), r.text
    fresh = await demo.device(name="Another handheld")
    assert (await demo.login("1111", device=fresh)).status_code == 429
    assert (await demo.login("1112", device=fresh)).status_code == 200


# --- sessions that end ---------------------------------------------------------------


async def _until_refused(demo: Demo, headers: dict[str, str], path: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 3:
        r = await demo.client.get(path, headers=headers)
        if r.status_code == 401:
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError("still accepted after 3 s")


async def test_a_demoted_managers_token_creates_no_manager(demo: Demo) -> None:
    r = await demo.call(
        "POST", "/api/staff", "manager", json={"name": "Mia", "roles": ["manager"], "pin": "5151"}
    )
    mia = r.json()["id"]
    token = await demo.sign_in("5151")
    r = await demo.call("PATCH", f"/api/staff/{mia}", "manager", json={"roles": ["waiter"]})
    assert r.status_code == 200
    r = await demo.client.post(
        "/api/staff", headers=token, json={"name": "Evil", "roles": ["manager"], "pin": "6161"}
    )
    assert r.status_code == 401
    assert "sign in again" in r.json()["detail"]


async def test_a_deactivated_members_token_reads_no_report(demo: Demo) -> None:
    r = await demo.call(
        "POST", "/api/staff", "manager", json={"name": "Mia", "roles": ["manager"], "pin": "5151"}
    )
    token = await demo.sign_in("5151")
    mia = r.json()["id"]
    r = await demo.client.get("/api/reports/x", headers=token)
    assert r.status_code == 200, r.text
    await demo.call("PATCH", f"/api/staff/{mia}", "manager", json={"active": False})
    assert (await demo.client.get("/api/reports/x", headers=token)).status_code == 401


async def test_a_change_made_by_another_process_ends_sessions_within_a_second(
    demo: Demo,
) -> None:
    """Another server process bumps the epoch (or revokes the device) in the database:
    this process refuses the token within a second, without being told."""
    token = await demo.sign_in("1112")
    assert (await demo.client.get("/api/floor", headers=token)).status_code == 200
    async with demo.sessions() as session, session.begin():
        from sqlalchemy import text

        await session.execute(text("UPDATE staff SET epoch = epoch + 1 WHERE name = 'Ben'"))
    assert await _until_refused(demo, token, "/api/floor") < 1.0
    token = await demo.sign_in("1111")
    device_id = int(demo.devices["demo"].split(".")[1])
    async with demo.sessions() as session, session.begin():
        from sqlalchemy import text

        await session.execute(
            text("UPDATE devices SET revoked_at = now() WHERE id = :d"), {"d": device_id}
        )
    assert await _until_refused(demo, token, "/api/floor") < 1.0


async def test_a_pin_change_ends_the_members_sessions(demo: Demo) -> None:
    token = await demo.sign_in("1112")
    ben = (await demo.sql("SELECT id FROM staff WHERE name = 'Ben'"))[0][0]
    r = await demo.call("PATCH", f"/api/staff/{ben}", "manager", json={"pin": "4545"})
    assert r.status_code == 200
    assert (await demo.client.get("/api/floor", headers=token)).status_code == 401
    assert (await demo.client.get("/api/floor", headers=demo.headers["waiter"])).status_code == 200


async def _socket(server_url: str, token: str, topics: list[str]) -> Any:
    ws = await websockets.connect(ws_url(server_url))
    await ws.send(json.dumps({"token": token, "topics": topics, "since": None}))
    while json.loads(await ws.recv())["type"] != "ready":
        pass
    return ws


async def _closed(ws: Any) -> tuple[int, str, float]:
    started = time.monotonic()
    with pytest.raises(websockets.ConnectionClosed):
        async with asyncio.timeout(5):
            while True:
                await ws.recv()
    return ws.close_code, ws.close_reason, time.monotonic() - started


async def test_sockets_close_when_the_session_ends(demo: Demo, server_url: str) -> None:
    r = await demo.call(
        "POST", "/api/staff", "manager", json={"name": "Mia", "roles": ["manager"], "pin": "5151"}
    )
    token = (await demo.sign_in("5151"))["Authorization"][7:]
    ws = await _socket(server_url, token, ["floor", "payments"])
    await demo.call("PATCH", f"/api/staff/{r.json()['id']}", "manager", json={"roles": ["host"]})
    code, reason, seconds = await _closed(ws)
    assert code == 4401 and seconds < 1.0, (code, reason, seconds)

    # a deactivated member's socket
    token = (await demo.sign_in("2222"))["Authorization"][7:]
    ws = await _socket(server_url, token, ["floor"])
    clara = (await demo.sql("SELECT id FROM staff WHERE name = 'Clara'"))[0][0]
    await demo.call("PATCH", f"/api/staff/{clara}", "manager", json={"active": False})
    code, _reason, seconds = await _closed(ws)
    assert code == 4401 and seconds < 1.0
    # a stale token cannot open a new one
    ws = await websockets.connect(ws_url(server_url))
    await ws.send(json.dumps({"token": token, "topics": ["floor"]}))
    code, _reason, _ = await _closed(ws)
    assert code == 4401


async def test_a_socket_closes_when_its_token_expires(demo: Demo, server_url: str) -> None:
    signer: TokenSigner = demo.app.state.signer
    caller = signer.verify(demo.headers["waiter"]["Authorization"][7:])
    short = signer.issue(caller, 1)
    ws = await _socket(server_url, short, ["floor"])
    code, reason, seconds = await _closed(ws)
    assert code == 4401 and "expired" in reason and seconds < 2.5


async def test_a_revoked_device_ends_its_sessions_and_credential(
    demo: Demo, server_url: str
) -> None:
    tablet = await demo.device(name="Terrace tablet")
    token = await demo.sign_in("1112", device=tablet)
    ws = await _socket(server_url, token["Authorization"][7:], ["floor"])
    tablet_id = int(tablet.split(".")[1])
    r = await demo.call("POST", f"/api/devices/{tablet_id}/revoke", "manager")
    assert r.status_code == 200 and r.json()["revoked_at"]
    code, _reason, seconds = await _closed(ws)
    assert code == 4401 and seconds < 1.0
    assert (await demo.client.get("/api/floor", headers=token)).status_code == 401
    r = await demo.login("1112", device=tablet)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    # a manager cannot revoke the device they are on
    own = int(demo.devices["demo"].split(".")[1])
    r = await demo.call("POST", f"/api/devices/{own}/revoke", "manager")
    assert r.status_code == 409


# --- tokens and keys ------------------------------------------------------------------


@pytest.mark.parametrize("spoil", ["==", "=", "%3D", "AA", "+"])
async def test_tokens_have_one_spelling(demo: Demo, spoil: str) -> None:
    token = demo.headers["waiter"]["Authorization"][7:]
    r = await demo.client.get("/api/floor", headers={"Authorization": f"Bearer {token}{spoil}"})
    assert r.status_code == 401


async def test_stray_bits_in_a_token_are_refused(demo: Demo) -> None:
    token = demo.headers["waiter"]["Authorization"][7:]
    body, sig = token.split(".")
    # the last character of a 32-byte signature carries 4 unused bits: set one
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    spoilt = sig[:-1] + alphabet[alphabet.index(sig[-1]) ^ 1]
    r = await demo.client.get("/api/floor", headers={"Authorization": f"Bearer {body}.{spoilt}"})
    assert r.status_code == 401


def test_token_and_pin_keys_are_derived_apart() -> None:
    """Neither the secret itself nor the token key makes the PIN lookup digest."""
    signer = TokenSigner("one secret")
    text = "pin:1:1111"
    made = {
        key: hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
        for key in (
            b"one secret",
            derive_key("one secret", "token-signing"),
            derive_key("one secret", "pin-lookup"),
        )
    }
    assert signer.digest(text) == made[derive_key("one secret", "pin-lookup")]
    assert len(set(made.values())) == 3
    assert signer.digest(text) != signer.legacy_digest(text)


async def test_pin_digests_of_older_versions_still_sign_in_and_are_rekeyed(demo: Demo) -> None:
    signer: TokenSigner = demo.app.state.signer
    legacy = signer.legacy_digest(f"pin:{demo.venue_id}:1112")
    async with demo.sessions() as session, session.begin():
        from sqlalchemy import text

        await session.execute(
            text("UPDATE staff SET pin_lookup = :l WHERE name = 'Ben'"), {"l": legacy}
        )
    await demo.sign_in("1112")
    rows = await demo.sql("SELECT pin_lookup FROM staff WHERE name = 'Ben'")
    assert rows[0][0] == signer.digest(f"pin:{demo.venue_id}:1112")


def test_the_secret_is_read_from_its_file(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "key"
    path.write_text("from-the-file\n")
    monkeypatch.setenv("POS_SECRET_KEY_FILE", str(path))
    monkeypatch.setenv("POS_SECRET_KEY", "from-the-environment")
    settings = Settings.from_env(var_dir=tmp_path)
    assert settings.secret_key == "from-the-file"


# --- the demo's own browser -------------------------------------------------------------


async def test_only_a_demo_servers_own_machine_enrols_without_a_code(
    demo: Demo, settings: Settings
) -> None:
    r = await demo.client.post("/api/devices/local", json={"venue": "demo"})
    assert r.status_code == 403  # not a demo server
    from pos_service.app import create_app

    app: Litestar = create_app(msgspec.structs.replace(settings, demo=True))
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as http:
        r = await http.post(
            "/api/devices/local", json={"venue": "demo"}, headers={"X-Forwarded-For": "10.0.0.9"}
        )
        assert r.status_code == 403  # behind a proxy, the peer says nothing
        r = await http.post("/api/devices/local", json={"venue": "demo"})
        assert r.status_code == 201, r.text
        credential = r.json()["credential"]
        r = await http.post(
            "/api/auth/login", json={"venue": "demo", "pin": "9999", "device": credential}
        )
        assert r.status_code == 200


def _connection(peer: str, forwarded: str | None, trusted: list[str]) -> Any:
    settings = SimpleNamespace(trusted_proxies=frozenset(trusted))
    return SimpleNamespace(
        client=SimpleNamespace(host=peer),
        headers={"x-forwarded-for": forwarded} if forwarded else {},
        app=SimpleNamespace(state=SimpleNamespace(settings=settings)),
    )


def test_forwarded_addresses_are_believed_from_trusted_proxies_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    assert client_address(_connection("10.0.0.1", "6.6.6.6", [])) == "10.0.0.1"
    proxy = ["10.0.0.1"]
    assert client_address(_connection("10.0.0.1", "6.6.6.6, 192.168.1.20", proxy)) == (
        "192.168.1.20"
    )
    two = ["10.0.0.1", "10.0.0.2"]
    assert client_address(_connection("10.0.0.1", "1.1.1.1, 10.0.0.2", two)) == "1.1.1.1"
    assert client_address(_connection("10.0.0.1", None, proxy)) == "10.0.0.1"
    monkeypatch.setenv("POS_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2")
    assert Settings.from_env(var_dir=tmp_path).trusted_proxies == frozenset(two)
