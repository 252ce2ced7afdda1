"""Rosters: planning, publishing, copying weeks, "my shifts", and sections seating."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import Demo

BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


async def staff_id(demo: Demo, name: str) -> int:
    rows = await demo.sql(
        "SELECT id FROM staff WHERE venue_id = :v AND name = :n", v=demo.venue_id, n=name
    )
    return int(rows[0][0])


async def section(demo: Demo, name: str, *tables: str) -> dict[str, Any]:
    ids = [await demo.table_id(t) for t in tables]
    r = await demo.call("POST", "/api/sections", "manager", json={"name": name, "table_ids": ids})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def plan(demo: Demo, **body: Any) -> Any:
    return await demo.call("POST", "/api/rosters/shifts", "manager", json=body)


async def test_a_published_week_shows_each_member_their_own_shifts_and_later_changes(
    demo: Demo,
) -> None:
    anna, dario = await staff_id(demo, "Anna"), await staff_id(demo, "Dario")
    terrace = await section(demo, "Terrace", "6", "7")
    r = await plan(
        demo,
        staff_id=anna,
        role="waiter",
        section_id=terrace["id"],
        starts_at="2027-01-04T17:00:00+01:00",
        ends_at="2027-01-04T23:00:00+01:00",
        break_minutes=30,
    )
    assert r.status_code == 201, r.text
    shift = r.json()
    assert shift["section_name"] == "Terrace"
    assert shift["published"] is False
    r = await plan(
        demo,
        staff_id=dario,
        role="kitchen",
        station="hot",
        starts_at="2027-01-05T10:00:00+01:00",
        ends_at="2027-01-05T16:00:00+01:00",
    )
    assert r.status_code == 201, r.text
    kitchen_shift = r.json()

    mine = await demo.call("GET", "/api/rosters/mine", "waiter", params={"week": "2027-01-06"})
    assert mine.status_code == 200, mine.text
    assert mine.json() == {"week": "2027-01-04", "shifts": []}  # drafts are not shown

    r = await demo.call("POST", "/api/rosters/publish", "manager", json={"week": "2027-01-07"})
    assert r.status_code == 200, r.text
    assert r.json()["week"] == "2027-01-04"
    assert [s["published"] for s in r.json()["shifts"]] == [True, True]

    mine = (
        await demo.call("GET", "/api/rosters/mine", "waiter", params={"week": "2027-01-04"})
    ).json()
    assert [
        (s["staff_name"], s["role"], s["section_name"], s["break_minutes"]) for s in mine["shifts"]
    ] == [("Anna", "waiter", "Terrace", 30)]
    assert at(mine["shifts"][0]["starts_at"]) == dt.datetime(2027, 1, 4, 16, 0, tzinfo=dt.UTC)
    assert at(mine["shifts"][0]["ends_at"]) == dt.datetime(2027, 1, 4, 22, 0, tzinfo=dt.UTC)
    assert mine["shifts"][0]["changed"] is False
    theirs = (
        await demo.call("GET", "/api/rosters/mine", "kitchen", params={"week": "2027-01-04"})
    ).json()
    assert [(s["staff_name"], s["station"]) for s in theirs["shifts"]] == [("Dario", "hot")]

    # changes after publishing: shown to the member they touch
    r = await demo.call(
        "PATCH",
        f"/api/rosters/shifts/{shift['id']}",
        "manager",
        json={"ends_at": "2027-01-04T23:30:00+01:00"},
    )
    assert r.status_code == 200, r.text
    r = await demo.call("DELETE", f"/api/rosters/shifts/{kitchen_shift['id']}", "manager")
    assert r.status_code == 204, r.text
    mine = (
        await demo.call("GET", "/api/rosters/mine", "waiter", params={"week": "2027-01-04"})
    ).json()
    assert [(s["changed"], s["cancelled"]) for s in mine["shifts"]] == [(True, False)]
    assert at(mine["shifts"][0]["ends_at"]) == dt.datetime(2027, 1, 4, 22, 30, tzinfo=dt.UTC)
    theirs = (
        await demo.call("GET", "/api/rosters/mine", "kitchen", params={"week": "2027-01-04"})
    ).json()
    assert [(s["changed"], s["cancelled"]) for s in theirs["shifts"]] == [(True, True)]
    events = await demo.sql(
        "SELECT topic, type FROM events WHERE venue_id = :v AND type LIKE 'roster.%' ORDER BY seq",
        v=demo.venue_id,
    )
    assert (f"staff:{anna}", "roster.shift_changed") in [tuple(e) for e in events]
    assert (f"staff:{dario}", "roster.shift_changed") in [tuple(e) for e in events]

    # the week's roster is the managers'
    assert (
        await demo.call("GET", "/api/rosters", "waiter", params={"week": "2027-01-04"})
    ).status_code == 403
    week = (await demo.call("GET", "/api/rosters", "manager", params={"week": "2027-01-04"})).json()
    assert [(s["staff_name"], s["cancelled"]) for s in week["shifts"]] == [
        ("Anna", False),
        ("Dario", True),
    ]


async def test_impossible_shifts_are_refused_naming_the_field_and_nothing_is_written(
    demo: Demo,
) -> None:
    anna = await staff_id(demo, "Anna")
    ok = await plan(
        demo,
        staff_id=anna,
        role="waiter",
        starts_at="2027-01-04T12:00:00+01:00",
        ends_at="2027-01-04T18:00:00+01:00",
    )
    assert ok.status_code == 201, ok.text
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"starts_at": "2027-01-05T18:00:00+01:00", "ends_at": "2027-01-05T12:00:00+01:00"},
            "ends_at",
        ),
        (
            {"starts_at": "2027-01-04T17:00:00+01:00", "ends_at": "2027-01-04T23:00:00+01:00"},
            "starts_at",
        ),
        ({"starts_at": "2027-01-05T12:00:00", "ends_at": "2027-01-05T18:00:00+01:00"}, "starts_at"),
        (
            {
                "starts_at": "2027-01-05T12:00:00+01:00",
                "ends_at": "2027-01-05T18:00:00+01:00",
                "role": "kitchen",
            },
            "role",
        ),
        (
            {
                "starts_at": "2027-01-05T12:00:00+01:00",
                "ends_at": "2027-01-05T13:00:00+01:00",
                "break_minutes": 60,
            },
            "break_minutes",
        ),
        (
            {
                "starts_at": "2027-01-05T12:00:00+01:00",
                "ends_at": "2027-01-05T18:00:00+01:00",
                "section_id": 999,
            },
            "section_id",
        ),
    ]
    for fields, field in cases:
        r = await plan(demo, **{"staff_id": anna, "role": "waiter", **fields})
        assert r.status_code == 422, (fields, r.text)
        assert field in r.text, (field, r.text)
    dario = await staff_id(demo, "Dario")
    r = await plan(
        demo,
        staff_id=await staff_id(demo, "Ben") + 10_000,
        role="waiter",
        starts_at="2027-01-05T12:00:00+01:00",
        ends_at="2027-01-05T18:00:00+01:00",
    )
    assert r.status_code == 422 and "staff_id" in r.text, r.text
    # moving a shift onto another of the same person's
    other = await plan(
        demo,
        staff_id=dario,
        role="kitchen",
        starts_at="2027-01-04T08:00:00+01:00",
        ends_at="2027-01-04T12:00:00+01:00",
    )
    assert other.status_code == 201, other.text
    r = await demo.call(
        "PATCH",
        f"/api/rosters/shifts/{ok.json()['id']}",
        "manager",
        json={"ends_at": "2027-01-04T11:00:00+01:00"},
    )
    assert r.status_code == 422 and "ends_at" in r.text, r.text
    rows = await demo.sql(
        "SELECT staff_id, starts_at, ends_at FROM roster_shifts WHERE venue_id = :v ORDER BY id",
        v=demo.venue_id,
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (
            anna,
            dt.datetime(2027, 1, 4, 11, tzinfo=dt.UTC),
            dt.datetime(2027, 1, 4, 17, tzinfo=dt.UTC),
        ),
        (
            dario,
            dt.datetime(2027, 1, 4, 7, tzinfo=dt.UTC),
            dt.datetime(2027, 1, 4, 11, tzinfo=dt.UTC),
        ),
    ]


async def test_copying_last_week_keeps_local_times_across_summer_time(demo: Demo) -> None:
    anna = await staff_id(demo, "Anna")
    r = await plan(
        demo,
        staff_id=anna,
        role="waiter",
        starts_at="2027-03-26T18:00:00+01:00",  # Friday before the clocks go forward
        ends_at="2027-03-26T23:00:00+01:00",
        station="bar",
    )
    assert r.status_code == 201, r.text
    assert (
        await demo.call("POST", "/api/rosters/publish", "manager", json={"week": "2027-03-22"})
    ).status_code == 200
    sunday_night = await plan(
        demo,
        staff_id=anna,
        role="waiter",
        starts_at="2027-03-28T22:00:00+02:00",
        ends_at="2027-03-29T02:00:00+02:00",
    )
    assert sunday_night.status_code == 201, sunday_night.text
    blocker = await plan(  # the week after the copy already starts at 01:00 on Monday
        demo,
        staff_id=anna,
        role="waiter",
        starts_at="2027-04-05T01:00:00+02:00",
        ends_at="2027-04-05T06:00:00+02:00",
    )
    assert blocker.status_code == 201, blocker.text
    r = await demo.call(
        "POST", "/api/rosters/copy-previous", "manager", json={"week": "2027-03-29"}
    )
    assert r.status_code == 201, r.text
    [copy] = r.json()["shifts"]
    assert (copy["staff_name"], copy["station"], copy["published"]) == ("Anna", "bar", False)
    assert at(copy["starts_at"]) == dt.datetime(2027, 4, 2, 18, tzinfo=BERLIN)
    assert at(copy["starts_at"]) == dt.datetime(2027, 4, 2, 16, tzinfo=dt.UTC)
    assert at(copy["ends_at"]) == dt.datetime(2027, 4, 2, 21, tzinfo=dt.UTC)
    again = await demo.call(
        "POST", "/api/rosters/copy-previous", "manager", json={"week": "2027-03-29"}
    )
    assert again.status_code == 409 and "week" in again.text, again.text
    assert len(await demo.sql("SELECT id FROM roster_shifts")) == 4  # the overlap not copied


async def test_seating_on_a_section_table_opens_the_check_under_the_section_waiter(
    demo: Demo,
) -> None:
    ben = await staff_id(demo, "Ben")
    terrace = await section(demo, "Terrace", "6", "7")
    now = dt.datetime.now(dt.UTC)
    r = await plan(
        demo,
        staff_id=ben,
        role="waiter",
        section_id=terrace["id"],
        starts_at=(now - dt.timedelta(hours=1)).isoformat(),
        ends_at=(now + dt.timedelta(hours=5)).isoformat(),
    )
    assert r.status_code == 201, r.text

    async def seat(table: str) -> int | None:
        entry = await demo.call(
            "POST", "/api/waitlist", "host", json={"name": f"Party {table}", "party_size": 2}
        )
        assert entry.status_code == 201, entry.text
        seated = await demo.call(
            "POST",
            f"/api/waitlist/{entry.json()['id']}/seat",
            "host",
            json={"table_id": await demo.table_id(table)},
        )
        assert seated.status_code == 200, seated.text
        rows = await demo.sql(
            "SELECT waiter_id FROM checks"
            " WHERE venue_id = :v AND table_id = :t AND closed_at IS NULL",
            v=demo.venue_id,
            t=await demo.table_id(table),
        )
        return rows[0][0]  # type: ignore[no-any-return]

    assert await seat("6") is None  # a draft roster assigns nobody
    week = (now - dt.timedelta(hours=1)).astimezone(BERLIN).date().isoformat()
    assert (
        await demo.call("POST", "/api/rosters/publish", "manager", json={"week": week})
    ).status_code == 200
    assert await seat("7") == ben
    assert await seat("12") is None  # not in a section
    floor = (await demo.call("GET", "/api/floor/", "waiter")).json()
    seven = [t for a in floor["areas"] for t in a["tables"] if t["name"] == "7"]
    assert seven[0]["open_check"]["waiter"] == "Ben"


def test_a_member_follows_their_own_roster_changes_only() -> None:
    from pos_service.core.auth import Caller
    from pos_service.core.live import topic_refusal

    cook = Caller(kind="staff", venue_id=1, staff_id=4, roles=frozenset({"kitchen"}))
    assert topic_refusal(cook, "staff:4") is None
    assert topic_refusal(cook, "staff:5") is not None
    assert topic_refusal(cook, "rosters") is not None
