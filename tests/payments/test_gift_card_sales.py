"""Gift cards sold as menu items, used in part, refunded back, every movement journaled."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from tests.conftest import Demo
from tests.payments.helpers import bill, check_with, pay


async def gift_card_item(demo: Demo, price: int = 5000) -> None:
    """A category without a station and an item selling gift cards, flagged by a manager."""
    async with demo.sessions() as session, session.begin():
        category = await session.scalar(
            text(
                "INSERT INTO categories (venue_id, name, position, default_course) "
                "VALUES (:v, 'Vouchers', 99, 'drinks') RETURNING id"
            ),
            {"v": demo.venue_id},
        )
        item = await session.scalar(
            text(
                "INSERT INTO items (venue_id, category_id, name, price, tax_rate_ppm) "
                "VALUES (:v, :c, 'Gift card', :p, 0) RETURNING id"
            ),
            {"v": demo.venue_id, "c": category, "p": price},
        )
    url = f"/api/menu/items/{item}"
    assert (await demo.call("PATCH", url, "kitchen", json={"gift_card": True})).status_code == 403
    r = await demo.call("PATCH", url, "manager", json={"gift_card": True})
    assert r.status_code == 200 and r.json()["gift_card"], r.text


async def movements(demo: Demo) -> list[tuple[Any, ...]]:
    rows = await demo.sql(
        "SELECT data->>'movement', (data->>'amount')::int, (data->>'balance')::int FROM journal "
        "WHERE venue_id = :v AND kind = 'gift_card' ORDER BY seq",
        v=demo.venue_id,
    )
    return [tuple(r) for r in rows]


async def test_paying_a_check_that_sold_gift_cards_issues_them(demo: Demo) -> None:
    await gift_card_item(demo)
    check = await check_with(demo, ("Gift card", 2, None), ("Espresso", 1, None))
    assert (await demo.call("GET", f"/api/checks/{check['id']}/gift-cards")).json() == []
    await pay(demo, check["id"], method="cash")

    r = await demo.call("GET", f"/api/checks/{check['id']}/gift-cards")
    cards = r.json()
    assert [c["balance"] for c in cards] == [5000, 5000]
    assert len({c["code"] for c in cards}) == 2 and all(c["expires_at"] for c in cards)
    assert await movements(demo) == [("issue", 5000, 5000), ("issue", 5000, 5000)]

    other = await check_with(demo, ("Burrata", 1, None), table="11")
    used = await pay(demo, other["id"], method="gift_card", gift_card_code=cards[0]["code"])
    assert used["payment"]["amount"] == 1350 and used["bill"]["status"] == "closed"
    card = (await demo.call("GET", f"/api/gift-cards/{cards[0]['code']}")).json()
    assert card["balance"] == 3650
    refund = await demo.call(
        "POST",
        f"/api/checks/{other['id']}/refunds",
        "manager",
        json={"payment_id": used["payment"]["id"], "reason": "wrong card"},
    )
    assert refund.status_code == 201, refund.text
    card = (await demo.call("GET", f"/api/gift-cards/{cards[0]['code']}")).json()
    assert card["balance"] == 5000
    assert (await movements(demo))[2:] == [("redeem", -1350, 3650), ("refund", 1350, 5000)]
    verified = await demo.call("GET", "/api/journal/verify", "manager")
    assert verified.json()["ok"]


async def test_a_card_holding_less_than_the_bill_pays_what_it_holds(demo: Demo) -> None:
    r = await demo.call("POST", "/api/gift-cards", "manager", json={"code": "TEN", "balance": 1000})
    assert r.status_code == 201
    check = await check_with(demo, ("Burrata", 1, None))
    part = await pay(demo, check["id"], method="gift_card", gift_card_code="TEN")
    assert (part["payment"]["amount"], part["bill"]["due"]) == (1000, 350)
    empty = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/payments",
        json={"method": "gift_card", "gift_card_code": "TEN"},
    )
    assert empty.status_code == 422 and empty.json()["field"] == "gift_card_code"
    await pay(demo, check["id"], method="cash")
    assert (await bill(demo, check["id"]))["status"] == "closed"
    assert await movements(demo) == [("issue", 1000, 1000), ("redeem", -1000, 0)]


async def test_two_checks_draining_one_card_at_once_never_take_it_below_zero(
    demo: Demo,
) -> None:
    r = await demo.call("POST", "/api/gift-cards", "manager", json={"code": "G", "balance": 2000})
    assert r.status_code == 201
    checks = [await check_with(demo, ("Burrata", 1, None), table=t) for t in ("1", "2")]

    answers = await asyncio.gather(
        *(
            demo.call(
                "POST",
                f"/api/checks/{c['id']}/payments",
                json={"method": "gift_card", "gift_card_code": "G"},
            )
            for c in checks
        )
    )

    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert sorted(a.json()["payment"]["amount"] for a in answers) == [650, 1350]
    assert (await demo.call("GET", "/api/gift-cards/G")).json()["balance"] == 0
    assert sorted(m[2] for m in await movements(demo)) == [0, 650, 2000]
