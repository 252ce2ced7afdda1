"""The day close and the X report with checks still open; who the report names."""

from __future__ import annotations

import pytest
from litestar import Litestar

from tests.conftest import Demo
from tests.payments.helpers import approval, bill, check_with, pay


async def test_the_day_close_lists_open_checks_and_carries_them_only_when_told(
    demo: Demo,
) -> None:
    done = await check_with(demo, ("Espresso", 2, None), table="3")
    await pay(demo, done["id"], method="cash")  # 580, a sale
    seated = await check_with(demo, ("Burrata", 1, 1), ("House red", 1, 2), table="12")
    half = await check_with(demo, ("Tiramisu", 2, None), table="5")
    await pay(demo, half["id"], method="cash", amount=850)

    x = (await demo.call("GET", "/api/reports/x", "manager")).json()
    assert x["sales_total"] == 580 and x["checks"] == 1  # open checks are not sales yet
    assert [(c["check_id"], c["table"], c["total"], c["paid"]) for c in x["open_checks"]] == [
        (seated["id"], "12", 1350 + 650, 0),
        (half["id"], "5", 1700, 850),
    ]
    assert x["open_total"] == 1350 + 650 + 1700
    assert x["by_method"][0]["amount"] == 580 + 850  # their payments are in

    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 1430})
    assert r.status_code == 409 and r.json()["field"] == "open_checks"
    assert r.json()["detail"].startswith("2 checks are still open")
    assert [c["check_id"] for c in r.json()["open_checks"]] == [seated["id"], half["id"]]
    assert (await demo.call("GET", "/api/reports/x", "manager")).json()[
        "checks"
    ] == 1  # nothing closed

    r = await demo.call(
        "POST", "/api/days/close", "manager", json={"counted_cash": 1430, "open_checks": "carry"}
    )
    assert r.status_code == 201, r.text
    z = r.json()
    assert z["carried"] == [seated["id"], half["id"]] and z["open_total"] == 3700
    assert (z["sales_total"], z["cash_expected"], z["cash_difference"]) == (580, 1430, 0)
    stored = (await demo.call("GET", f"/api/days/{z['business_date']}", "manager")).json()
    assert stored["carried"] == z["carried"]

    # the carried check is paid the next business day and is a sale of that day
    await pay(demo, half["id"], method="cash")
    x = (await demo.call("GET", "/api/reports/x", "manager")).json()
    assert x["sales_total"] == 1700 and [c["check_id"] for c in x["open_checks"]] == [seated["id"]]


async def test_a_guests_own_payment_counts_for_the_checks_waiter(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = await check_with(demo, ("Burrata", 1, 1), table="12")
    token = (await demo.call("POST", f"/api/checks/{check['id']}/guest-link")).json()["token"]
    r = await demo.client.post(f"/api/guest/{token}/payments", json={"tip": 150})
    assert r.status_code == 201, r.text
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    r = await demo.client.post(f"/api/guest/{token}/payments/{r.json()['payment']['id']}/poll")
    assert r.json()["bill"]["status"] == "closed"
    x = (await demo.call("GET", "/api/reports/x", "manager")).json()
    assert [
        (s["name"], s["checks"], s["sales"], s["payments"], s["tips"]) for s in x["by_staff"]
    ] == [("Anna", 1, 1350, 1350, 150)]


async def test_approvals_name_who_approved(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1), table="12")
    await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    line = (await bill(demo, check["id"]))["lines"][0]["line_id"]
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/lines/{line}/void",
        json={"reason": "dropped", "approval": await approval(demo, "void")},
    )
    assert r.status_code == 200, r.text
    x = (await demo.call("GET", "/api/reports/x", "manager")).json()
    (void,) = x["voids"]
    assert (void["by_name"], void["approved_by_name"]) == ("Anna", "Marco")
