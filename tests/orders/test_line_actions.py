"""What the handheld's line actions need from the checks API (issue #20, point 3): a
pending line's options changed in place, and the venue's most ordered items."""

from __future__ import annotations

from tests.conftest import Demo


async def test_a_pending_lines_options_are_changed_and_priced_again(demo: Demo) -> None:
    check = await demo.open_check()
    r = await demo.add(check["id"], "Ribeye", 2, ("rare", "fries"))
    line = r.json()["lines"][0]
    url = f"/api/checks/{check['id']}/lines/{line['id']}"
    truffle = await demo.option("Ribeye", "truffle fries")
    medium = await demo.option("Ribeye", "medium")

    r = await demo.call("PATCH", url, json={"modifiers": [truffle, medium]})
    assert r.status_code == 200, r.text
    [changed] = r.json()["lines"]
    assert [m["name"] for m in changed["modifiers"]] == ["medium", "truffle fries"]
    assert (changed["unit_price"], changed["amount"]) == (3450 + 250, 2 * (3450 + 250))

    # a required group left out is refused by name and changes nothing
    r = await demo.call("PATCH", url, json={"modifiers": [medium]})
    assert r.status_code == 422 and r.json()["field"] == "modifiers"
    assert r.json()["group"] == "Side"
    after = (await demo.call("GET", f"/api/checks/{check['id']}")).json()["lines"][0]
    assert [m["name"] for m in after["modifiers"]] == ["medium", "truffle fries"]


async def test_a_sent_lines_options_cannot_be_changed(demo: Demo) -> None:
    check = await demo.open_check()
    line = (await demo.add(check["id"], "Ribeye", 1, ("rare", "fries"))).json()["lines"][0]
    assert (await demo.call("POST", f"/api/checks/{check['id']}/send", json={})).is_success
    medium = await demo.option("Ribeye", "medium")
    fries = await demo.option("Ribeye", "fries")
    r = await demo.call(
        "PATCH",
        f"/api/checks/{check['id']}/lines/{line['id']}",
        json={"modifiers": [medium, fries]},
    )
    assert r.status_code == 409 and r.json()["field"] == "line_id"


async def test_the_favourites_are_the_most_ordered_items_without_voids(demo: Demo) -> None:
    assert (await demo.call("GET", "/api/checks/favourites")).json() == {"item_ids": []}
    check = await demo.open_check()
    await demo.add(check["id"], "Burrata", 2)
    await demo.add(check["id"], "Tiramisu", 3)
    await demo.add(check["id"], "Burrata", 2)
    voided = (await demo.add(check["id"], "Lasagne", 9)).json()["lines"][-1]
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/lines/{voided['id']}/void",
        json={"reason": "wrong table"},
    )
    assert r.status_code == 200, r.text
    r = await demo.call("GET", "/api/checks/favourites")
    assert r.status_code == 200
    names = [(await demo.item(n))["id"] for n in ("Burrata", "Tiramisu")]
    assert r.json()["item_ids"] == names
    # not for a guest or a kitchen screen
    assert (await demo.call("GET", "/api/checks/favourites", "kitchen")).status_code == 403
