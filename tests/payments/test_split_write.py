"""The split as one lean write: what it refuses and why, a retry's answer, two splits of
one check at once, and a venue's promotions in the parts."""

from __future__ import annotations

import asyncio

from tests.conftest import Demo
from tests.payments.helpers import bill, check_with, pay


async def test_a_split_of_a_missing_or_closed_check_says_which(demo: Demo) -> None:
    r = await demo.call("POST", "/api/checks/999999/split", json={"mode": "even", "n": 2})
    assert r.status_code == 404, r.text
    assert r.json()["field"] == "check_id"

    check = await check_with(demo, ("Burrata", 1, 1))
    await pay(demo, check["id"], method="cash", amount=5000)
    r = await demo.call("POST", f"/api/checks/{check['id']}/split", json={"mode": "even", "n": 2})
    assert r.status_code == 409, r.text
    assert r.json()["field"] == "check_id"
    assert r.json()["current"]["status"] == "closed"


async def test_a_retried_split_answers_the_same_bytes_and_splits_once(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    path = f"/api/checks/{check['id']}/split"
    first = await demo.call("POST", path, key="split-once", json={"mode": "even", "n": 3})
    again = await demo.call("POST", path, key="split-once", json={"mode": "even", "n": 3})
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert len((await bill(demo, check["id"]))["parts"]) == 3


async def test_two_splits_of_one_check_at_once_leave_one_whole_set_of_parts(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2), ("Lasagne", 1, 3))
    path = f"/api/checks/{check['id']}/split"
    answers = await asyncio.gather(
        demo.call("POST", path, json={"mode": "even", "n": 2}),
        demo.call("POST", path, json={"mode": "even", "n": 3}),
    )
    assert [a.status_code for a in answers] == [200, 200]
    b = await bill(demo, check["id"])
    # the later split replaced the earlier one's parts: they add up to the bill, once
    assert len(b["parts"]) in (2, 3)
    assert sum(p["amount"] for p in b["parts"]) == b["total"]
    assert [p["amount"] for p in b["parts"]] in (
        [p["amount"] for p in a.json()["parts"]] for a in answers
    )


async def test_a_split_divides_the_bill_after_the_venues_promotions(demo: Demo) -> None:
    drinks = next(c["id"] for c in (await demo.menu())["categories"] if c["name"] == "Drinks")
    r = await demo.call(
        "POST",
        "/api/promotions",
        "manager",
        json={
            "name": "Wine half price",
            "kind": "percent_off",
            "percent_bp": 5000,
            "category_ids": [drinks],
        },
    )
    assert r.status_code == 201, r.text
    check = await check_with(demo, ("House red", 2, None))
    total = (await bill(demo, check["id"]))["total"]
    assert total == 650
    r = await demo.call("POST", f"/api/checks/{check['id']}/split", json={"mode": "even", "n": 2})
    assert r.status_code == 200, r.text
    assert [p["amount"] for p in r.json()["parts"]] == [325, 325]
    assert [p["name"] for p in r.json()["promotions"]] == ["Wine half price"]
