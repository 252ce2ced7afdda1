"""The audit file of a day with sales, a return, a drawer session, a shift and a Z report:
valid against the schema, and its totals are the Z report's."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar

from tests.auditfile.test_audit_file import NS, amount, amounts, schema
from tests.conftest import Demo
from tests.payments.helpers import bill, check_with, pay

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "saf-t-example.xml"


async def ok(demo: Demo, method: str, path: str, **body: Any) -> dict[str, Any]:
    r = await demo.call(method, path, json=body)
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


async def busy_day(demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The waiter clocks in and opens a drawer with 100.00; Burrata x2 (7 %) and an
    espresso (19 %) paid in cash, one Burrata returned; a coffee paid by card; 5.00 paid
    out, 2.00 paid in, one "no sale"; the drawer counted, the waiter clocks out, the day
    closed."""
    await ok(demo, "POST", "/api/staff/clock-in")
    drawer = await ok(demo, "POST", "/api/drawer-sessions", opening_float=10000)
    food = await check_with(demo, ("Burrata", 2, None), ("Espresso", 1, None))
    burrata = (await bill(demo, food["id"]))["lines"][0]["line_id"]
    await pay(demo, food["id"], method="cash")  # 29.90
    r = await demo.call(
        "POST",
        f"/api/checks/{food['id']}/returns",
        json={"lines": [{"line_id": burrata, "quantity": 1}], "reason": "cold"},
    )
    assert r.status_code == 201, r.text
    coffee = await check_with(demo, ("Espresso", 1, None), table="3")
    card = await pay(demo, coffee["id"], method="card")
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    r = await demo.call("POST", f"/api/payments/{card['payment']['id']}/poll")
    assert r.json()["bill"]["status"] == "closed"
    await ok(demo, "POST", "/api/drawer-sessions/paid-out", amount=500, reason="milk")
    await ok(demo, "POST", "/api/drawer-sessions/paid-in", amount=200, reason="change")
    await ok(demo, "POST", "/api/drawer-sessions/no-sale", reason="change for a note")
    # 100.00 + 29.90 - 13.50 - 5.00 + 2.00 = 113.40; one coin short
    closed = await ok(demo, "POST", f"/api/drawer-sessions/{drawer['id']}/close", counted=11330)
    assert closed["over_short"] == -10
    await ok(demo, "POST", "/api/staff/clock-out")
    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 11330})
    assert r.status_code == 201, r.text
    z: dict[str, Any] = r.json()
    return z


async def test_a_day_with_a_return_and_a_drawer_session_is_valid_and_adds_up(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    xsd = schema()
    z = await busy_day(demo, app, monkeypatch)
    assert (z["sales_total"], z["returns_total"]) == (2990 + 290 - 1350, 1350)
    day = z["business_date"]
    r = await demo.call("GET", f"/api/audit-file?from={day}&to={day}", "manager")
    assert r.status_code == 200, r.text
    xsd.validate(r.content)
    if os.environ.get("POS_WRITE_AUDIT_EXAMPLE"):
        EXAMPLE.write_bytes(r.content)

    root = ET.fromstring(r.content)
    register = root.find("s:company/s:location/s:cashregister", NS)
    assert register is not None
    transactions = register.findall("s:cashtransaction", NS)
    kinds = [t.findtext("s:transType", namespaces=NS) for t in transactions]
    assert kinds == ["CASHSAL", "RETURNSAL", "CASHSAL"]
    # the transactions add up to the Z report: sales less the return
    assert sum(amount(t, "s:transAmntIn") for t in transactions) == z["sales_total"]
    tax = sum(t["tax"] for t in z["taxes"])
    assert sum(amount(t, "s:transAmntEx") for t in transactions) == z["sales_total"] - tax
    by_rate: dict[str, list[int]] = {}
    for t in transactions:
        for vat in t.iterfind("s:vat", NS):
            rate = vat.findtext("s:vatPerc", namespaces=NS) or ""
            row = by_rate.setdefault(rate, [0, 0])
            row[0] += amount(vat, "s:vatBasAmnt")
            row[1] += amount(vat, "s:vatAmnt")
    assert by_rate == {
        "7.00": [z["taxes"][0]["base"], z["taxes"][0]["tax"]],
        "19.00": [z["taxes"][1]["base"], z["taxes"][1]["tax"]],
    }
    returned = transactions[1]
    assert amount(returned, "s:transAmntIn") == -1350
    assert returned.findtext("s:amntTp", namespaces=NS) == "D"
    assert returned.findtext("s:ctLine/s:lineType", namespaces=NS) == "RET"
    assert returned.findtext("s:ctLine/s:qnt", namespaces=NS) == "-1"
    assert amounts(returned, "s:payment/s:paidAmnt") == [-1350]
    for t in transactions:
        assert sum(amounts(t, "s:ctLine/s:lineAmntIn")) == amount(t, "s:transAmntIn")
        assert sum(amounts(t, "s:payment/s:paidAmnt")) == amount(t, "s:transAmntIn")

    events = [e.findtext("s:eventType", namespaces=NS) for e in register.iterfind("s:event", NS)]
    assert events == [
        "EMPIN",
        "DRAWOPEN",  # the float
        "SALREC",
        "DRAWOPEN",  # cash taken
        "RETREC",
        "DRAWOPEN",  # cash given back
        "SALREC",
        "PAYOUT",
        "PAYIN",
        "DRAWOPENMAN",
        "DRAWCLOSE",
        "EMPOUT",
        "ZREP",
    ]
    [report] = register.findall("s:event/s:eventReport", NS)
    assert amount(report, "s:reportGrandTotalSalesNet") == z["sales_total"]
    assert amount(report, "s:reportGrandTotalReturn") == 1350
    assert amount(report, "s:reportGrandTotalSales") == z["sales_total"] + 1350
    assert report.findtext("s:reportReturnNum", namespaces=NS) == "1"
    assert amount(report, "s:reportOpeningChangeFloat") == 10000
    assert report.findtext("s:reportOpenCashBoxNum", namespaces=NS) == "6"
    assert amount(report, "s:reportPayOuts/s:reportPayOut/s:payOutAmnt") == 500
    assert amount(report, "s:reportPayIns/s:reportPayIn/s:payInAmnt") == 200
    basics = {
        b.findtext("s:basicID", namespaces=NS)
        for b in root.iterfind("s:company/s:basics/s:basic", NS)
    }
    assert {"RET", "RETURNSAL", "RETREC", "DRAWOPEN", "EMPIN", "EMPOUT", "DRAWCLOSE"} <= basics
