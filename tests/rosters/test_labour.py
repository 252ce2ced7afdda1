"""Wages (owners and managers only) and labour cost per hour beside sales per hour."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import text

from tests.conftest import Demo
from tests.rosters.test_rosters import staff_id

BERLIN = ZoneInfo("Europe/Berlin")


async def clocked(demo: Demo, staff: int, start: dt.datetime, end: dt.datetime) -> None:
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text(
                "INSERT INTO shifts (venue_id, staff_id, clock_in, clock_out) "
                "VALUES (:v, :s, :i, :o)"
            ),
            {"v": demo.venue_id, "s": staff, "i": start, "o": end},
        )


async def wage(demo: Demo, staff: int, amount: int, role: str = "manager") -> int:
    r = await demo.call("PUT", "/api/wages", role, json={"staff_id": staff, "hourly_wage": amount})
    return int(r.status_code)


async def test_labour_cost_per_hour_from_clocked_time_and_wages(demo: Demo) -> None:
    anna, ben = await staff_id(demo, "Anna"), await staff_id(demo, "Ben")
    assert await wage(demo, anna, 1500) == 200
    assert await wage(demo, ben, 1200, role="owner") == 200
    await clocked(
        demo,
        anna,
        dt.datetime(2027, 1, 4, 17, tzinfo=BERLIN),
        dt.datetime(2027, 1, 4, 19, 30, tzinfo=BERLIN),
    )
    await clocked(
        demo,
        ben,
        dt.datetime(2027, 1, 4, 18, 15, tzinfo=BERLIN),
        dt.datetime(2027, 1, 4, 19, tzinfo=BERLIN),
    )
    r = await demo.call(
        "GET", "/api/reports/labour", "manager", params={"from": "2027-01-04", "to": "2027-01-10"}
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert [
        (x["label"], x["labour_seconds"], x["labour_cost"], x["sales"]) for x in report["rows"]
    ] == [
        ("17:00", 3600, 1500, 0),
        ("18:00", 3600 + 2700, 1500 + 900, 0),
        ("19:00", 1800, 750, 0),
    ]
    assert (report["labour_cost"], report["currency"]) == (4650, "EUR")
    r = await demo.call(
        "GET",
        "/api/reports/labour",
        "manager",
        params={"from": "2027-01-04", "to": "2027-01-04", "format": "csv"},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
    assert r.text.splitlines()[0] == "hour,label,sales,labour_cost,labour_seconds"
    assert r.text.splitlines()[2] == "18,18:00,0,2400,6300"
    wages = (await demo.call("GET", "/api/wages", "owner")).json()
    assert [(w["name"], w["hourly_wage"]) for w in wages] == [("Anna", 1500), ("Ben", 1200)]


async def test_sales_of_the_hour_stand_beside_its_labour_cost(demo: Demo) -> None:
    anna = await staff_id(demo, "Anna")
    assert await wage(demo, anna, 1800) == 200
    check = await demo.open_check("6", covers=2)
    assert (await demo.add(check["id"], "Lasagne")).status_code == 201
    r = await demo.call("POST", f"/api/checks/{check['id']}/payments", json={"method": "cash"})
    assert r.status_code == 201, r.text
    [(sold_at, total)] = await demo.sql(
        "SELECT at, (data->>'total')::bigint FROM journal WHERE venue_id = :v AND kind = 'sale'",
        v=demo.venue_id,
    )
    local = sold_at.astimezone(BERLIN)
    hour = local.replace(minute=0, second=0, microsecond=0)
    await clocked(demo, anna, hour, hour + dt.timedelta(minutes=40))
    day = (await demo.call("GET", "/api/reports/x", "manager")).json()["business_date"]
    r = await demo.call("GET", "/api/reports/labour", "manager", params={"from": day, "to": day})
    assert r.status_code == 200, r.text
    row = next(x for x in r.json()["rows"] if x["hour"] == f"{local.hour:02d}")
    assert (row["sales"], row["labour_cost"], row["labour_seconds"]) == (total, 1200, 2400)
    assert total > 0


async def test_wages_are_refused_for_another_venue_and_never_reach_waiters_or_the_kitchen(
    demo: Demo,
) -> None:
    anna = await staff_id(demo, "Anna")
    r = await demo.call(
        "PUT", "/api/wages", "manager", json={"staff_id": anna + 10_000, "hourly_wage": 1500}
    )
    assert r.status_code == 422 and r.json()["field"] == "staff_id", r.text
    assert await demo.sql("SELECT * FROM staff_wages") == []
    assert await wage(demo, anna, 1500) == 200
    for role in ("waiter", "kitchen", "bar", "host"):
        assert await wage(demo, anna, 9999, role=role) == 403
        for path in ("/api/wages", "/api/reports/labour", "/api/staff"):
            r = await demo.call("GET", path, role)
            assert r.status_code == 403, (role, path)
            assert "1500" not in r.text
    assert await demo.sql("SELECT hourly_wage FROM staff_wages") == [(1500,)]
