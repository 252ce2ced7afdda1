"""X and Z reports from the journal; a closed day never changes; the cutoff closes it."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pos_service.core.db import now_utc
from tests.conftest import Demo
from tests.payments.helpers import approval, check_with, pay, run_task


async def _day(demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch) -> int:
    """Two checks: one voided line, a discount, cash; an espresso by card with a tip."""
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    wine = next(
        line["id"]
        for line in (await demo.call("GET", f"/api/checks/{check['id']}")).json()["lines"]
        if line["name"] == "House red"
    )
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/lines/{wine}/void",
        json={"reason": "corked", "approval": await approval(demo, "void")},
    )
    assert r.status_code == 200, r.text
    await demo.call(
        "POST",
        f"/api/checks/{check['id']}/discounts",
        json={"kind": "amount", "value": 50, "reason": "slow service"},
    )
    await pay(demo, check["id"], method="cash", amount=2000)
    coffee = await check_with(demo, ("Espresso", 1, None), table="3")
    card = await pay(demo, coffee["id"], method="card", tip=100)
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    r = await demo.call("POST", f"/api/payments/{card['payment']['id']}/poll")
    assert r.json()["bill"]["status"] == "closed"
    return int(r.json()["payment"]["id"])


async def test_x_and_z_reports_sum_the_day(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _day(demo, app, monkeypatch)
    assert (await demo.call("GET", "/api/reports/x")).status_code == 403
    x = (await demo.call("GET", "/api/reports/x", "manager")).json()
    assert (x["kind"], x["checks"], x["sales_total"], x["tips"]) == ("X", 2, 1300 + 290, 100)
    assert x["by_method"] == [
        {"method": "card", "count": 1, "amount": 290, "tips": 100},
        {"method": "cash", "count": 1, "amount": 1300, "tips": 0},
    ]
    # burrata 13.00 after the discount at 7 % contains 0.85; espresso 2.90 at 19 % 0.46
    assert x["taxes"] == [
        {"rate_ppm": 70_000, "base": 1215, "tax": 85},
        {"rate_ppm": 190_000, "base": 244, "tax": 46},
    ]
    assert x["by_category"] == [
        {"category": "Drinks", "quantity": 1, "net": 290},
        {"category": "Starters", "quantity": 1, "net": 1300},
    ]
    [void] = x["voids"]
    assert (void["name"], void["amount"], void["reason"]) == ("House red", 1300, "corked")
    assert void["approved_by"] is not None and void["by"] != void["approved_by"]
    assert [(d["amount"], d["reason"]) for d in x["discounts"]] == [(50, "slow service")]
    anna = next(s for s in x["by_staff"] if s["name"] == "Anna")
    assert (anna["checks"], anna["sales"], anna["payments"], anna["tips"]) == (2, 1590, 1590, 100)
    assert x["cash_expected"] == 1300

    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 1250})
    assert r.status_code == 201, r.text
    z = r.json()
    assert (z["kind"], z["sales_total"], z["cash_difference"]) == ("Z", 1590, -50)
    stored = (await demo.call("GET", f"/api/days/{z['business_date']}", "manager")).json()
    assert stored == z
    # the next sales belong to the next day; the closed day does not change
    await pay(demo, (await check_with(demo, ("Espresso", 1, None), table="4"))["id"], method="cash")
    assert (await demo.call("GET", "/api/reports/x", "manager")).json()["sales_total"] == 290
    assert (await demo.call("GET", f"/api/days/{z['business_date']}", "manager")).json() == z
    async with demo.sessions() as session:
        with pytest.raises(DBAPIError, match="day_closes is append-only"):
            await session.execute(text("UPDATE day_closes SET counted_cash = 1300"))
    # nobody closes the next day: the scheduler does once the cutoff has passed
    assert await run_task(demo, "close_days", now_utc()) == 0
    assert await run_task(demo, "close_days", now_utc() + dt.timedelta(days=2)) == 1
    next_day = dt.date.fromisoformat(z["business_date"]) + dt.timedelta(days=1)
    auto = (await demo.call("GET", f"/api/days/{next_day}", "manager")).json()
    assert (auto["sales_total"], auto["closed_by"], auto["counted_cash"]) == (290, None, None)
    assert (await demo.call("GET", "/api/journal/verify", "manager")).json()["ok"] is True
