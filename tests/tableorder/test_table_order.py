"""Ordering at the table by the table tent's link, through the API: the venue's setting
decides whether the guest's lines wait or go to the kitchen, a bad line is named and
nothing is written, a rotated link is dead, and the menu shows no staff data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pos_service.core import ratelimit
from tests.conftest import Demo


@pytest.fixture(autouse=True)
def fresh_windows() -> Iterator[None]:
    ratelimit._windows.counts.clear()
    yield
    ratelimit._windows.counts.clear()


async def setting(demo: Demo, mode: str) -> None:
    r = await demo.call(
        "PUT", "/api/venue/guest-settings", "manager", json={"guest_ordering": mode}
    )
    assert r.status_code == 200, r.text


async def token_of(demo: Demo, table: str) -> str:
    r = await demo.call("GET", f"/api/tables/{await demo.table_id(table)}/order-link")
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


async def order(demo: Demo, token: str, lines: list[dict[str, Any]]) -> Any:
    return await demo.client.post(f"/api/table-order/{token}/orders", json={"lines": lines})


async def ribeye(demo: Demo) -> dict[str, Any]:
    item = await demo.item("Ribeye")
    return {
        "item_id": item["id"],
        "modifiers": [
            await demo.option("Ribeye", "medium-rare"),
            await demo.option("Ribeye", "fries"),
        ],
    }


async def test_the_menu_shows_allergens_and_required_choices_and_no_staff_data(
    demo: Demo,
) -> None:
    await setting(demo, "confirm")
    r = await demo.client.get(f"/api/table-order/{await token_of(demo, '12')}/")
    assert r.status_code == 200, r.text
    menu = r.json()
    assert menu["table"] == "12" and menu["ordering"] == "confirm"
    items = {i["name"]: i for c in menu["categories"] for i in c["items"]}
    assert items["Burger"]["allergens"] == ["gluten", "milk", "mustard"]
    cooking = next(g for g in items["Ribeye"]["modifier_groups"] if g["name"] == "Cooking")
    assert cooking["min_choices"] == 1
    text = r.text
    for secret in ("station", "remaining", "waiter", "pin", "Anna"):
        assert secret not in text


async def test_off_by_default_the_link_orders_nothing(demo: Demo) -> None:
    token = await token_of(demo, "12")
    assert (await demo.client.get(f"/api/table-order/{token}/")).json()["categories"] == []
    r = await order(demo, token, [await ribeye(demo)])
    assert r.status_code == 409 and r.json()["field"] == "token"
    assert await demo.sql("SELECT id FROM checks") == []


async def test_with_confirm_the_lines_wait_as_the_guests_on_the_tables_check(demo: Demo) -> None:
    await setting(demo, "confirm")
    r = await order(demo, await token_of(demo, "12"), [await ribeye(demo)])
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "waiting"
    assert r.json()["lines"] == [
        {"name": "Ribeye", "quantity": 1, "modifiers": ["medium-rare", "fries"], "amount": 3450}
    ]
    rows = await demo.sql("SELECT state, added_by FROM check_lines")
    assert [tuple(x) for x in rows] == [("pending", 0)]
    assert await demo.sql("SELECT id FROM kitchen_tickets") == []
    events = await demo.sql("SELECT topic FROM events WHERE type = 'guest.ordered' ORDER BY seq")
    assert {e[0] for e in events} >= {"orders"}


async def test_direct_sends_but_never_the_waiters_own_waiting_lines(demo: Demo) -> None:
    await setting(demo, "direct")
    token = await token_of(demo, "12")
    first = await order(demo, token, [await ribeye(demo)])
    assert first.json()["status"] == "sent"
    assert len(await demo.sql("SELECT id FROM kitchen_tickets")) == 1

    [[check_id]] = await demo.sql("SELECT id FROM checks")
    assert (await demo.add(check_id, "Burrata")).status_code == 201  # the waiter's, unsent
    second = await order(demo, token, [await ribeye(demo)])
    assert second.json()["status"] == "waiting"
    rows = await demo.sql("SELECT name, state, added_by FROM check_lines ORDER BY id")
    assert [tuple(x)[1] for x in rows] == ["sent", "pending", "pending"]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"modifiers": []}, "lines[1].modifiers"),  # the cooking is required
        ({"quantity": 0}, "lines[1].quantity"),
        ({"item_id": 999999, "modifiers": []}, "lines[1].item_id"),
    ],
)
async def test_a_bad_line_is_named_and_nothing_is_written(
    demo: Demo, line: dict[str, Any], field: str
) -> None:
    await setting(demo, "direct")
    good = await ribeye(demo)
    r = await order(demo, await token_of(demo, "12"), [good, {**good, **line}])
    assert r.status_code in (404, 422), r.text
    assert r.json()["field"] == field
    assert await demo.sql("SELECT id FROM check_lines") == []
    assert await demo.sql("SELECT id FROM checks") == []
    assert await demo.sql("SELECT id FROM kitchen_tickets") == []


async def test_an_empty_basket_is_refused(demo: Demo) -> None:
    await setting(demo, "direct")
    r = await order(demo, await token_of(demo, "12"), [])
    assert r.status_code == 422 and r.json()["field"] == "lines"


async def test_rotating_kills_printed_links(demo: Demo) -> None:
    await setting(demo, "confirm")
    twelve, eleven = await token_of(demo, "12"), await token_of(demo, "11")
    assert await token_of(demo, "12") == twelve  # stable for the printed tent
    table = await demo.table_id("12")
    r = await demo.call("POST", f"/api/tables/{table}/order-link/rotate", "manager")
    assert r.status_code == 200, r.text
    assert (await demo.client.get(f"/api/table-order/{twelve}/")).status_code == 401
    assert (await demo.client.get(f"/api/table-order/{eleven}/")).status_code == 200
    assert await token_of(demo, "12") != twelve
    r = await demo.call("POST", "/api/tables/order-links/rotate", "manager")
    assert r.status_code == 200
    assert (await demo.client.get(f"/api/table-order/{eleven}/")).status_code == 401
    audit = await demo.sql("SELECT action FROM audit_entries WHERE action = 'table_link.rotated'")
    assert len(audit) == 2
    waiter = await demo.call("POST", f"/api/tables/{table}/order-link/rotate", "waiter")
    assert waiter.status_code == 403


async def test_the_tent_qr_downloads_as_svg(demo: Demo) -> None:
    table = await demo.table_id("12")
    r = await demo.call("GET", f"/api/tables/{table}/order-link.svg")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.startswith("<svg") and "table 12" in r.text
    tents = await demo.call("GET", "/api/tables/order-links", "manager")
    assert tents.status_code == 200 and len(tents.json()) >= 12
