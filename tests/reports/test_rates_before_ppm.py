"""Journal sales and Z reports written while tax rates were basis points are read as
parts per million: the journal and the stored reports are never rewritten (decision 1240)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text

from pos_service.core import events, journal
from pos_service.core.db import now_utc
from pos_service.venues import service as venues
from tests.conftest import Demo
from tests.payments.helpers import check_with, pay

# a check closed before migration 0014: Burrata 13.50 at 7 % (700 bp) containing 0.88
OLD_SALE = {
    "check_id": 999,
    "table_id": None,
    "waiter_id": 1,
    "covers": 2,
    "subtotal": 1350,
    "discount_total": 0,
    "service_charge": 0,
    "total": 1350,
    "tax_inclusive": True,
    "taxes": [[700, 1262, 88]],
    "lines": [
        {
            "line_id": 1,
            "name": "Burrata",
            "category": "Starters",
            "quantity": 1,
            "gross": 1350,
            "net": 1350,
            "tax_rate_bp": 700,
        }
    ],
}


async def test_old_and_new_sales_add_up_under_one_rate(demo: Demo) -> None:
    async with demo.sessions() as session, session.begin():
        await journal.append(session, demo.venue_id, "sale", OLD_SALE)
        await events.flush(session)  # written at the end of the transaction, as a request's
    check = await check_with(demo, ("Burrata", 1, 1))
    await pay(demo, check["id"], method="cash", amount=1350)
    x = (await demo.call("GET", "/api/reports/x", "manager")).json()
    assert x["taxes"] == [{"rate_ppm": 70_000, "base": 2524, "tax": 176}]
    async with demo.sessions() as session:
        day = venues.business_day(await venues.get(session, demo.venue_id), now_utc())
    r = await demo.call(
        "GET",
        "/api/reports/sales",
        "manager",
        params={"from": day.isoformat(), "to": day.isoformat(), "group": "tax_rate"},
    )
    assert r.status_code == 200, r.text
    [row] = r.json()["rows"]
    assert (row["key"], row["label"], row["tax"], row["total"]) == ("70000", "7%", 176, 2700)
    z = (await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 1350})).json()
    assert z["taxes"] == [{"rate_ppm": 70_000, "base": 2524, "tax": 176}]


async def test_a_z_report_stored_in_basis_points_reads_in_ppm(demo: Demo) -> None:
    z = (await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 0})).json()
    old = {**z, "business_date": "2026-01-02", "taxes": [{"rate_bp": 888, "base": 1000, "tax": 89}]}
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text(
                "INSERT INTO day_closes (venue_id, business_date, from_seq, to_seq, closed_at,"
                " report) VALUES (:v, :d, 0, 0, :at, CAST(:r AS jsonb))"
            ),
            {"v": demo.venue_id, "d": dt.date(2026, 1, 2), "at": now_utc(), "r": json.dumps(old)},
        )
    r = await demo.call("GET", "/api/days/2026-01-02", "manager")
    assert r.status_code == 200, r.text
    assert r.json()["taxes"] == [{"rate_ppm": 88_800, "base": 1000, "tax": 89}]
