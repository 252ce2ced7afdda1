"""A promotion and its reversal: returning a promoted line refunds exactly the line's
share of the promotion's price, per tax rate, and the reports keep every total exact."""

from __future__ import annotations

from tests.conftest import Demo
from tests.payments.helpers import bill, check_with, pay
from tests.promotions.test_promotions import promotion
from tests.returns.test_returns import give_back, rates, x_report


async def test_a_combos_line_returned_gives_back_its_share_per_rate(demo: Demo) -> None:
    burger, cola = await demo.item("Burger"), await demo.item("Cola")
    await promotion(
        demo,
        name="Burger menu",
        kind="combo_price",
        price=2000,
        components=[{"item_ids": [burger["id"]]}, {"item_ids": [cola["id"]]}],
    )
    check = await check_with(demo, ("Burger", 1, None), ("Cola", 1, None), table="12")
    b = await bill(demo, check["id"])
    # 18.50 + 4.20 for 20.00: 16.30 (7 %, 1.07 tax) and 3.70 (19 %, 0.59 tax)
    assert (b["total"], rates(b)) == (2000, {70_000: (1523, 107), 190_000: (311, 59)})
    await pay(demo, check["id"], method="cash")

    cola_line = b["lines"][1]["line_id"]
    back = await give_back(demo, check["id"], (cola_line, 1))
    assert back["amount"] == 370  # the cola's share of the menu, not its 4.20 list price
    assert back["taxes"] == [{"rate_ppm": 190_000, "base": 311, "tax": 59}]

    report = await x_report(demo)
    assert report["sales_total"] == 1630
    assert rates(report) == {70_000: (1523, 107), 190_000: (0, 0)}
    assert report["cash_expected"] == 1630


async def test_two_for_one_returned_beer_by_beer_adds_up_to_what_was_paid(demo: Demo) -> None:
    beer = await demo.item("Draft beer")
    await promotion(demo, name="2 for 1", kind="buy_n_get_m", buy=1, get=1, item_ids=[beer["id"]])
    check = await check_with(
        demo, ("Draft beer", 1, 1), ("Draft beer", 1, 2), ("Draft beer", 1, 3), table="14"
    )
    b = await bill(demo, check["id"])
    assert ([x["net"] for x in b["lines"]], b["total"]) == ([240, 240, 480], 960)
    assert rates(b) == {190_000: (807, 153)}
    await pay(demo, check["id"], method="cash")

    first, second, third = (x["line_id"] for x in b["lines"])
    one = await give_back(demo, check["id"], (first, 1))
    # 2.40 of the pair's 4.80; 19 % tax: 153 x 240 / 960 = 38.25 -> 38
    assert (one["amount"], one["taxes"]) == (240, [{"rate_ppm": 190_000, "base": 202, "tax": 38}])
    rest = await give_back(demo, check["id"], (second, 1), (third, 1))
    assert rest["amount"] == 240 + 480
    assert sum(t["tax"] for t in rest["taxes"]) == 153 - 38  # the rest of the tax, exactly

    report = await x_report(demo)
    assert report["sales_total"] == 0 and rates(report) == {190_000: (0, 0)}
    assert report["returns_total"] == 960
