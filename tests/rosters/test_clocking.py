"""Clocking in against the published roster, breaks, forgotten clock-outs closed by the
day close, and labour in the day (Z) and week reports."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import Demo
from tests.rosters.test_rosters import plan, staff_id


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


async def published(demo: Demo, name: str, start: dt.datetime, hours: int = 4) -> dict[str, Any]:
    """A published waiter's shift of ``name`` starting at ``start``."""
    r = await plan(
        demo,
        staff_id=await staff_id(demo, name),
        role="waiter",
        starts_at=start.isoformat(),
        ends_at=(start + dt.timedelta(hours=hours)).isoformat(),
    )
    assert r.status_code == 201, r.text
    week = start.date().isoformat()
    published = await demo.call("POST", "/api/rosters/publish", "manager", json={"week": week})
    assert published.status_code in (200, 409), published.text
    return dict(r.json())


async def approval(demo: Demo, action: str = "clock_in", pin: str = "9999") -> str:
    r = await demo.call("POST", "/api/auth/approve", json={"pin": pin, "action": action})
    assert r.status_code == 200, r.text
    return str(r.json()["approval"])


async def test_a_clock_in_within_the_tolerance_is_tied_to_the_planned_shift(demo: Demo) -> None:
    shift = await published(demo, "Anna", now() + dt.timedelta(minutes=8))
    r = await demo.call("GET", "/api/rosters/clock")
    assert r.status_code == 200, r.text
    assert (r.json()["shift"], r.json()["planned"]["id"], r.json()["needs_approval"]) == (
        None,
        shift["id"],
        None,
    )
    r = await demo.call("POST", "/api/staff/clock-in")
    assert r.status_code == 201, r.text
    assert (r.json()["planned_shift_id"], r.json()["approved_by"]) == (shift["id"], None)
    again = await demo.call("POST", "/api/staff/clock-in")
    assert again.status_code == 409, again.text
    status = (await demo.call("GET", "/api/rosters/clock")).json()
    assert status["shift"]["id"] == r.json()["id"]


async def test_an_early_clock_in_waits_for_a_managers_approval(demo: Demo) -> None:
    await published(demo, "Anna", now() + dt.timedelta(minutes=40))
    r = await demo.call("POST", "/api/staff/clock-in")
    assert r.status_code == 403, r.text
    problem = r.json()
    assert (problem["field"], problem["reason"]) == ("approval", "early")
    assert problem["minutes"] in (-40, -39)
    assert (await demo.call("GET", "/api/rosters/clock")).json()["needs_approval"] == "early"
    assert await demo.sql("SELECT 1 FROM shifts WHERE venue_id = :v", v=demo.venue_id) == []
    # an approval for another action, or a waiter's PIN, does not let it through
    wrong = await approval(demo, "void")
    r = await demo.call("POST", "/api/staff/clock-in", json={"approval": wrong})
    assert (r.status_code, r.json()["field"]) == (403, "approval")
    r = await demo.call("POST", "/api/auth/approve", json={"pin": "1112", "action": "clock_in"})
    assert r.status_code == 401, r.text
    token = await approval(demo)
    r = await demo.call("POST", "/api/staff/clock-in", json={"approval": token})
    assert r.status_code == 201, r.text
    assert r.json()["approved_by"] == await staff_id(demo, "Marco")
    # the approval was used up
    await demo.call("POST", "/api/staff/clock-out")
    r = await demo.call("POST", "/api/staff/clock-in", json={"approval": token})
    assert (r.status_code, r.json()["field"]) == (403, "approval")


async def test_late_and_unplanned_clock_ins_need_approval_and_the_tolerance_is_the_venues(
    demo: Demo,
) -> None:
    await published(demo, "Anna", now() - dt.timedelta(minutes=25))
    r = await demo.call("POST", "/api/staff/clock-in")
    assert (r.status_code, r.json()["reason"]) == (403, "late"), r.text
    # Ben has no shift, but the venue published this week: unplanned
    ben = await demo.sign_in("1112")
    r = await demo.client.post("/api/staff/clock-in", headers=ben)
    assert (r.status_code, r.json()["reason"]) == (403, "unplanned"), r.text
    # a waiter cannot widen the tolerance; a manager can
    r = await demo.call("PUT", "/api/rosters/clock-rules", json={"clock_tolerance_minutes": 30})
    assert r.status_code == 403, r.text
    r = await demo.call(
        "PUT", "/api/rosters/clock-rules", "manager", json={"clock_tolerance_minutes": 30}
    )
    assert r.status_code == 200, r.text
    r = await demo.call(
        "PUT", "/api/rosters/clock-rules", "manager", json={"clock_tolerance_minutes": -1}
    )
    assert r.status_code == 400 or r.status_code == 422, r.text
    assert (await demo.call("GET", "/api/rosters/clock-rules", "manager")).json() == {
        "clock_tolerance_minutes": 30
    }
    r = await demo.call("POST", "/api/staff/clock-in")
    assert r.status_code == 201, r.text
    audit = await demo.sql(
        "SELECT action FROM audit_entries WHERE venue_id = :v AND action = 'settings.changed'",
        v=demo.venue_id,
    )
    assert len(audit) == 1


async def test_a_venue_without_a_published_roster_clocks_freely(demo: Demo) -> None:
    r = await demo.call("POST", "/api/staff/clock-in")
    assert r.status_code == 201, r.text
    assert r.json()["planned_shift_id"] is None


async def test_breaks_are_taken_within_the_open_shift(demo: Demo) -> None:
    r = await demo.call("POST", "/api/staff/breaks/start")
    assert r.status_code == 409, r.text
    assert (await demo.call("POST", "/api/staff/clock-in")).status_code == 201
    r = await demo.call("POST", "/api/staff/breaks/start")
    assert r.status_code == 200 and r.json()["on_break_since"] is not None, r.text
    assert (await demo.call("POST", "/api/staff/breaks/start")).status_code == 409
    await demo.sql("SELECT 1")
    async with demo.sessions() as session, session.begin():
        from sqlalchemy import text

        await session.execute(
            text(
                "UPDATE shifts SET break_started_at = now() - interval '15 minutes' "
                "WHERE venue_id = :v"
            ),
            {"v": demo.venue_id},
        )
    r = await demo.call("POST", "/api/staff/breaks/end")
    assert r.status_code == 200, r.text
    assert r.json()["on_break_since"] is None and 900 <= r.json()["break_seconds"] <= 902
    assert (await demo.call("POST", "/api/staff/breaks/end")).status_code == 409
    out = await demo.call("POST", "/api/staff/clock-out")
    assert out.status_code == 200 and 900 <= out.json()["break_seconds"] <= 902, out.text


async def forgotten_shift(demo: Demo, name: str, wage: int) -> tuple[int, int]:
    """A shift of ``name`` still open, clocked in today at a whole second with a planned
    end already passed; the member's wage set. Returns (shift id, planned seconds)."""
    from sqlalchemy import text

    member = await staff_id(demo, name)
    r = await demo.call(
        "PUT", "/api/wages", "manager", json={"staff_id": member, "hourly_wage": wage}
    )
    assert r.status_code == 200, r.text
    x = (await demo.call("GET", "/api/reports/x", "manager")).json()
    day_start = dt.datetime.combine(
        dt.date.fromisoformat(x["business_date"]), dt.time(4), ZoneInfo("Europe/Berlin")
    )
    # demo: Europe/Berlin, day cutoff 04:00; now is after the day's start
    moment = now()
    clock_in = max(moment - dt.timedelta(minutes=90), day_start.astimezone(dt.UTC))
    seconds = int((moment - clock_in).total_seconds()) // 2
    async with demo.sessions() as session, session.begin():
        shift_id: int = (
            await session.execute(
                text(
                    "INSERT INTO shifts (venue_id, staff_id, clock_in, planned_end) "
                    "VALUES (:v, :s, :i, :e) RETURNING id"
                ),
                {
                    "v": demo.venue_id,
                    "s": member,
                    "i": clock_in,
                    "e": clock_in + dt.timedelta(seconds=seconds),
                },
            )
        ).scalar_one()
    return int(shift_id), seconds


async def test_the_day_close_ends_forgotten_clock_outs_and_reports_labour_beside_sales(
    demo: Demo,
) -> None:
    shift_id, seconds = await forgotten_shift(demo, "Ben", 3600)  # 36.00/h: 1 cent a second
    check = await demo.open_check("6", covers=2)
    assert (await demo.add(check["id"], "Lasagne")).status_code == 201
    r = await demo.call("POST", f"/api/checks/{check['id']}/payments", json={"method": "cash"})
    assert r.status_code == 201, r.text
    x = (await demo.call("GET", "/api/reports/x", "manager")).json()
    assert x["labour_seconds"] >= seconds  # the open shift counts up to now
    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 0})
    assert r.status_code == 201, r.text
    z = r.json()
    assert (z["labour_seconds"], z["labour_cost"]) == (seconds, seconds)
    assert z["sales_total"] > 0
    assert [(f["shift_id"], f["name"]) for f in z["forgotten_clock_outs"]] == [(shift_id, "Ben")]
    rows = await demo.sql(
        "SELECT closed_by_day_close, extract(epoch from clock_out - clock_in)::int "
        "FROM shifts WHERE venue_id = :v AND id = :i",
        v=demo.venue_id,
        i=shift_id,
    )
    assert [tuple(r) for r in rows] == [(True, seconds)]
    stored = (await demo.call("GET", f"/api/days/{z['business_date']}", "manager")).json()
    assert stored["forgotten_clock_outs"][0]["shift_id"] == shift_id
    # the week report's row of that day carries the same figures as its Z report
    week = (
        await demo.call(
            "GET",
            "/api/reports/labour",
            "manager",
            params={"from": z["business_date"], "to": z["business_date"]},
        )
    ).json()
    assert [
        (d["business_date"], d["sales"], d["labour_cost"], d["labour_seconds"])
        for d in week["days"]
    ] == [(z["business_date"], z["sales_total"], seconds, seconds)]
    assert (week["labour_cost"], week["labour_seconds"]) == (seconds, seconds)


async def test_the_week_report_has_a_row_per_business_day(demo: Demo) -> None:
    from tests.rosters.test_labour import clocked, wage
    from tests.rosters.test_rosters import BERLIN

    anna = await staff_id(demo, "Anna")
    assert await wage(demo, anna, 1500) == 200
    for day, hours in ((4, 2), (6, 3)):
        start = dt.datetime(2027, 1, day, 17, tzinfo=BERLIN)
        await clocked(demo, anna, start, start + dt.timedelta(hours=hours, minutes=30))
    r = await demo.call(
        "GET", "/api/reports/labour", "manager", params={"from": "2027-01-04", "to": "2027-01-10"}
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert [
        (d["business_date"], d["labour_seconds"], d["labour_cost"]) for d in report["days"]
    ] == [
        ("2027-01-04", 9000, 3750),
        ("2027-01-06", 12600, 5250),
    ]
    assert (report["labour_cost"], report["labour_seconds"]) == (9000, 21600)
