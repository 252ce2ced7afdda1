"""Issue #17 through the API: an even split is even, however many lines have an odd cent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.conftest import Demo
from tests.payments.helpers import bill, check_with


async def _price(demo: Demo, **prices: int) -> None:
    async with demo.sessions() as session, session.begin():
        for name, price in prices.items():
            await session.execute(
                text("UPDATE items SET price = :p WHERE venue_id = :v AND name = :n"),
                {"p": price, "v": demo.venue_id, "n": name.replace("_", " ")},
            )


async def _split_evenly(demo: Demo, check_id: int, n: int) -> list[dict[str, Any]]:
    r = await demo.call("POST", f"/api/checks/{check_id}/split", json={"mode": "even", "n": n})
    assert r.status_code == 200, r.text
    return list(r.json()["parts"])


async def test_22_95_in_two_is_11_48_and_11_47(demo: Demo) -> None:
    await _price(demo, Burrata=765)
    check = await check_with(demo, ("Burrata", 1, 1), ("Burrata", 1, 2), ("Burrata", 1, 3))
    assert (await bill(demo, check["id"]))["total"] == 2295
    parts = await _split_evenly(demo, check["id"], 2)
    assert [p["amount"] for p in parts] == [1148, 1147]  # was 11.49 and 11.46
    # 7 % included: 22.95 contains 1.50, 0.75 in each part
    assert [[(t["rate_ppm"], t["base"], t["tax"]) for t in p["taxes"]] for p in parts] == [
        [(70_000, 1073, 75)],
        [(70_000, 1072, 75)],
    ]


async def test_46_80_in_two_is_23_40_each(demo: Demo) -> None:
    await _price(demo, Caesar_salad=1235, House_red=2210)
    check = await check_with(
        demo, ("Caesar salad", 1, 1), ("Caesar salad", 1, 2), ("House red", 1, None)
    )
    b = await bill(demo, check["id"])
    assert b["total"] == 4680
    parts = await _split_evenly(demo, check["id"], 2)
    assert [p["amount"] for p in parts] == [2340, 2340]  # was 23.41 and 23.39
    for rate in b["taxes"]:
        of_rate = [t for p in parts for t in p["taxes"] if t["rate_ppm"] == rate["rate_ppm"]]
        assert sum(t["tax"] for t in of_rate) == rate["tax"]
        assert sum(t["base"] for t in of_rate) == rate["base"]
