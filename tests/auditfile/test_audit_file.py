"""The audit file (SAF-T Cash Register) of a closed day: valid, and the Z report's totals."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from litestar import Litestar

from pos_service import cli
from pos_service.config import Settings
from tests.conftest import Demo
from tests.payments.helpers import check_with, pay

CHECKOUT = Path(__file__).resolve().parents[2]
SCHEMA = Path(
    "shared", "standards", "saf-t-cash-register", "Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd"
)
# the shared copy of the standards lives next to the checkout (or next to its worktree folder)
XSD = next(
    (folder / SCHEMA for folder in CHECKOUT.parents if (folder / SCHEMA).exists()),
    CHECKOUT.parent / SCHEMA,
)
NS = {"s": "urn:StandardAuditFile-Taxation-CashRegister:NO"}


def schema() -> xmlschema.XMLSchema:
    if not XSD.exists():
        pytest.skip(f"the SAF-T Cash Register schema is not at {XSD} (CI has it)")
    return xmlschema.XMLSchema(str(XSD))


async def closed_day(demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Burrata (7 %) paid in cash, an espresso (19 %) by card with a tip; the day closed."""
    food = await check_with(demo, ("Burrata", 1, 1))
    await demo.call("POST", f"/api/checks/{food['id']}/send", json={})
    await pay(demo, food["id"], method="cash", amount=2000)
    coffee = await check_with(demo, ("Espresso", 1, None), table="3")
    card = await pay(demo, coffee["id"], method="card", tip=100)
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    r = await demo.call("POST", f"/api/payments/{card['payment']['id']}/poll")
    assert r.json()["bill"]["status"] == "closed"
    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 1350})
    assert r.status_code == 201, r.text
    z: dict[str, Any] = r.json()
    return z


def amount(node: ET.Element, path: str) -> int:
    """A decimal amount of the file in minor units."""
    found = node.find(path, NS)
    assert found is not None and found.text is not None, path
    return int(Decimal(found.text) * 100)


def amounts(node: ET.Element, path: str) -> list[int]:
    return [int(Decimal(e.text or "") * 100) for e in node.iterfind(path, NS)]


async def test_the_audit_file_of_a_closed_day_is_valid_and_adds_up(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    xsd = schema()
    z = await closed_day(demo, app, monkeypatch)
    day = z["business_date"]
    r = await demo.call("GET", f"/api/audit-file?from={day}&to={day}", "manager")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/xml")
    assert f'filename="saf-t-{day}-{day}.xml"' in r.headers["content-disposition"]
    xsd.validate(r.content)

    root = ET.fromstring(r.content)
    register = root.find("s:company/s:location/s:cashregister", NS)
    assert register is not None
    sales = register.findall("s:cashtransaction", NS)
    assert len(sales) == z["checks"] == 2
    assert sum(amount(t, "s:transAmntIn") for t in sales) == z["sales_total"]
    tax = sum(t["tax"] for t in z["taxes"])
    assert sum(amount(t, "s:transAmntEx") for t in sales) == z["sales_total"] - tax
    # every transaction's lines and payments add up to it
    for sale in sales:
        assert sum(amounts(sale, "s:ctLine/s:lineAmntIn")) == amount(sale, "s:transAmntIn")
        assert sum(amounts(sale, "s:payment/s:paidAmnt")) == amount(sale, "s:transAmntIn")
    assert sorted(
        p.text or "" for p in register.iterfind("s:cashtransaction/s:payment/s:paymentType", NS)
    ) == ["CARD", "CASH"]

    # the Z report event carries the day's totals per rate and per payment type
    [report] = register.findall("s:event/s:eventReport", NS)
    assert amount(report, "s:reportTotalCashSales/s:totalCashSaleAmnt") == z["sales_total"]
    assert amount(report, "s:reportGrandTotalSalesNet") == z["sales_total"]
    vat = {
        (e.findtext("s:vatPerc", namespaces=NS)): (
            amount(e, "s:cashSaleAmnt"),
            amount(e, "s:vatAmnt"),
        )
        for e in report.iterfind("s:reportCashSalesVat/s:reportCashSaleVat", NS)
    }
    assert vat == {
        "7.00": (z["taxes"][0]["base"], z["taxes"][0]["tax"]),
        "19.00": (z["taxes"][1]["base"], z["taxes"][1]["tax"]),
    }
    paid = {
        e.findtext("s:paymentType", namespaces=NS): amount(e, "s:paymentAmnt")
        for e in report.iterfind("s:reportPayments/s:reportPayment", NS)
    }
    assert paid == {m["method"].upper(): m["amount"] for m in z["by_method"]}
    assert paid["CARD"] == 290
    # the head: the venue's staff, the articles sold, and the code lists it used
    company = root.find("s:company", NS)
    assert company is not None
    assert company.findtext("s:companyName", namespaces=NS) == "Trattoria Demo"
    articles = {
        a.findtext("s:artDesc", namespaces=NS) for a in company.iterfind("s:articles/s:article", NS)
    }
    assert articles == {"Burrata", "Espresso"}
    basics = {
        (b.findtext("s:basicID", namespaces=NS), b.findtext("s:predefinedBasicID", namespaces=NS))
        for b in company.iterfind("s:basics/s:basic", NS)
    }
    assert {("CASH", "12001"), ("CARD", "12002"), ("ZREP", "13009"), ("CASHSAL", "11001")} <= basics
    assert len(company.findall("s:employees/s:employee", NS)) >= 2


async def test_a_period_without_closed_days_is_an_empty_valid_file_and_bad_ranges_are_refused(
    demo: Demo,
) -> None:
    xsd = schema()
    r = await demo.call("GET", "/api/audit-file?from=2026-01-01&to=2026-01-31", "manager")
    assert r.status_code == 200, r.text
    xsd.validate(r.content)
    assert b"cashtransaction" not in r.content
    r = await demo.call("GET", "/api/audit-file?from=2026-02-01&to=2026-01-31", "manager")
    assert r.status_code == 422 and r.json()["field"] == "to", r.text
    r = await demo.call("GET", "/api/audit-file?from=2026-01-01&to=2026-01-31", "waiter")
    assert r.status_code == 403


async def test_the_command_line_writes_the_same_file(
    demo: Demo,
    app: Litestar,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    database_url: str,
    tmp_path: Path,
) -> None:
    xsd = schema()
    z = await closed_day(demo, app, monkeypatch)
    day = z["business_date"]
    r = await demo.call("GET", f"/api/audit-file?from={day}&to={day}", "manager")
    output = tmp_path / "audit.xml"
    args = cli.parser().parse_args(
        ["audit-file", "--venue", "demo", "--from", day, "--to", day, "--output", str(output)]
    )
    assert (args.start, args.end) == (dt.date.fromisoformat(day), dt.date.fromisoformat(day))
    await cli._audit_file(database_url, args.venue, args.start, args.end, args.output)
    written = output.read_bytes()
    xsd.validate(written)

    def without_time(body: bytes) -> bytes:
        root = ET.fromstring(body)
        header = root.find("s:header", NS)
        assert header is not None
        for tag in ("dateCreated", "timeCreated"):
            found = header.find(f"s:{tag}", NS)
            assert found is not None
            header.remove(found)
        return ET.tostring(root)

    assert without_time(written) == without_time(r.content)


def test_the_documented_example_is_valid() -> None:
    xsd = schema()
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "saf-t-example.xml"
    xsd.validate(str(example))
