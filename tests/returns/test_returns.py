"""Returns of closed checks by line: exact refunds, reports reversed per rate, stock,
points, approvals, idempotency; voids of unused sold gift cards."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import text

from tests.conftest import Demo
from tests.payments.helpers import approval, bill, check_with, pay
from tests.payments.test_gift_card_sales import gift_card_item


async def discount(demo: Demo, check_id: int, **body: Any) -> None:
    r = await demo.call("POST", f"/api/checks/{check_id}/discounts", json=body)
    assert r.status_code == 201, r.text


async def give_back(
    demo: Demo, check_id: int, *lines: tuple[int, int], status: int = 201, **extra: Any
) -> dict[str, Any]:
    r = await demo.call(
        "POST",
        f"/api/checks/{check_id}/returns",
        key=extra.pop("key", None),
        json={
            "lines": [{"line_id": i, "quantity": q} for i, q in lines],
            "reason": "sent back",
            **extra,
        },
    )
    assert r.status_code == status, r.text
    return dict(r.json())


async def x_report(demo: Demo) -> dict[str, Any]:
    r = await demo.call("GET", "/api/reports/x", "manager")
    assert r.status_code == 200, r.text
    return dict(r.json())


def rates(report: dict[str, Any]) -> dict[int, tuple[int, int]]:
    return {t["rate_ppm"]: (t["base"], t["tax"]) for t in report["taxes"]}


async def test_a_discounted_line_returned_in_two_steps_refunds_exactly_its_net(
    demo: Demo,
) -> None:
    check = await check_with(demo, ("Burrata", 2, None), ("Espresso", 1, None))
    burrata = (await bill(demo, check["id"]))["lines"][0]["line_id"]
    await discount(demo, check["id"], kind="amount", value=300, reason="late", line_id=burrata)
    b = await bill(demo, check["id"])
    assert (b["total"], rates(b)) == (2690, {70_000: (2243, 157), 190_000: (244, 46)})
    await pay(demo, check["id"], method="cash")

    first = await give_back(demo, check["id"], (burrata, 1))
    # half of the line's 24.00 net; 7 % tax of 12.00 of 24.00: 157 x 1/2 = 78.5 -> 79
    assert first["amount"] == 1200
    assert first["taxes"] == [{"rate_ppm": 70_000, "base": 1121, "tax": 79}]
    assert [(x["quantity"], x["gross"], x["net"]) for x in first["lines"]] == [(1, 1350, 1200)]
    second = await give_back(demo, check["id"], (burrata, 1))
    assert second["amount"] == 1200
    assert second["taxes"] == [{"rate_ppm": 70_000, "base": 1122, "tax": 78}]
    await give_back(demo, check["id"], (burrata, 1), status=409)  # none left

    report = await x_report(demo)
    assert report["sales_total"] == 290
    assert rates(report) == {70_000: (0, 0), 190_000: (244, 46)}
    assert (report["subtotal"], report["discount_total"]) == (290, 0)
    assert report["returns_total"] == 2400 and len(report["returns"]) == 2
    assert report["cash_expected"] == 290
    assert {m["method"]: m["amount"] for m in report["by_method"]} == {"cash": 290}
    payments = (await bill(demo, check["id"]))["payments"]
    assert [p["amount"] for p in payments] == [2690, -1200, -1200]
    assert payments[1]["refund_of"] == payments[0]["id"]
    verified = await demo.call("GET", "/api/journal/verify", "manager")
    assert verified.json()["ok"]


async def test_tax_exclusive_venue_refunds_net_and_tax_of_a_check_discount(demo: Demo) -> None:
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text("UPDATE venues SET tax_inclusive = false WHERE id = :v"), {"v": demo.venue_id}
        )
    check = await check_with(demo, ("Burrata", 3, None), ("Espresso", 2, None))
    burrata, espresso = [line["line_id"] for line in (await bill(demo, check["id"]))["lines"]]
    await discount(demo, check["id"], kind="amount", value=500, reason="regular")
    b = await bill(demo, check["id"])
    # 500 over 40.50 and 5.80: 437.37 and 62.63 -> 437 and 63
    assert [(x["gross"], x["net"]) for x in b["lines"]] == [(4050, 3613), (580, 517)]
    # 7 % of 36.13 = 252.91 -> 253; 19 % of 5.17 = 98.23 -> 98
    assert rates(b) == {70_000: (3613, 253), 190_000: (517, 98)}
    assert b["total"] == 3613 + 517 + 253 + 98
    await pay(demo, check["id"], method="cash")

    back = await give_back(demo, check["id"], (burrata, 1), (espresso, 2))
    # 36.13 / 3 = 12.043 -> 12.04; tax 253 x 1204 / 3613 = 84.31 -> 84; espresso all
    assert [(x["net"], x["tax"]) for x in back["lines"]] == [(1204, 84), (517, 98)]
    assert back["taxes"] == [
        {"rate_ppm": 70_000, "base": 1204, "tax": 84},
        {"rate_ppm": 190_000, "base": 517, "tax": 98},
    ]
    assert back["amount"] == 1204 + 84 + 517 + 98
    rest = await give_back(demo, check["id"], (burrata, 2), approval=await approval(demo, "return"))
    assert rest["amount"] == (3613 - 1204) + (253 - 84)
    report = await x_report(demo)
    assert report["sales_total"] == 0 and rates(report) == {70_000: (0, 0), 190_000: (0, 0)}


async def test_a_manual_line_with_a_check_percent_discount_and_service_charge(
    demo: Demo,
) -> None:
    check = await check_with(demo, ("Tomato soup", 3, None), covers=6)  # service charge 10 %
    [soup] = [line["line_id"] for line in (await bill(demo, check["id"]))["lines"]]
    await discount(demo, check["id"], kind="percent", value=1000, reason="regular")
    b = await bill(demo, check["id"])
    # 25.50 less 10 % = 22.95; service 2.30 (229.5 -> 230); 7 % inside 22.95 = 150.14 -> 150
    assert (b["total"], b["service_charge"], rates(b)) == (2525, 230, {70_000: (2145, 150)})
    await pay(demo, check["id"], method="cash")
    back = await give_back(demo, check["id"], (soup, 1))
    # 22.95 / 3 = 7.65; service 230 x 765 / 2295 = 76.67 -> 77; tax 150 / 3 = 50
    assert (back["amount"], back["service_charge"]) == (765 + 77, 77)
    assert back["taxes"] == [{"rate_ppm": 70_000, "base": 715, "tax": 50}]


async def test_a_big_return_needs_a_manager_and_a_retry_changes_nothing_twice(
    demo: Demo,
) -> None:
    check = await check_with(demo, ("Ribeye", 2, None))
    b = await bill(demo, check["id"])
    line = b["lines"][0]["line_id"]
    await pay(demo, check["id"], method="cash")
    refused = await give_back(demo, check["id"], (line, 1), status=403)
    assert refused["field"] == "approval"
    granted = await approval(demo, "return")
    made = await give_back(demo, check["id"], (line, 1), approval=granted, key="ret-1")
    again = await give_back(demo, check["id"], (line, 1), approval=granted, key="ret-1")
    assert again["id"] == made["id"] and made["approved_by"] is not None
    listed = await demo.call("GET", f"/api/checks/{check['id']}/returns")
    assert [r["id"] for r in listed.json()] == [made["id"]]
    assert [p["amount"] for p in (await bill(demo, check["id"]))["payments"]][1:] == [
        -made["amount"]
    ]


async def test_an_open_check_or_an_unknown_line_is_refused(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, None))
    line = (await bill(demo, check["id"]))["lines"][0]["line_id"]
    assert (await give_back(demo, check["id"], (line, 1), status=409))["field"] == "check_id"
    await pay(demo, check["id"], method="cash")
    assert (await give_back(demo, check["id"], (line, 2), status=409))["field"] == "lines"
    assert (await give_back(demo, check["id"], (line + 999, 1), status=409))["field"] == "lines"
    r = await demo.call("POST", f"/api/checks/{check['id']}/returns", json={"lines": []})
    assert r.status_code == 422


async def test_cash_tender_refunds_a_gift_card_paid_check_in_cash(demo: Demo) -> None:
    r = await demo.call("POST", "/api/gift-cards", "manager", json={"code": "G1", "balance": 5000})
    assert r.status_code == 201
    check = await check_with(demo, ("Burrata", 1, None))
    line = (await bill(demo, check["id"]))["lines"][0]["line_id"]
    await pay(demo, check["id"], method="gift_card", gift_card_code="G1")
    back = await give_back(demo, check["id"], (line, 1), tender="cash")
    payments = (await bill(demo, check["id"]))["payments"]
    assert [(p["method"], p["amount"]) for p in payments] == [("gift_card", 1350), ("cash", -1350)]
    assert back["payment_ids"] == [payments[1]["id"]]
    card = (await demo.call("GET", "/api/gift-cards/G1")).json()
    assert card["balance"] == 5000 - 1350  # the guest got cash, not the card back


async def test_original_tender_gives_a_gift_card_back_its_value(demo: Demo) -> None:
    r = await demo.call("POST", "/api/gift-cards", "manager", json={"code": "G2", "balance": 1000})
    assert r.status_code == 201
    check = await check_with(demo, ("Burrata", 1, None))
    line = (await bill(demo, check["id"]))["lines"][0]["line_id"]
    await pay(demo, check["id"], method="gift_card", gift_card_code="G2")  # 10.00
    await pay(demo, check["id"], method="cash")  # 3.50
    await give_back(demo, check["id"], (line, 1))
    payments = (await bill(demo, check["id"]))["payments"]
    assert [(p["method"], p["amount"]) for p in payments][2:] == [
        ("cash", -350),
        ("gift_card", -1000),
    ]
    assert (await demo.call("GET", "/api/gift-cards/G2")).json()["balance"] == 1000


async def test_stock_and_points_come_back(demo: Demo) -> None:
    r = await demo.call(
        "POST", "/api/stock/items", "manager", json={"name": "Mozzarella", "unit": "g"}
    )
    assert r.status_code == 201, r.text
    stock_id = r.json()["id"]
    burrata = (await demo.item("Burrata"))["id"]
    r = await demo.call(
        "PUT",
        f"/api/stock/recipes/{burrata}",
        "manager",
        json={"lines": [{"stock_item_id": stock_id, "quantity": 125}]},
    )
    assert r.status_code == 200, r.text
    r = await demo.call(
        "POST",
        "/api/stock/counts",
        "manager",
        json={"counts": [{"stock_item_id": stock_id, "on_hand": 1000}]},
    )
    assert r.status_code in (200, 201), r.text
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text(
                'UPDATE venues SET settings = settings || \'{"loyalty": {"earn_per": 100,'
                ' "point_value": 10}}\' WHERE id = :v'
            ),
            {"v": demo.venue_id},
        )
    check = await check_with(demo, ("Burrata", 2, None))
    line = (await bill(demo, check["id"]))["lines"][0]["line_id"]
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/guest",
        json={"name": "Ada", "phone": "+49 30 1234567"},
    )
    assert r.status_code in (200, 201), r.text
    r = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert r.status_code in (200, 201), r.text
    await pay(demo, check["id"], method="cash")  # 27.00: 27 points
    [(on_hand,)] = await demo.sql("SELECT on_hand FROM stock_items WHERE id = :i", i=stock_id)
    assert on_hand == 750
    [(points,)] = await demo.sql("SELECT points FROM guests WHERE venue_id = :v", v=demo.venue_id)
    assert points == 27
    back = await give_back(demo, check["id"], (line, 1))
    assert back["points"] == 14  # 27 x 13.50 / 27.00 = 13.5 -> 14
    [(on_hand,)] = await demo.sql("SELECT on_hand FROM stock_items WHERE id = :i", i=stock_id)
    assert on_hand == 875
    back = await give_back(demo, check["id"], (line, 1), restock=False)
    assert back["points"] == 13
    [(points,)] = await demo.sql("SELECT points FROM guests WHERE venue_id = :v", v=demo.venue_id)
    assert points == 0
    [(on_hand,)] = await demo.sql("SELECT on_hand FROM stock_items WHERE id = :i", i=stock_id)
    assert on_hand == 875


async def test_voiding_an_unused_sold_gift_card_refunds_its_sale(demo: Demo) -> None:
    await gift_card_item(demo)
    check = await check_with(demo, ("Gift card", 2, None))
    await pay(demo, check["id"], method="cash")
    cards = (await demo.call("GET", f"/api/checks/{check['id']}/gift-cards")).json()
    line = (await bill(demo, check["id"]))["lines"][0]["line_id"]
    assert (await give_back(demo, check["id"], (line, 1), status=409))["field"] == "lines"
    url = f"/api/gift-cards/{cards[0]['code']}/void"
    assert (await demo.call("POST", url, "waiter", json={"reason": "x"})).status_code == 403
    r = await demo.call("POST", url, "manager", json={"reason": "bought by mistake"})
    assert r.status_code == 200, r.text
    voided = r.json()
    assert voided["amount"] == 5000 and voided["refund"]["amount"] == 5000
    assert (await demo.call("GET", f"/api/gift-cards/{cards[0]['code']}")).json()["balance"] == 0
    again = await demo.call("POST", url, "manager", json={"reason": "again"})
    assert again.status_code == 409 and again.json()["field"] == "code"
    rows = await demo.sql(
        "SELECT data->>'movement', (data->>'amount')::int FROM journal "
        "WHERE venue_id = :v AND kind = 'gift_card' ORDER BY seq",
        v=demo.venue_id,
    )
    assert [tuple(r) for r in rows][-1] == ("void", -5000)
    report = await x_report(demo)
    assert report["sales_total"] == 5000 and report["cash_expected"] == 5000

    other = await check_with(demo, ("Burrata", 1, None), table="11")
    await pay(demo, other["id"], method="gift_card", gift_card_code=cards[1]["code"])
    spent = await demo.call(
        "POST", f"/api/gift-cards/{cards[1]['code']}/void", "manager", json={"reason": "x"}
    )
    assert spent.status_code == 409 and spent.json()["field"] == "code"


async def test_a_card_paid_check_is_refunded_to_the_card_through_the_provider(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = await check_with(demo, ("Burrata", 1, None), ("Espresso", 1, None))
    lines = {x["name"]: x["line_id"] for x in (await bill(demo, check["id"]))["lines"]}
    card = await pay(demo, check["id"], method="card")
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    r = await demo.call("POST", f"/api/payments/{card['payment']['id']}/poll")
    assert r.json()["bill"]["status"] == "closed"
    back = await give_back(demo, check["id"], (lines["Espresso"], 1))
    [refund] = [p for p in (await bill(demo, check["id"]))["payments"] if p["amount"] < 0]
    assert back["payment_ids"] == [refund["id"]]
    assert (refund["method"], refund["amount"], refund["status"]) == ("card", -290, "approved")
    assert refund["refund_of"] == card["payment"]["id"]
    report = await x_report(demo)
    assert {m["method"]: m["amount"] for m in report["by_method"]} == {"card": 1350}
    assert report["sales_total"] == 1350


async def test_the_sales_report_takes_returns_off_by_rate_item_and_method(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 2, None), ("Espresso", 1, None))
    burrata = (await bill(demo, check["id"]))["lines"][0]["line_id"]
    await pay(demo, check["id"], method="cash")
    await give_back(demo, check["id"], (burrata, 1), tender="cash")
    day = (await x_report(demo))["business_date"]

    async def report(group: str) -> dict[str, Any]:
        r = await demo.call(
            "GET", f"/api/reports/sales?from={day}&to={day}&group={group}", "manager"
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    by_rate = await report("tax_rate")
    assert (by_rate["checks"], by_rate["total"]) == (1, 2990 - 1350)
    # 7 %: 27.00 with 1.77 tax, less 13.50 with 0.88 (177 x 1/2 = 88.5 -> 89) ... exact
    rows = {r["key"]: (r["quantity"], r["total"], r["tax"]) for r in by_rate["rows"]}
    assert rows == {"70000": (1, 1350, 177 - 89), "190000": (1, 290, 46)}
    items = {r["key"]: (r["quantity"], r["net"]) for r in (await report("item"))["rows"]}
    assert items == {"Burrata": (1, 1350), "Espresso": (1, 290)}
    methods = {r["key"]: r["total"] for r in (await report("payment_method"))["rows"]}
    assert methods == {"cash": 1640}
    days = (await report("day"))["rows"]
    assert [(r["checks"], r["total"]) for r in days] == [(1, 1640)]
