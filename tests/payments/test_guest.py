"""Pay at the table: the guest link opens its own check only, until it closes or expires."""

from __future__ import annotations

import pytest
from litestar import Litestar

from pos_service.core import qr
from pos_service.core.auth import Caller
from tests.conftest import Demo
from tests.payments.helpers import bill, check_with, pay


async def test_a_guest_link_opens_its_check_only(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    other = await check_with(demo, ("Ribeye", 1, 1), table="3")
    r = await demo.call("POST", f"/api/checks/{mine['id']}/guest-link")
    assert r.status_code == 201, r.text
    link = r.json()
    assert link["url"] == f"/guest/{link['token']}"
    floor = (await demo.call("GET", "/api/floor")).json()
    table = next(t for a in floor["areas"] for t in a["tables"] if t["name"] == "12")
    assert table["status"] == "bill_requested"

    guest = f"/api/guest/{link['token']}"
    r = await demo.client.get(f"{guest}/bill")
    assert r.status_code == 200 and r.json()["check_id"] == mine["id"] and r.json()["total"] == 2650
    # the token is no bearer token for the staff API, not even for its own check
    as_bearer = {"Authorization": f"Bearer {link['token']}"}
    for check_id in (mine["id"], other["id"]):
        r = await demo.client.get(f"/api/checks/{check_id}/bill", headers=as_bearer)
        assert r.status_code == 403
    # a staff token is no guest link
    staff_token = demo.headers["waiter"]["Authorization"].split()[1]
    assert (await demo.client.get(f"/api/guest/{staff_token}/bill")).status_code == 401
    # another check's payment cannot be polled through the link
    theirs = await pay(demo, other["id"], method="card", amount=100)
    r = await demo.client.post(f"{guest}/payments/{theirs['payment']['id']}/poll")
    assert r.status_code == 404

    # the guest picks the wine and pays it by card with a tip
    lines = (await bill(demo, mine["id"]))["lines"]
    wine_id = next(line["line_id"] for line in lines if line["name"] == "House red")
    r = await demo.client.post(f"{guest}/payments", json={"line_ids": [wine_id], "tip": 150})
    assert r.status_code == 201, r.text
    paid = r.json()
    assert (paid["payment"]["amount"], paid["payment"]["tip"]) == (1300, 150)
    assert [p["amount"] for p in paid["bill"]["parts"]] == [1300, 1350]
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    r = await demo.client.post(f"{guest}/payments/{paid['payment']['id']}/poll")
    assert r.status_code == 200 and r.json()["payment"]["status"] == "approved"


async def test_a_guest_link_stops_working_when_the_check_closes(demo: Demo) -> None:
    check = await check_with(demo, ("Espresso", 1, None))
    token = (await demo.call("POST", f"/api/checks/{check['id']}/guest-link")).json()["token"]
    r = await demo.client.post(f"/api/guest/{token}/payments", json={"amount": 500})
    assert r.status_code == 422 and r.json()["field"] == "amount"
    await pay(demo, check["id"], method="cash")
    r = await demo.client.get(f"/api/guest/{token}/bill")
    assert r.status_code == 410 and r.json()["field"] == "token"
    r = await demo.client.post(f"/api/guest/{token}/payments", json={"amount": 100})
    assert r.status_code == 410


async def test_an_expired_or_forged_guest_link_is_refused(demo: Demo, app: Litestar) -> None:
    check = await check_with(demo, ("Espresso", 1, None))
    caller = Caller(kind="guest", venue_id=demo.venue_id, check_id=check["id"])
    expired = app.state.signer.issue(caller, -1)
    r = await demo.client.get(f"/api/guest/{expired}/bill")
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    good = app.state.signer.issue(caller, 60)
    assert (await demo.client.get(f"/api/guest/{good}/bill")).status_code == 200
    body, signature = good.split(".")
    forged = f"{body}.{signature[:-2]}AA"
    assert (await demo.client.get(f"/api/guest/{forged}/bill")).status_code == 401


async def test_the_guest_link_comes_with_its_qr_code(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1))
    link = (await demo.call("POST", f"/api/checks/{check['id']}/guest-link")).json()
    address = str(demo.client.base_url).rstrip("/") + link["url"]
    assert link["qr_svg"].startswith("<svg")
    assert link["qr_svg"] == qr.svg(address, title="Pay your bill")
    assert (
        await demo.call("POST", f"/api/checks/{check['id']}/guest-link", "kitchen")
    ).status_code == 403
