"""Approval limits that add up: the discount threshold is on the check's running total."""

from __future__ import annotations

from tests.conftest import Demo
from tests.payments.helpers import approval, bill, check_with


async def discount(demo: Demo, check_id: int, kind: str, value: int, **extra: str) -> int:
    r = await demo.call(
        "POST",
        f"/api/checks/{check_id}/discounts",
        json={"kind": kind, "value": value, "reason": "regular", **extra},
    )
    assert r.status_code in (201, 403), r.text
    if r.status_code == 403:
        assert r.json()["field"] == "approval"
    return int(r.status_code)


async def test_four_small_discounts_cannot_take_a_bill_to_zero_without_a_manager(
    demo: Demo,
) -> None:
    check = await check_with(demo, ("Burger", 4, None))
    assert (await bill(demo, check["id"]))["subtotal"] == 7400
    statuses = [await discount(demo, check["id"], "amount", 2000) for _ in range(4)]
    assert statuses == [403] * 4  # 20.00 of 74.00 is 27 %, above the 20 % limit
    assert (await bill(demo, check["id"]))["total"] == 7400


async def test_the_discount_that_crosses_the_threshold_and_all_after_it_need_approval(
    demo: Demo,
) -> None:
    check = await check_with(demo, ("Ribeye", 4, None), ("Burger", 1, None))  # 156.50
    assert await discount(demo, check["id"], "amount", 1500) == 201  # 15.00: below both
    assert await discount(demo, check["id"], "amount", 1000) == 403  # 25.00 in all
    granted = await approval(demo, "discount")
    assert await discount(demo, check["id"], "amount", 1000, approval=granted) == 201
    assert await discount(demo, check["id"], "amount", 100) == 403  # still above
    b = await bill(demo, check["id"])
    assert (b["subtotal"], b["discount_total"]) == (15650, 2500)
    [approved] = await demo.sql(
        "SELECT count(*) FROM check_adjustments WHERE check_id = :c AND approved_by IS NOT NULL",
        c=check["id"],
    )
    assert approved[0] == 1


async def test_percent_discounts_add_up_too(demo: Demo) -> None:
    check = await check_with(demo, ("Tomato soup", 2, None))  # 17.00
    assert await discount(demo, check["id"], "percent", 1500) == 201
    assert await discount(demo, check["id"], "percent", 1000) == 403  # 15 % then 10 %
    assert (await bill(demo, check["id"]))["discount_total"] == 255
