"""Ledger accounts set by the owner and the balanced daily journal entry CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from litestar import Litestar

from tests.auditfile.test_returns_and_drawers import busy_day
from tests.conftest import Demo

ACCOUNTS = {
    "sales": [{"rate_ppm": 70_000, "account": "8300"}, {"rate_ppm": 190_000, "account": "8400"}],
    "tax": [{"rate_ppm": 70_000, "account": "1771"}, {"rate_ppm": 190_000, "account": "1776"}],
    "card": "1361",
}


async def test_the_owner_sets_accounts_and_others_cannot(demo: Demo) -> None:
    r = await demo.call("GET", "/api/accounting/accounts", "manager")
    assert r.status_code == 200 and r.json()["cash"] == "1000", r.text
    assert (await demo.call("GET", "/api/accounting/accounts", "waiter")).status_code == 403
    r = await demo.call("PUT", "/api/accounting/accounts", "waiter", json=ACCOUNTS)
    assert r.status_code == 403
    r = await demo.call("PUT", "/api/accounting/accounts", "manager", json={"cash": ""})
    assert r.status_code == 422 and "cash" in r.json()["field"], r.text
    r = await demo.call("PUT", "/api/accounting/accounts", "manager", json=ACCOUNTS)
    assert r.status_code == 200, r.text
    assert r.json()["sales"][1] == {"rate_ppm": 190_000, "account": "8400"}
    assert r.json()["card"] == "1361" and r.json()["cash"] == "1000"
    rows = await demo.sql(
        "SELECT action FROM audit_entries WHERE venue_id = :v AND action LIKE 'accounting.%'",
        v=demo.venue_id,
    )
    assert [r[0] for r in rows] == ["accounting.accounts_changed"]


async def test_the_daily_journal_entry_balances_and_follows_the_z_report(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = await demo.call("PUT", "/api/accounting/accounts", "manager", json=ACCOUNTS)
    assert r.status_code == 200, r.text
    z = await busy_day(demo, app, monkeypatch)
    day = z["business_date"]
    r = await demo.call("GET", f"/api/accounting/journal-entries?day={day}", "manager")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert f'filename="journal-{day}.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))

    def cents(value: str) -> int:
        return int(Decimal(value or "0") * 100)

    lines = {
        (row["account"], row["description"]): (cents(row["debit"]), cents(row["credit"]))
        for row in rows
    }
    # Burrata x2 27.00 (7 %: 1.77 tax) and an espresso 2.90 (19 %: 0.46) in cash, one
    # Burrata (13.50, 0.89 tax) returned in cash, an espresso by card; 5.00 paid out,
    # 2.00 paid in, 0.10 short
    assert lines == {
        ("8300", "Sales 7%"): (0, 2523 - 1261),
        ("1771", "Tax 7%"): (0, 177 - 89),
        ("8400", "Sales 19%"): (0, 2 * 244),
        ("1776", "Tax 19%"): (0, 2 * 46),
        ("1000", "Cash"): (2990 - 1350, 0),
        ("1361", "Card"): (290, 0),
        ("1000", "Cash over/short"): (0, 10),
        ("4900", "Cash over/short"): (10, 0),
        ("1000", "Cash paid in"): (200, 0),
        ("1460", "Cash paid in"): (0, 200),
        ("1000", "Cash paid out"): (0, 500),
        ("1460", "Cash paid out"): (500, 0),
    }
    debits = sum(cents(row["debit"]) for row in rows)
    assert debits == sum(cents(row["credit"]) for row in rows) == 2640
    sales = sum(c - d for (acc, _), (d, c) in lines.items() if acc[:2] in ("83", "84", "17"))
    assert sales == z["sales_total"]
    assert {row["date"] for row in rows} == {day} and {row["currency"] for row in rows} == {"EUR"}


async def test_an_open_day_is_not_found_and_waiters_are_refused(demo: Demo) -> None:
    r = await demo.call("GET", "/api/accounting/journal-entries?day=2026-01-05", "manager")
    assert r.status_code == 404 and r.json()["field"] == "day", r.text
    r = await demo.call("GET", "/api/accounting/journal-entries?day=2026-01-05", "waiter")
    assert r.status_code == 403
