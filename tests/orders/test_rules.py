"""The rules the server enforces on checks (issue: core, point 6)."""

from __future__ import annotations

import asyncio

from tests.conftest import Demo


async def test_one_open_check_per_table_under_a_real_race(demo: Demo) -> None:
    table = await demo.table_id("7")
    results = await asyncio.gather(
        *[
            demo.call("POST", "/api/checks", role, json={"table_id": table, "covers": 2})
            for role in ("waiter", "waiter2", "waiter", "waiter2")
        ]
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 409, 409, 409]
    winner = next(r.json() for r in results if r.status_code == 201)
    for loser in (r for r in results if r.status_code == 409):
        assert loser.json()["check_id"] == winner["id"]
        assert loser.json()["field"] == "table_id"
    rows = await demo.sql("SELECT count(*) FROM checks WHERE table_id = :t", t=table)
    assert rows[0][0] == 1


async def test_required_modifier_group_left_empty_is_422_naming_it(demo: Demo) -> None:
    check = await demo.open_check()
    r = await demo.add(check["id"], "Ribeye", 1, ("fries",))
    assert r.status_code == 422
    assert r.json()["field"] == "modifiers" and r.json()["group"] == "Cooking"
    assert "Cooking" in r.json()["detail"]
    assert (await demo.call("GET", f"/api/checks/{check['id']}")).json()["lines"] == []


async def test_option_of_another_item_is_422(demo: Demo) -> None:
    check = await demo.open_check()
    oat = await demo.option("Cappuccino", "oat milk")
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/lines",
        json={"item_id": (await demo.item("Burrata"))["id"], "modifiers": [oat]},
    )
    assert r.status_code == 422 and r.json()["field"] == "modifiers"


async def test_too_many_choices_is_422(demo: Demo) -> None:
    check = await demo.open_check()
    r = await demo.add(check["id"], "Ribeye", 1, ("rare", "medium", "fries"))
    assert r.status_code == 422 and r.json()["group"] == "Cooking"


async def test_unavailable_item_is_409_naming_it(demo: Demo) -> None:
    burrata = await demo.item("Burrata")
    r = await demo.call(
        "PATCH", f"/api/menu/items/{burrata['id']}", "kitchen", json={"available": False}
    )
    assert r.status_code == 200 and r.json()["available"] is False
    check = await demo.open_check()
    r = await demo.add(check["id"], "Burrata")
    assert r.status_code == 409
    assert r.json()["item"] == "Burrata" and "Burrata" in r.json()["detail"]


async def test_quantity_must_be_a_positive_bounded_integer(demo: Demo) -> None:
    check = await demo.open_check()
    item = (await demo.item("Burrata"))["id"]
    for bad in (0, -1, 100, 10**12, 1.5, "two", None, [1]):
        r = await demo.call(
            "POST", f"/api/checks/{check['id']}/lines", json={"item_id": item, "quantity": bad}
        )
        assert r.status_code in (400, 422), bad
        assert r.json()["field"] == "quantity", (bad, r.json())
    assert (await demo.call("GET", f"/api/checks/{check['id']}")).json()["lines"] == []


async def test_a_sent_line_cannot_be_edited_only_voided(demo: Demo) -> None:
    check = await demo.open_check()
    line = (await demo.add(check["id"], "Burrata")).json()["lines"][0]
    url = f"/api/checks/{check['id']}/lines/{line['id']}"
    r = await demo.call("PATCH", url, json={"quantity": 2})
    assert r.status_code == 200 and r.json()["lines"][0]["quantity"] == 2
    await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    r = await demo.call("PATCH", url, json={"quantity": 3})
    assert r.status_code == 409 and r.json()["field"] == "line_id"
    assert (await demo.call("GET", f"/api/checks/{check['id']}")).json()["lines"][0][
        "quantity"
    ] == 2


async def test_pending_line_voids_without_approval(demo: Demo) -> None:
    check = await demo.open_check()
    line = (await demo.add(check["id"], "Burrata")).json()["lines"][0]
    r = await demo.call(
        "POST", f"/api/checks/{check['id']}/lines/{line['id']}/void", json={"reason": "wrong table"}
    )
    assert r.status_code == 200 and r.json()["lines"][0]["state"] == "voided"


async def test_stale_version_is_409_with_the_current_check(demo: Demo) -> None:
    check = await demo.open_check()
    first = await demo.add(check["id"], "Burrata", version=check["version"])
    assert first.status_code == 201
    stale = await demo.add(check["id"], "Tiramisu", role="waiter2", version=check["version"])
    assert stale.status_code == 409
    body = stale.json()
    assert body["field"] == "version"
    assert body["current"]["version"] == first.json()["version"]
    assert [line["name"] for line in body["current"]["lines"]] == ["Burrata"]


async def test_two_waiters_adding_at_once_lose_nothing(demo: Demo) -> None:
    check = await demo.open_check()
    results = await asyncio.gather(
        *[
            demo.add(check["id"], name, role=role)
            for name, role in [("Burrata", "waiter"), ("Tiramisu", "waiter2")] * 5
        ]
    )
    assert all(r.status_code == 201 for r in results)
    final = (await demo.call("GET", f"/api/checks/{check['id']}")).json()
    assert len(final["lines"]) == 10
    assert final["version"] == check["version"] + 10
    by_waiter: dict[int, list[str]] = {}
    for line in final["lines"]:
        by_waiter.setdefault(line["added_by"], []).append(line["name"])
    assert sorted(sorted(names) for names in by_waiter.values()) == [
        ["Burrata"] * 5,
        ["Tiramisu"] * 5,
    ]


async def test_retried_idempotency_key_returns_first_answer(demo: Demo) -> None:
    check = await demo.open_check()
    item = (await demo.item("Burrata"))["id"]
    url = f"/api/checks/{check['id']}/lines"
    first = await demo.call("POST", url, key="k-1", json={"item_id": item})
    again = await demo.call("POST", url, key="k-1", json={"item_id": item})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert len((await demo.call("GET", f"/api/checks/{check['id']}")).json()["lines"]) == 1
    other = await demo.call("POST", url, key="k-1", json={"item_id": item, "quantity": 2})
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    assert len((await demo.call("GET", f"/api/checks/{check['id']}")).json()["lines"]) == 1


async def test_concurrent_retries_of_one_key_apply_once(demo: Demo) -> None:
    check = await demo.open_check()
    item = (await demo.item("Burrata"))["id"]
    results = await asyncio.gather(
        *[
            demo.call(
                "POST", f"/api/checks/{check['id']}/lines", key="same", json={"item_id": item}
            )
            for _ in range(5)
        ]
    )
    assert {r.status_code for r in results} == {201}
    assert len({r.text for r in results}) == 1
    assert len((await demo.call("GET", f"/api/checks/{check['id']}")).json()["lines"]) == 1


async def test_a_token_of_venue_a_gets_404_for_venue_b(demo: Demo) -> None:
    check = await demo.open_check()
    from pos_service import demo as demo_data

    async with demo.sessions() as session, session.begin():
        await demo_data.seed(session, demo.app.state.security, slug="other")
    other = await demo.sign_in("1111", "other")
    r = await demo.client.get(f"/api/checks/{check['id']}", headers=other)
    assert r.status_code == 404
    r = await demo.client.post(
        f"/api/checks/{check['id']}/lines",
        headers=other,
        json={"item_id": (await demo.item("Burrata"))["id"]},
    )
    assert r.status_code == 404
    r = await demo.client.post(
        "/api/checks", headers=other, json={"table_id": await demo.table_id("12"), "covers": 2}
    )
    assert r.status_code == 404  # table 12 of the demo venue is not this venue's


async def test_countdown_goes_unavailable_at_zero(demo: Demo) -> None:
    tiramisu = await demo.item("Tiramisu")
    await demo.call("PATCH", f"/api/menu/items/{tiramisu['id']}", "manager", json={"remaining": 3})
    check = await demo.open_check()
    await demo.add(check["id"], "Tiramisu", 3)
    r = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert r.status_code == 200
    item = (await demo.call("GET", "/api/menu")).json()
    left = next(i for c in item["categories"] for i in c["items"] if i["name"] == "Tiramisu")
    assert left["remaining"] == 0 and left["available"] is False
