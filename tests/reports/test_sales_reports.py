"""Back-office reports: sales by every grouping equal the journal, voids stay out, CSV,
exceptions with approvers, table turns, prep times and business days by the cutoff."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from sqlalchemy import text

from pos_service.core.db import now_utc
from tests.conftest import Demo
from tests.payments.helpers import approval, bill, check_with, pay

GROUPS = ("day", "hour", "item", "category", "staff", "table", "payment_method", "tax_rate")
LINE_COLUMNS = ("gross", "discounts", "net", "service_charge", "tax")


async def execute(demo: Demo, query: str, **params: Any) -> None:
    async with demo.sessions() as session, session.begin():
        await session.execute(text(query), params)


async def _line(demo: Demo, check_id: int, name: str) -> int:
    lines = (await demo.call("GET", f"/api/checks/{check_id}")).json()["lines"]
    return int(next(line["id"] for line in lines if line["name"] == name))


async def _day(demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three checks: a voided ribeye, a discount, service charge, two rates, cash and card
    with tips, a comp and a refund."""
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    big = await check_with(demo, ("Burrata", 2, 1), ("House red", 3, 2), ("Ribeye", 1, 3), covers=6)
    await demo.call("POST", f"/api/checks/{big['id']}/send", json={})
    ribeye = await _line(demo, big["id"], "Ribeye")
    r = await demo.call(
        "POST",
        f"/api/checks/{big['id']}/lines/{ribeye}/void",
        json={"reason": "sent back", "approval": await approval(demo, "void")},
    )
    assert r.status_code == 200, r.text
    r = await demo.call(
        "POST",
        f"/api/checks/{big['id']}/discounts",
        json={"kind": "percent", "value": 1000, "reason": "regulars"},
    )
    assert r.status_code == 201, r.text
    due = (await bill(demo, big["id"]))["total"]
    await pay(demo, big["id"], method="cash", amount=due // 3)
    card = await pay(demo, big["id"], method="card", tip=333)
    r = await demo.call("POST", f"/api/payments/{card['payment']['id']}/poll")
    assert r.json()["bill"]["status"] == "closed", r.text

    small = await check_with(demo, ("Espresso", 2, None), ("Tiramisu", 1, None), table="3")
    tiramisu = await _line(demo, small["id"], "Tiramisu")
    r = await demo.call(
        "POST",
        f"/api/checks/{small['id']}/comps",
        json={"line_id": tiramisu, "reason": "birthday", "approval": await approval(demo, "comp")},
    )
    assert r.status_code == 201, r.text
    card = await pay(demo, small["id"], method="card", tip=20)
    r = await demo.call("POST", f"/api/payments/{card['payment']['id']}/poll")
    assert r.json()["bill"]["status"] == "closed", r.text
    r = await demo.call(
        "POST",
        f"/api/checks/{small['id']}/refunds",
        "manager",
        json={"payment_id": card["payment"]["id"], "amount": 100, "reason": "cold coffee"},
    )
    assert r.status_code == 201, r.text
    third = await demo.open_check("T1", covers=2, role="waiter2")
    assert (await demo.add(third["id"], "Lasagne", role="waiter2")).status_code == 201
    r = await demo.call(
        "POST", f"/api/checks/{third['id']}/payments", "waiter2", json={"method": "cash"}
    )
    assert r.status_code == 201, r.text


async def _journal_sales(demo: Demo) -> tuple[int, int, int]:
    [(checks, covers, total)] = await demo.sql(
        "SELECT count(*), sum((data->>'covers')::int), sum((data->>'total')::bigint) "
        "FROM journal WHERE venue_id = :v AND kind = 'sale'",
        v=demo.venue_id,
    )
    return int(checks), int(covers), int(total)


async def _today(demo: Demo) -> str:
    x = (await demo.call("GET", "/api/reports/x", "manager")).json()
    return str(x["business_date"])


async def _sales(demo: Demo, day: str, group: str, **params: Any) -> dict[str, Any]:
    r = await demo.call(
        "GET",
        "/api/reports/sales",
        "manager",
        params={"from": day, "to": day, "group": group, **params},
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_every_grouping_sums_to_the_journal_and_voids_are_in_none(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _day(demo, app, monkeypatch)
    day = await _today(demo)
    checks, covers, total = await _journal_sales(demo)
    assert (checks, covers) == (3, 12)
    for group in GROUPS:
        report = await _sales(demo, day, group)
        assert (report["checks"], report["covers"], report["total"]) == (checks, covers, total)
        assert report["average_check"] == round(total / checks)
        assert sum(row["total"] for row in report["rows"]) == total, group
        if group != "payment_method":
            for column in LINE_COLUMNS:
                assert sum(row[column] for row in report["rows"]) == report[column], (group, column)
        assert all("Ribeye" not in row["label"] for row in report["rows"])
    items = {row["key"]: row for row in (await _sales(demo, day, "item"))["rows"]}
    assert set(items) == {"Burrata", "House red", "Espresso", "Lasagne"}
    # a comped line is in no sale either; the voided ribeye never was
    assert (items["Burrata"]["quantity"], items["Burrata"]["gross"]) == (2, 2700)
    assert items["Burrata"]["discounts"] == 270
    staff = {row["label"]: row for row in (await _sales(demo, day, "staff"))["rows"]}
    assert (staff["Anna"]["checks"], staff["Ben"]["checks"]) == (2, 1)
    assert staff["Anna"]["tips"] == 333 + 20
    methods = {row["key"]: row for row in (await _sales(demo, day, "payment_method"))["rows"]}
    assert set(methods) == {"card", "cash"} and methods["card"]["tips"] == 333 + 20
    rates = {row["key"]: row for row in (await _sales(demo, day, "tax_rate"))["rows"]}
    assert (rates["70000"]["label"], rates["190000"]["label"]) == ("7%", "19%")
    [(tax_700,)] = await demo.sql(
        "SELECT sum((t->>2)::bigint) FROM journal, jsonb_array_elements(data->'taxes') AS t "
        "WHERE venue_id = :v AND kind = 'sale' AND (t->>0)::int = 70000",
        v=demo.venue_id,
    )
    assert rates["70000"]["tax"] == tax_700


async def test_business_days_follow_the_venue_cutoff(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    await pay(demo, (await check_with(demo, ("Espresso", 1, None)))["id"], method="cash")
    local = now_utc().astimezone(ZoneInfo("Europe/Berlin"))
    day = await _today(demo)
    assert (await _sales(demo, day, "day"))["checks"] == 1
    later = local + dt.timedelta(minutes=5)
    if later.date() != local.date():
        pytest.skip("too close to midnight to move the cutoff past now")
    # with the cutoff after now, the sale belongs to the day before
    await execute(
        demo,
        "UPDATE venues SET day_cutoff = :t WHERE id = :v",
        t=later.time().replace(microsecond=0),
        v=demo.venue_id,
    )
    yesterday = (local.date() - dt.timedelta(days=1)).isoformat()
    report = await _sales(demo, local.date().isoformat(), "day")
    assert report["checks"] == 0
    report = await _sales(demo, yesterday, "day")
    assert report["checks"] == 1 and [row["key"] for row in report["rows"]] == [yesterday]


async def test_csv_export_by_query_or_accept_header(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _day(demo, app, monkeypatch)
    day = await _today(demo)
    report = await _sales(demo, day, "item")
    url = f"/api/reports/sales?from={day}&to={day}&group=item"
    by_query = await demo.call("GET", url + "&format=csv", "manager")
    by_header = await demo.client.get(
        url, headers={**demo.headers["manager"], "Accept": "text/csv"}
    )
    for r in (by_query, by_header):
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/csv; charset=utf-8"
        assert r.headers["content-disposition"] == (
            f'attachment; filename="sales-{day}-{day}-item.csv"'
        )
    rows = list(csv.DictReader(io.StringIO(by_query.text)))
    assert [row["key"] for row in rows] == [row["key"] for row in report["rows"]]
    assert sum(int(row["total"]) for row in rows) == report["total"]
    assert by_header.text == by_query.text
    json_anyway = await demo.client.get(url, headers={**demo.headers["manager"], "Accept": "*/*"})
    assert json_anyway.headers["content-type"] == "application/json"


async def test_exceptions_name_reasons_and_approvers(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _day(demo, app, monkeypatch)
    day = await _today(demo)
    r = await demo.call(
        "GET", "/api/reports/exceptions", "manager", params={"from": day, "to": day}
    )
    assert r.status_code == 200, r.text
    report = r.json()
    found = {
        row["kind"]: (row["name"], row["reason"], row["by"], row["approved_by"])
        for row in report["rows"]
    }
    assert found == {
        "void": ("Ribeye", "sent back", "Anna", "Marco"),
        "discount": (None, "regulars", "Anna", None),
        "comp": ("Tiramisu", "birthday", "Anna", "Marco"),
        "refund": (None, "cold coffee", "Marco", None),
    }
    totals = {t["kind"]: (t["count"], t["amount"]) for t in report["totals"]}
    assert totals["void"] == (1, 3450) and totals["comp"] == (1, 850)
    assert totals["refund"] == (1, 100)
    r = await demo.call(
        "GET", "/api/reports/exceptions", "manager", params={"from": day, "format": "csv"}
    )
    assert r.text.splitlines()[0].startswith("kind,at,check_id,line_id,name,amount,reason")


async def test_table_turns_from_seated_to_closed(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _day(demo, app, monkeypatch)
    opened = await demo.open_check("5", covers=2)
    await execute(
        demo,
        "UPDATE checks SET created_at = closed_at - interval '90 minutes' "
        "WHERE venue_id = :v AND table_id = :t",
        v=demo.venue_id,
        t=await demo.table_id("12"),
    )
    r = await demo.call("GET", "/api/reports/turns", "manager")
    assert r.status_code == 200, r.text
    report = r.json()
    tables = {row["table"]: row for row in report["rows"]}
    assert set(tables) == {"12", "3", "T1"} and report["turns"] == 3  # table 5 is still open
    assert opened["id"] not in [row["table_id"] for row in report["rows"]]
    assert tables["12"]["average_seconds"] == tables["12"]["longest_seconds"] == 90 * 60
    assert (tables["12"]["covers"], tables["T1"]["covers"]) == (6, 2)


async def test_prep_times_are_the_kitchens(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, None), ("Tomato soup", 1, None))
    await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    [(ticket,)] = await demo.sql(
        "SELECT id FROM kitchen_tickets WHERE venue_id = :v", v=demo.venue_id
    )
    r = await demo.call("POST", f"/api/kitchen/tickets/{ticket}/bump", "kitchen", json={})
    assert r.status_code == 200, r.text
    ours = await demo.call("GET", "/api/reports/prep-times", "manager")
    theirs = await demo.call("GET", "/api/kitchen/prep-times", "manager")
    assert ours.json() == theirs.json()
    assert [(row["station"], row["item"]) for row in ours.json()["rows"]] == [
        ("cold", "Burrata"),
        ("cold", "Tomato soup"),
    ]
    r = await demo.call("GET", "/api/reports/prep-times?format=csv", "manager")
    assert r.text.splitlines()[0] == "station,item,count,avg_seconds,p90_seconds"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-03-02", "to": "2025-03-01"}, "to"),
        ({"from": "2024-01-01", "to": "2025-01-01"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"from": "2025-01-01", "to": "9999-12-31"}, "to"),
    ],
)
async def test_a_period_runs_forward_within_bounds_and_at_most_a_year(
    demo: Demo, params: dict[str, str], field: str
) -> None:
    r = await demo.call("GET", "/api/reports/sales", "manager", params=params)
    assert r.status_code == 422 and r.json()["field"] == field
