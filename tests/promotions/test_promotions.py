"""Promotions and day-part prices on real bills: exact amounts, per tax rate."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from pos_service.orders import service as orders
from tests.conftest import Demo
from tests.payments.helpers import bill, check_with, pay

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = dt.date(2026, 12, 4)
HAPPY_HOUR = [{"weekdays": [1, 2, 3, 4, 5, 6, 7], "starts": "17:00:00", "ends": "19:00:00"}]


def at(hour: int, minute: int, day: dt.date = FRIDAY) -> dt.datetime:
    """A Berlin wall-clock time, as the aware UTC instant the server stores."""
    return dt.datetime.combine(day, dt.time(hour, minute), BERLIN).astimezone(dt.UTC)


async def category_id(demo: Demo, name: str) -> int:
    for category in (await demo.menu())["categories"]:
        if category["name"] == name:
            return int(category["id"])
    raise KeyError(name)


async def promotion(demo: Demo, status: int = 201, **body: Any) -> dict[str, Any]:
    r = await demo.call("POST", "/api/promotions", "manager", json=body)
    assert r.status_code == status, r.text
    return dict(r.json())


async def ordered_at(demo: Demo, check_id: int, when: dt.datetime) -> None:
    """Say the check's lines were ordered at ``when`` (the condition time of promotions)."""
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text("UPDATE check_lines SET created_at = :t WHERE check_id = :c"),
            {"t": when, "c": check_id},
        )


def amounts(b: dict[str, Any]) -> dict[str, Any]:
    return {
        "nets": [line["net"] for line in b["lines"]],
        "taxes": [(t["rate_ppm"], t["base"], t["tax"]) for t in b["taxes"]],
        "total": b["total"],
    }


async def tax_exclusive(demo: Demo) -> None:
    async with demo.sessions() as session, session.begin():
        await session.execute(text("UPDATE venues SET tax_inclusive = false"))


async def test_a_day_part_price_is_fixed_when_the_line_is_ordered(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    beer = await demo.item("Draft beer")
    r = await demo.call(
        "POST",
        "/api/promotions/prices",
        "manager",
        json={"item_id": beer["id"], "name": "Happy hour", "price": 300, "windows": HAPPY_HOUR},
    )
    assert r.status_code == 201, r.text
    check = await demo.open_check()
    for moment in (at(16, 59), at(17, 1)):
        monkeypatch.setattr(orders, "now_utc", lambda moment=moment: moment)
        r = await demo.add(check["id"], "Draft beer", 1, ("0.2 l",))
        assert r.status_code == 201, r.text
    b = await bill(demo, check["id"])
    assert [line["gross"] for line in b["lines"]] == [480, 300]
    # 7.80 at 19 % contains 1.245 -> 1.25
    assert amounts(b) == {"nets": [480, 300], "taxes": [(190_000, 655, 125)], "total": 780}
    # the price stays with the line when the day-part price changes or goes
    r = await demo.call(
        "DELETE", f"/api/promotions/prices/{r.json()['id']}", "manager", params={"version": 1}
    )
    assert r.status_code == 200, r.text
    assert (await bill(demo, check["id"]))["total"] == 780


async def test_happy_hour_percent_off_by_the_time_each_line_was_ordered(demo: Demo) -> None:
    drinks = await category_id(demo, "Drinks")
    await promotion(
        demo,
        name="Happy hour",
        kind="percent_off",
        percent_bp=5000,
        category_ids=[drinks],
        windows=HAPPY_HOUR,
    )
    early = await check_with(demo, ("House red", 1, None), table="12")
    late = await check_with(demo, ("House red", 1, None), table="14")
    await ordered_at(demo, early["id"], at(16, 59))
    await ordered_at(demo, late["id"], at(17, 1))
    assert (await bill(demo, early["id"]))["total"] == 650
    b = await bill(demo, late["id"])
    # 3.25 at 19 % contains 0.519 -> 0.52
    assert amounts(b) == {"nets": [325], "taxes": [(190_000, 273, 52)], "total": 325}
    assert [(p["name"], p["amount"]) for p in b["promotions"]] == [("Happy hour", 325)]


async def test_two_for_one_with_three_charges_two_and_a_void_reverses_it(demo: Demo) -> None:
    beer = await demo.item("Draft beer")
    await promotion(demo, name="2 for 1", kind="buy_n_get_m", buy=1, get=1, item_ids=[beer["id"]])
    one_line = await check_with(demo, ("Draft beer", 3, None), table="12")
    b = await bill(demo, one_line["id"])
    assert amounts(b) == {"nets": [960], "taxes": [(190_000, 807, 153)], "total": 960}
    assert [(p["name"], p["amount"]) for p in b["promotions"]] == [("2 for 1", 480)]

    three = await check_with(
        demo, ("Draft beer", 1, 1), ("Draft beer", 1, 2), ("Draft beer", 1, 3), table="14"
    )
    b = await bill(demo, three["id"])
    # the free beer is shared by the pair it belongs to: what a returned line gives back
    assert amounts(b) == {"nets": [240, 240, 480], "taxes": [(190_000, 807, 153)], "total": 960}
    first = b["lines"][0]["line_id"]
    r = await demo.call(
        "POST",
        f"/api/checks/{three['id']}/lines/{first}/void",
        "manager",
        json={"reason": "returned"},
    )
    assert r.status_code == 200, r.text
    b = await bill(demo, three["id"])
    assert amounts(b) == {"nets": [240, 240], "taxes": [(190_000, 403, 77)], "total": 480}


async def test_a_combo_price_under_inclusive_and_exclusive_tax(demo: Demo) -> None:
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
    # 18.50 + 4.20 = 22.70 for 20.00: 2.70 off, 2.20 of it on the burger, 0.50 on the cola
    assert amounts(b) == {
        "nets": [1630, 370],
        "taxes": [(70_000, 1523, 107), (190_000, 311, 59)],
        "total": 2000,
    }
    assert [(p["line_id"], p["amount"]) for p in b["promotions"]] == [
        (b["lines"][0]["line_id"], 220),
        (b["lines"][1]["line_id"], 50),
    ]
    r = await demo.call("GET", f"/api/checks/{check['id']}/receipt")
    assert r.status_code == 200, r.text
    assert "Burger menu" in r.text and "2.70" in r.text
    await tax_exclusive(demo)
    b = await bill(demo, check["id"])
    # 16.30 x 7 % = 1.141 -> 1.14; 3.70 x 19 % = 0.703 -> 0.70
    assert amounts(b) == {
        "nets": [1630, 370],
        "taxes": [(70_000, 1630, 114), (190_000, 370, 70)],
        "total": 2184,
    }


async def test_percent_off_a_category_leaves_the_others(demo: Demo) -> None:
    await tax_exclusive(demo)
    desserts = await category_id(demo, "Desserts")
    await promotion(
        demo, name="Sweet Friday", kind="percent_off", percent_bp=1000, category_ids=[desserts]
    )
    check = await check_with(
        demo, ("Tiramisu", 2, None), ("Ice cream", 1, None), ("Espresso", 1, None)
    )
    b = await bill(demo, check["id"])
    # 17.00 - 1.70 and 6.50 - 0.65 at 7 %: 21.15 x 7 % = 1.4805 -> 1.48; espresso 2.90 x 19 %
    assert amounts(b) == {
        "nets": [1530, 585, 290],
        "taxes": [(70_000, 2115, 148), (190_000, 290, 55)],
        "total": 2115 + 148 + 290 + 55,
    }


async def test_a_line_gets_the_best_single_promotion(demo: Demo) -> None:
    drinks = await category_id(demo, "Drinks")
    beer = await demo.item("Draft beer")
    await promotion(
        demo, name="Drinks 10", kind="percent_off", percent_bp=1000, category_ids=[drinks]
    )
    await promotion(demo, name="Beer 1 off", kind="amount_off", amount=100, item_ids=[beer["id"]])
    check = await check_with(demo, ("Draft beer", 2, None), ("House red", 1, None))
    b = await bill(demo, check["id"])
    assert [(p["name"], p["amount"]) for p in b["promotions"]] == [
        ("Beer 1 off", 200),
        ("Drinks 10", 65),
    ]
    assert b["total"] == 760 + 585


async def test_an_ended_promotion_keeps_lines_ordered_before(demo: Demo) -> None:
    beer = await demo.item("Draft beer")
    made = await promotion(
        demo, name="Beer 1 off", kind="amount_off", amount=100, item_ids=[beer["id"]]
    )
    check = await check_with(demo, ("Draft beer", 1, None))
    r = await demo.call(
        "POST", f"/api/promotions/{made['id']}/end", "manager", json={"version": made["version"]}
    )
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    r = await demo.add(check["id"], "Draft beer", 1, ("0.2 l",))
    assert r.status_code == 201, r.text
    b = await bill(demo, check["id"])
    assert [line["net"] for line in b["lines"]] == [380, 480]
    r = await demo.call("POST", f"/api/promotions/{made['id']}/end", "manager", json={"version": 2})
    assert r.status_code == 409


async def test_the_sale_in_the_journal_and_the_report_carry_the_promotion(demo: Demo) -> None:
    beer = await demo.item("Draft beer")
    await promotion(demo, name="2 for 1", kind="buy_n_get_m", buy=1, get=1, item_ids=[beer["id"]])
    check = await check_with(demo, ("Draft beer", 2, None))
    await pay(demo, check["id"], method="cash", amount=480)
    rows = await demo.sql(
        "SELECT data FROM journal WHERE venue_id = :v AND kind = 'sale'", v=demo.venue_id
    )
    sale = rows[-1][0]
    assert [(p["name"], p["amount"]) for p in sale["promotions"]] == [("2 for 1", 480)]
    assert sale["total"] == 480 and sale["discount_total"] == 480
    day = (await demo.call("GET", "/api/reports/x", "manager")).json()["business_date"]
    r = await demo.call(
        "GET",
        "/api/reports/sales",
        "manager",
        params={"from": day, "to": day, "group": "item"},
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["gross"], report["discounts"], report["total"]) == (960, 480, 480)
    assert [(p["name"], p["checks"], p["lines"], p["amount"]) for p in report["promotions"]] == [
        ("2 for 1", 1, 1, 480)
    ]
    beer_row = next(row for row in report["rows"] if row["key"] == "Draft beer")
    assert (beer_row["gross"], beer_row["discounts"], beer_row["total"]) == (960, 480, 480)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "percent_off", "category_ids": [1]}, "percent_bp"),
        ({"kind": "percent_off", "percent_bp": 1000}, "item_ids"),
        ({"kind": "percent_off", "percent_bp": 20000, "item_ids": [1]}, "percent_bp"),
        ({"kind": "buy_n_get_m", "buy": 1, "item_ids": [1]}, "get"),
        ({"kind": "amount_off", "amount": 100, "item_ids": [999999]}, "item_ids"),
        ({"kind": "combo_price", "price": 100, "components": [{"item_ids": [1]}]}, "components"),
        (
            {
                "kind": "amount_off",
                "amount": 5,
                "item_ids": [1],
                "windows": [{"weekdays": [1], "starts": "17:00:00", "ends": "17:00:00"}],
            },
            "windows",
        ),
        (
            {
                "kind": "amount_off",
                "amount": 5,
                "item_ids": [1],
                "starts_on": "2026-12-10",
                "ends_on": "2026-12-01",
            },
            "ends_on",
        ),
    ],
)
async def test_bad_promotions_name_the_field_and_write_nothing(
    demo: Demo, body: dict[str, Any], field: str
) -> None:
    burger = await demo.item("Burger")
    body = {
        k: ([burger["id"]] if v == [1] else v) if k == "item_ids" else v for k, v in body.items()
    }
    r = await demo.call("POST", "/api/promotions", "manager", json={"name": "Bad", **body})
    assert r.status_code in (400, 422), r.text
    assert field in r.text
    r = await demo.call("GET", "/api/promotions", "manager")
    assert r.json() == []
    assert not await demo.sql("SELECT 1 FROM audit_entries WHERE action LIKE 'promotion.%'")


async def test_a_change_needs_the_current_version_and_is_audited(demo: Demo) -> None:
    beer = await demo.item("Draft beer")
    made = await promotion(
        demo, name="Beer 1 off", kind="amount_off", amount=100, item_ids=[beer["id"]]
    )
    r = await demo.call(
        "PATCH", f"/api/promotions/{made['id']}", "manager", json={"version": 1, "amount": 150}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["amount"], r.json()["version"]) == (150, 2)
    r = await demo.call(
        "PATCH", f"/api/promotions/{made['id']}", "manager", json={"version": 1, "amount": 50}
    )
    assert r.status_code == 409
    assert r.json()["current"]["amount"] == 150
    r = await demo.call("GET", "/api/promotions", "waiter")
    assert r.status_code == 403
    rows = await demo.sql("SELECT action FROM audit_entries ORDER BY id")
    assert [a for (a,) in rows if a.startswith("promotion.")] == [
        "promotion.created",
        "promotion.changed",
    ]


async def test_day_part_prices_refuse_bad_input_and_keep_versions(demo: Demo) -> None:
    beer = await demo.item("Draft beer")
    r = await demo.call(
        "POST",
        "/api/promotions/prices",
        "manager",
        json={"item_id": 999_999, "name": "Happy hour", "price": 300, "windows": HAPPY_HOUR},
    )
    assert r.status_code == 422 and r.json()["field"] == "item_id"
    r = await demo.call(
        "POST",
        "/api/promotions/prices",
        "manager",
        json={"item_id": beer["id"], "name": "Happy hour", "price": 300, "windows": []},
    )
    assert r.status_code in (400, 422) and "windows" in r.text
    assert await demo.sql("SELECT 1 FROM day_part_prices") == []
    r = await demo.call(
        "POST",
        "/api/promotions/prices",
        "manager",
        json={"item_id": beer["id"], "name": "Happy hour", "price": 300, "windows": HAPPY_HOUR},
    )
    made = r.json()
    r = await demo.call(
        "PATCH",
        f"/api/promotions/prices/{made['id']}",
        "manager",
        json={"version": 1, "price": 350},
    )
    assert r.status_code == 200 and (r.json()["price"], r.json()["version"]) == (350, 2)
    r = await demo.call(
        "PATCH", f"/api/promotions/prices/{made['id']}", "manager", json={"version": 1, "price": 1}
    )
    assert r.status_code == 409 and r.json()["current"]["price"] == 350
    rows = await demo.sql("SELECT action FROM audit_entries ORDER BY id")
    assert [a for (a,) in rows if "day_part" in a] == [
        "menu.day_part_price_created",
        "menu.day_part_price_changed",
    ]


async def test_promotions_do_not_count_towards_a_discounts_approval(demo: Demo) -> None:
    beer = await demo.item("Draft beer")
    await promotion(demo, name="2 for 1", kind="buy_n_get_m", buy=1, get=1, item_ids=[beer["id"]])
    check = await check_with(demo, ("Draft beer", 4, None))
    # half the check is off by the promotion; a waiter's own 5 % still needs no manager
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/discounts",
        json={"kind": "percent", "value": 500, "reason": "regulars"},
    )
    assert r.status_code == 201, r.text
    b = r.json()
    # 19.20 - 9.60 promotion = 9.60, then 5 % = 0.48
    assert (b["discount_total"], b["total"]) == (960 + 48, 912)
    assert [(p["name"], p["amount"]) for p in b["promotions"]] == [("2 for 1", 960)]
