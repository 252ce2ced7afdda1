"""Bills, splits and payments through the API."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import text

from pos_service.core.db import now_utc
from tests.conftest import Demo
from tests.payments.helpers import approval, bill, check_with, pay, run_task


async def test_cash_payment_with_change_closes_the_check(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    b = await bill(demo, check["id"])
    # inclusive VAT: food 13.50 at 7 % contains 0.88; wine 13.00 at 19 % contains 2.08
    assert b["total"] == 1350 + 1300 and b["due"] == 2650
    assert [(t["rate_ppm"], t["base"], t["tax"]) for t in b["taxes"]] == [
        (70_000, 1262, 88),
        (190_000, 1092, 208),
    ]
    result = await pay(demo, check["id"], method="cash", amount=3000)
    assert result["payment"]["amount"] == 2650 and result["payment"]["change"] == 350
    assert result["bill"]["due"] == 0 and result["bill"]["status"] == "closed"
    floor = (await demo.call("GET", "/api/floor")).json()
    table = next(t for a in floor["areas"] for t in a["tables"] if t["name"] == "12")
    assert table["status"] == "to_clean" and table["open_check"] is None


async def test_inclusive_split_gives_each_part_its_tax_per_rate(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    r = await demo.call("POST", f"/api/checks/{check['id']}/split", json={"mode": "even", "n": 2})
    assert r.status_code == 200, r.text
    parts = r.json()["parts"]
    # burrata 13.50 -> 6.75 each, wine 13.00 -> 6.50 each: 13.25 per part
    # 7 %: 0.88 over 6.75 : 6.75 -> 0.44 each; 19 %: 2.08 over 6.50 : 6.50 -> 1.04 each
    assert [p["amount"] for p in parts] == [1325, 1325]
    for part in parts:
        assert [(t["rate_ppm"], t["base"], t["tax"]) for t in part["taxes"]] == [
            (70_000, 631, 44),
            (190_000, 546, 104),
        ]
        assert (part["paid"], part["due"]) == (0, 1325)
    assert r.json()["rest"]["amount"] == 0


async def test_exclusive_tax_by_seat_matches_the_hand_calculation(demo: Demo) -> None:
    async with demo.sessions() as session, session.begin():
        await session.execute(text("UPDATE venues SET tax_inclusive = false"))
    check = await check_with(demo, ("Burger", 1, 1), ("Cola", 2, 2), ("Garlic bread", 1, None))
    b = await bill(demo, check["id"])
    # food 18.50 + 5.50 = 24.00 at 7 % = 1.68; drinks 2 x 4.20 = 8.40 at 19 % = 1.596 -> 1.60
    assert [(t["rate_ppm"], t["base"], t["tax"]) for t in b["taxes"]] == [
        (70_000, 2400, 168),
        (190_000, 840, 160),
    ]
    assert b["total"] == 2400 + 840 + 168 + 160
    r = await demo.call("POST", f"/api/checks/{check['id']}/split", json={"mode": "seat"})
    assert r.status_code == 200, r.text
    seat1, seat2 = r.json()["parts"]
    # garlic bread 5.50 shared: 2.75 each. seat 1 food 21.25, seat 2 food 2.75 + drinks 8.40
    # 7 % tax 1.68 over 21.25 : 2.75 = 1.4875 : 0.1925 -> 1.49 + 0.19
    assert [(t["rate_ppm"], t["base"], t["tax"]) for t in seat1["taxes"]] == [(70_000, 2125, 149)]
    assert [(t["rate_ppm"], t["base"], t["tax"]) for t in seat2["taxes"]] == [
        (70_000, 275, 19),
        (190_000, 840, 160),
    ]
    assert (seat1["amount"], seat2["amount"]) == (2125 + 149, 275 + 840 + 19 + 160)
    assert seat1["amount"] + seat2["amount"] == b["total"]


async def test_discounts_over_the_threshold_and_comps_need_a_manager(demo: Demo) -> None:
    check = await check_with(demo, ("Ribeye", 1, 1), ("Tiramisu", 1, 1), covers=6)
    url = f"/api/checks/{check['id']}"
    small = {"kind": "percent", "value": 1000, "reason": "regular"}
    r = await demo.call("POST", f"{url}/discounts", json=small)
    assert r.status_code == 201, r.text
    big = {"kind": "amount", "value": 2500, "reason": "birthday"}
    r = await demo.call("POST", f"{url}/discounts", json=big)
    assert r.status_code == 403 and r.json()["field"] == "approval"
    r = await demo.call(
        "POST", f"{url}/discounts", json={**big, "approval": await approval(demo, "discount")}
    )
    assert r.status_code == 201, r.text
    tiramisu = next(line for line in r.json()["lines"] if line["name"] == "Tiramisu")
    r = await demo.call(
        "POST", f"{url}/comps", json={"line_id": tiramisu["line_id"], "reason": "late"}
    )
    assert r.status_code == 403
    r = await demo.call(
        "POST",
        f"{url}/comps",
        json={
            "line_id": tiramisu["line_id"],
            "reason": "late",
            "approval": await approval(demo, "comp"),
        },
    )
    assert r.status_code == 201, r.text
    b = r.json()
    # ribeye 34.50 (comped tiramisu is out): -10 % = 31.05, then -25.00 = 6.05;
    # six covers: 10 % service charge on 6.05 = 0.605 -> 0.61 (untaxed)
    assert b["comps"] == [
        {"line_id": tiramisu["line_id"], "name": "Tiramisu", "value": 850, "reason": "late"}
    ]
    assert (b["subtotal"], b["discount_total"], b["service_charge"]) == (3450, 3450 - 605, 61)
    assert b["total"] == 605 + 61
    assert [d["reason"] for d in b["discounts"]] == ["regular", "birthday"]


async def test_paid_parts_stay_when_the_rest_is_split_again_or_the_bill_changes(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    url = f"/api/checks/{check['id']}"
    parts = (await demo.call("POST", f"{url}/split", json={"mode": "even", "n": 2})).json()["parts"]
    await pay(demo, check["id"], method="cash", part_id=parts[0]["id"], amount=1000)
    # the held part cannot be re-split, the others can; the held part is kept intact
    r = await demo.call(
        "POST", f"{url}/split", json={"mode": "even", "n": 2, "part_id": parts[0]["id"]}
    )
    assert r.status_code == 409 and r.json()["field"] == "part_id"
    r = await demo.call("POST", f"{url}/split", json={"mode": "custom", "amounts": [1000, 325]})
    assert r.status_code == 200, r.text
    after = r.json()["parts"]
    assert after[0] == {**parts[0], "paid": 1000, "due": 325}
    assert [p["amount"] for p in after[1:]] == [1000, 325]
    # a line added after the split: the unpaid parts go, the held part stays, the rest is due
    await demo.add(check["id"], "Espresso")
    b = await bill(demo, check["id"])
    assert [p["id"] for p in b["parts"]] == [parts[0]["id"]]
    assert b["rest"]["amount"] == 2650 + 290 - 1325
    r = await demo.call(
        "POST", f"{url}/payments", json={"method": "cash", "part_id": after[1]["id"]}
    )
    assert r.status_code == 409 and r.json()["field"] == "part_id"
    result = await pay(demo, check["id"], method="cash")
    assert result["bill"]["due"] == 325 and result["bill"]["status"] == "open"
    result = await pay(demo, check["id"], method="cash", part_id=parts[0]["id"])
    assert result["bill"]["due"] == 0 and result["bill"]["status"] == "closed"


async def test_paying_more_than_is_due_is_refused_except_cash_and_no_tip_on_a_gift_card(
    demo: Demo,
) -> None:
    check = await check_with(demo, ("Espresso", 1, None))
    r = await demo.call(
        "POST", f"/api/checks/{check['id']}/payments", json={"method": "card", "amount": 291}
    )
    assert r.status_code == 422 and r.json()["field"] == "amount" and r.json()["due"] == 290
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/payments",
        json={"method": "gift_card", "gift_card_code": "ANY", "amount": 100, "tip": 50},
    )
    assert r.status_code == 422 and r.json()["field"] == "tip"
    result = await pay(demo, check["id"], method="cash", amount=200, tendered=500)
    assert (result["payment"]["change"], result["bill"]["due"]) == (300, 90)


async def test_card_payment_is_pending_until_the_terminal_answers(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    parts = (
        await demo.call(
            "POST",
            f"/api/checks/{check['id']}/split",
            json={"mode": "custom", "amounts": [1013, 1014, 623]},
        )
    ).json()["parts"]
    declined = await pay(demo, check["id"], method="card", part_id=parts[0]["id"])
    assert declined["payment"]["status"] == "pending" and declined["bill"]["pending"] == 1013
    # while pending, nobody else pays that part
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/payments",
        json={"method": "cash", "part_id": parts[0]["id"]},
    )
    assert r.status_code == 409
    silent = await pay(demo, check["id"], method="card", part_id=parts[1]["id"])
    approved = await pay(demo, check["id"], method="card", part_id=parts[2]["id"], tip=100)
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    r = await demo.call("POST", f"/api/payments/{approved['payment']['id']}/poll")
    assert r.status_code == 200, r.text
    payment = r.json()["payment"]
    assert payment["status"] == "approved" and payment["tip"] == 100
    assert payment["brand"] and len(payment["last4"]) == 4
    r = await demo.call("POST", f"/api/payments/{declined['payment']['id']}/poll")
    assert r.json()["payment"]["status"] == "declined"
    # the terminal that never answers is timed out by the scheduled task
    assert await run_task(demo, "resolve_card_payments") == 0
    later = now_utc() + dt.timedelta(minutes=5)
    assert await run_task(demo, "resolve_card_payments", later) == 1
    b = await bill(demo, check["id"])
    states = {p["id"]: (p["status"], p["reason"]) for p in b["payments"]}
    assert states[silent["payment"]["id"]] == ("declined", "no answer from the terminal")
    assert (b["paid"], b["pending"], b["due"], b["tips"]) == (623, 0, 2650 - 623, 100)


async def test_a_double_submitted_card_payment_charges_once(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1))
    body: dict[str, Any] = {"method": "card", "amount": 500}
    first = await pay(demo, check["id"], key="pay-1", **body)
    again = await pay(demo, check["id"], key="pay-1", **body)
    assert again["payment"]["id"] == first["payment"]["id"]
    terminal: dict[str, Any] = {"method": "card", "amount": 400, "reference": "TRM-0042"}
    await pay(demo, check["id"], key="pay-2", **terminal)
    r = await demo.call("POST", f"/api/checks/{check['id']}/payments", key="pay-3", json=terminal)
    assert r.status_code == 409 and r.json()["field"] == "reference"
    payments = (await bill(demo, check["id"]))["payments"]
    assert [(p["amount"], p["reference"] == "TRM-0042") for p in payments] == [
        (500, False),
        (400, True),
    ]


async def test_two_guests_paying_the_same_part_at_once(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    parts = (
        await demo.call("POST", f"/api/checks/{check['id']}/split", json={"mode": "seat"})
    ).json()["parts"]
    link = (await demo.call("POST", f"/api/checks/{check['id']}/guest-link")).json()
    results = await asyncio.gather(
        *(
            demo.client.post(
                f"/api/guest/{link['token']}/payments", json={"part_id": parts[1]["id"], "tip": tip}
            )
            for tip in (100, 200)
        )
    )
    assert sorted(r.status_code for r in results) == [201, 409]
    b = await bill(demo, check["id"])
    assert [(p["part_id"], p["amount"]) for p in b["payments"]] == [(parts[1]["id"], 1300)]


async def test_cash_payments_of_the_same_part_at_once(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1))
    results = await asyncio.gather(
        *(
            demo.call("POST", f"/api/checks/{check['id']}/payments", role, json={"method": "cash"})
            for role in ("waiter", "waiter2")
        )
    )
    assert sorted(r.status_code for r in results) == [201, 409]
    assert [p["amount"] for p in (await bill(demo, check["id"]))["payments"]] == [1350]


async def test_gift_cards_are_redeemed_atomically_and_never_go_negative(demo: Demo) -> None:
    r = await demo.call("POST", "/api/gift-cards", json={"code": "GIFT-1", "balance": 2000})
    assert r.status_code == 403
    r = await demo.call(
        "POST", "/api/gift-cards", "manager", json={"code": "GIFT-1", "balance": 2000}
    )
    assert r.status_code == 201, r.text
    expired = {"code": "OLD", "balance": 5000, "expires_at": "2020-01-01T00:00:00Z"}
    assert (await demo.call("POST", "/api/gift-cards", "manager", json=expired)).status_code == 201
    checks = [await check_with(demo, ("Burrata", 1, 1), table=t) for t in ("1", "2")]
    results = await asyncio.gather(
        *(
            demo.call(
                "POST",
                f"/api/checks/{c['id']}/payments",
                json={"method": "gift_card", "gift_card_code": "GIFT-1", "amount": 1200},
            )
            for c in checks
        )
    )
    assert sorted(r.status_code for r in results) == [201, 422]
    refused = next(r for r in results if r.status_code == 422).json()
    assert refused["field"] == "amount" and refused["balance"] == 800
    card = (await demo.call("GET", "/api/gift-cards/GIFT-1")).json()
    assert card["balance"] == 800
    r = await demo.call(
        "POST",
        f"/api/checks/{checks[0]['id']}/payments",
        json={"method": "gift_card", "gift_card_code": "OLD", "amount": 100},
    )
    assert r.status_code == 422 and r.json()["field"] == "gift_card_code"


async def test_refunds_are_negative_payments_by_a_manager(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    check = await check_with(demo, ("Burrata", 1, 1))
    cash = await pay(demo, check["id"], method="cash", amount=350)
    card = await pay(demo, check["id"], method="card")
    r = await demo.call("POST", f"/api/payments/{card['payment']['id']}/poll")
    assert r.json()["bill"]["status"] == "closed"
    url = f"/api/checks/{check['id']}/refunds"
    body = {"payment_id": cash["payment"]["id"], "amount": 200, "reason": "overcharged"}
    assert (await demo.call("POST", url, json=body)).status_code == 403
    r = await demo.call("POST", url, "manager", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["payment"]["amount"] == -200 and r.json()["bill"]["paid"] == 1150
    r = await demo.call("POST", url, "manager", json={**body, "amount": 151})
    assert r.status_code == 422 and r.json()["field"] == "amount"
    r = await demo.call(
        "POST", url, "manager", json={"payment_id": card["payment"]["id"], "reason": "x"}
    )
    assert r.status_code == 201 and r.json()["payment"]["amount"] == -1000


async def test_receipt_page_and_email(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    await pay(demo, check["id"], method="cash", amount=3000)
    r = await demo.call("GET", f"/api/checks/{check['id']}/receipt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "Trattoria Demo" in page and "Burrata" in page and "€26.50" in page
    assert "Change" in page and "€3.50" in page
    r = await demo.call(
        "POST", f"/api/checks/{check['id']}/receipt/email", json={"to": "guest@example.com"}
    )
    assert r.status_code == 202, r.text
    queued = await demo.sql("SELECT to_address, subject FROM mail_outbox")
    assert [tuple(row) for row in queued] == [
        ("guest@example.com", "Your receipt from Trattoria Demo")
    ]
