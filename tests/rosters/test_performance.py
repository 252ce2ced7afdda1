"""Performance per member and period, exported as CSV with hours for payroll."""

from __future__ import annotations

import csv
import datetime as dt
import io

from pos_service.core.money import round_div
from tests.conftest import Demo
from tests.payments.helpers import approval, check_with, pay
from tests.rosters.test_labour import clocked
from tests.rosters.test_rosters import staff_id


async def _line(demo: Demo, check_id: int, name: str, role: str = "waiter") -> int:
    lines = (await demo.call("GET", f"/api/checks/{check_id}", role)).json()["lines"]
    return int(next(line["id"] for line in lines if line["name"] == name))


async def _totals(demo: Demo) -> dict[int, int]:
    rows = await demo.sql(
        "SELECT (data->>'check_id')::bigint, (data->>'total')::bigint FROM journal "
        "WHERE venue_id = :v AND kind = 'sale'",
        v=demo.venue_id,
    )
    return {int(c): int(t) for c, t in rows}


async def test_performance_per_member_with_hours_as_csv(demo: Demo) -> None:
    anna, ben = await staff_id(demo, "Anna"), await staff_id(demo, "Ben")
    first = await check_with(demo, ("Lasagne", 2, None), ("Espresso", 1, None), covers=4)
    espresso = await _line(demo, first["id"], "Espresso")
    r = await demo.call(
        "POST",
        f"/api/checks/{first['id']}/comps",
        json={"line_id": espresso, "reason": "birthday", "approval": await approval(demo, "comp")},
    )
    assert r.status_code == 201, r.text
    await pay(demo, first["id"], method="cash")
    second = await check_with(demo, ("Lasagne", 1, None), table="3", covers=2)
    await pay(demo, second["id"], method="cash")
    third = await demo.open_check("5", covers=2, role="waiter2")
    assert (await demo.add(third["id"], "Tiramisu", 2, role="waiter2")).status_code == 201
    assert (await demo.add(third["id"], "Espresso", role="waiter2")).status_code == 201
    r = await demo.call("POST", f"/api/checks/{third['id']}/send", "waiter2", json={})
    assert r.status_code == 200, r.text
    espresso = await _line(demo, third["id"], "Espresso", "waiter2")
    r = await demo.call(
        "POST",
        f"/api/checks/{third['id']}/lines/{espresso}/void",
        "waiter2",
        json={"reason": "spilt", "approval": await approval(demo, "void")},
    )
    assert r.status_code == 200, r.text
    r = await demo.call(
        "POST", f"/api/checks/{third['id']}/payments", "waiter2", json={"method": "cash"}
    )
    assert r.status_code == 201, r.text
    now = dt.datetime.now(dt.UTC)
    await clocked(demo, anna, now, now + dt.timedelta(minutes=90))
    totals = await _totals(demo)
    day = (await demo.call("GET", "/api/reports/x", "manager")).json()["business_date"]

    r = await demo.call(
        "GET", "/api/reports/performance", "manager", params={"from": day, "to": day}
    )
    assert r.status_code == 200, r.text
    rows = {row["name"]: row for row in r.json()["rows"]}
    anna_sales = totals[first["id"]] + totals[second["id"]]
    assert rows["Anna"] == {
        "staff_id": anna,
        "name": "Anna",
        "checks": 2,
        "covers": 6,
        "items": 3,  # the comped espresso is counted under comps, not as sold
        "items_per_check": 1.5,
        "average_check": round_div(anna_sales, 2),
        "sales": anna_sales,
        "tips": 0,
        "voids": 0,
        "void_amount": 0,
        "comps": 1,
        "comp_amount": rows["Anna"]["comp_amount"],
        "seconds": 5400,
        "hours": 1.5,
    }
    assert rows["Anna"]["comp_amount"] == (await demo.item("Espresso"))["price"]
    ben_row = rows["Ben"]
    assert (ben_row["staff_id"], ben_row["checks"], ben_row["covers"]) == (ben, 1, 2)
    assert (ben_row["sales"], ben_row["voids"], ben_row["comps"]) == (totals[third["id"]], 1, 0)
    assert ben_row["void_amount"] == (await demo.item("Espresso"))["price"]
    assert (ben_row["seconds"], ben_row["hours"]) == (0, 0.0)

    r = await demo.call(
        "GET",
        "/api/reports/performance",
        "manager",
        params={"from": day, "to": day, "format": "csv"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    found = list(csv.DictReader(io.StringIO(r.text)))
    anna_csv = next(x for x in found if x["name"] == "Anna")
    assert (anna_csv["checks"], anna_csv["sales"], anna_csv["hours"]) == (
        "2",
        str(anna_sales),
        "1.5",
    )
    assert "wage" not in r.text
    assert (
        await demo.call("GET", "/api/reports/performance", "waiter", params={"from": day})
    ).status_code == 403
