"""Guest profiles at the table: linking checks, spend history, points earned and redeemed."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import Demo
from tests.payments.helpers import bill, check_with, pay


async def loyalty(demo: Demo, earn_per: int = 100, point_value: int = 10) -> None:
    r = await demo.call(
        "PUT",
        "/api/loyalty/settings",
        "manager",
        json={"earn_per": earn_per, "point_value": point_value},
    )
    assert r.status_code == 200, r.text


async def link(demo: Demo, check_id: int, **who: Any) -> dict[str, Any]:
    r = await demo.call("POST", f"/api/checks/{check_id}/guest", json=who)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def guest(demo: Demo, guest_id: int) -> dict[str, Any]:
    r = await demo.call("GET", f"/api/guests/{guest_id}", "host")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_paid_check_earns_its_guest_points_and_shows_in_the_history(demo: Demo) -> None:
    await loyalty(demo, earn_per=100)
    check = await check_with(demo, ("Burrata", 2, None), ("House red", 1, None))
    linked = await link(demo, check["id"], phone="+49 170 1234567", name="Ada")
    assert linked["created"] and linked["points"] == 0 and linked["name"] == "Ada"
    again = await link(demo, check["id"], phone="0049 170 123 4567")
    assert again["guest_id"] == linked["guest_id"] and not again["created"]
    assert (await guest(demo, linked["guest_id"]))["checks"][0]["closed_at"] is None

    await pay(demo, check["id"], method="cash")  # 2 x 13.50 + 6.50 = 33.50

    profile = await guest(demo, linked["guest_id"])
    assert profile["points"] == 33
    assert (profile["visits"], profile["spent"]) == (1, 3350)
    assert [(c["check_id"], c["total"], c["points"]) for c in profile["checks"]] == [
        (check["id"], 3350, 33)
    ]
    second = await check_with(demo, ("Espresso", 1, None), table="11")
    await link(demo, second["id"], guest_id=linked["guest_id"])
    await pay(demo, second["id"], method="cash")
    profile = await guest(demo, linked["guest_id"])
    assert (profile["visits"], profile["spent"], profile["points"]) == (2, 3640, 35)


async def test_points_are_redeemed_as_a_discount_on_the_bill(demo: Demo) -> None:
    await loyalty(demo, earn_per=100, point_value=10)
    first = await check_with(demo, ("Ribeye", 2, None), table="11")  # 69.00 -> 69 points
    linked = await link(demo, first["id"], email="ada@example.org", name="Ada")
    await pay(demo, first["id"], method="cash")
    check = await check_with(demo, ("Burrata", 1, None))
    await link(demo, check["id"], email="ADA@example.org")

    r = await demo.call("POST", f"/api/checks/{check['id']}/loyalty-redeem", json={"points": 50})
    assert r.status_code == 200, r.text
    assert (r.json()["discount_total"], r.json()["total"]) == (500, 850)
    assert r.json()["discounts"][0]["reason"] == "loyalty reward: 50 points"
    too_many = await demo.call(
        "POST", f"/api/checks/{check['id']}/loyalty-redeem", json={"points": 20}
    )
    assert too_many.status_code == 409 and too_many.json()["points"] == 19
    over_bill = await demo.call(
        "POST", f"/api/checks/{check['id']}/loyalty-redeem", json={"points": 19}
    )
    assert over_bill.status_code == 200  # 1.90 of the 8.50 still due
    await pay(demo, check["id"], method="cash")
    profile = await guest(demo, linked["guest_id"])
    # 69 earned, 69 redeemed, then 6.60 paid earns 6 more
    assert profile["points"] == 6
    journal = await demo.sql(
        "SELECT data->>'reason', (data->>'amount')::int FROM journal "
        "WHERE venue_id = :v AND kind = 'discount' ORDER BY seq",
        v=demo.venue_id,
    )
    assert journal == [("loyalty reward: 50 points", 500), ("loyalty reward: 19 points", 190)]


async def test_concurrent_redemptions_never_take_points_below_zero(demo: Demo) -> None:
    await loyalty(demo, earn_per=100, point_value=1)
    first = await check_with(demo, ("Ribeye", 1, None), table="11")
    linked = await link(demo, first["id"], phone="+49 170 7654321")
    await pay(demo, first["id"], method="cash")
    assert (await guest(demo, linked["guest_id"]))["points"] == 34
    checks = [await check_with(demo, ("Ribeye", 1, None), table=t) for t in ("12", "13")]
    for c in checks:
        await link(demo, c["id"], guest_id=linked["guest_id"])

    answers = await asyncio.gather(
        *(
            demo.call("POST", f"/api/checks/{c['id']}/loyalty-redeem", json={"points": 30})
            for c in checks
        )
    )

    assert sorted(a.status_code for a in answers) == [200, 409]
    assert (await guest(demo, linked["guest_id"]))["points"] == 4
    totals = [(await bill(demo, c["id"]))["discount_total"] for c in checks]
    assert sorted(totals) == [0, 30]


async def test_a_check_without_a_guest_or_loyalty_cannot_redeem(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, None))
    r = await demo.call("POST", f"/api/checks/{check['id']}/loyalty-redeem", json={"points": 1})
    assert r.status_code == 409 and r.json()["field"] == "points"
    await loyalty(demo)
    r = await demo.call("POST", f"/api/checks/{check['id']}/loyalty-redeem", json={"points": 1})
    assert r.status_code == 409 and r.json()["field"] == "check_id"
    nobody = await demo.call("POST", f"/api/checks/{check['id']}/guest", json={})
    assert nobody.status_code == 422 and nobody.json()["field"] == "guest_id"
