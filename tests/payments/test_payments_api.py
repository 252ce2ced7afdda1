"""Bills, splits and payments through the API."""

from __future__ import annotations

from tests.conftest import Demo
from tests.payments.helpers import bill, check_with, pay


async def test_cash_payment_with_change_closes_the_check(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    b = await bill(demo, check["id"])
    # inclusive VAT: food 13.50 at 7 % contains 0.88; wine 13.00 at 19 % contains 2.08
    assert b["total"] == 1350 + 1300 and b["due"] == 2650
    assert [(t["rate_bp"], t["base"], t["tax"]) for t in b["taxes"]] == [
        (700, 1262, 88),
        (1900, 1092, 208),
    ]
    result = await pay(demo, check["id"], method="cash", amount=3000)
    assert result["payment"]["amount"] == 2650 and result["payment"]["change"] == 350
    assert result["bill"]["due"] == 0 and result["bill"]["status"] == "closed"
    floor = (await demo.call("GET", "/api/floor")).json()
    table = next(t for a in floor["areas"] for t in a["tables"] if t["name"] == "12")
    assert table["status"] == "to_clean" and table["open_check"] is None
