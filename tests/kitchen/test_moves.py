"""A merge or a transfer takes the kitchen's work along: tickets, items, held courses;
the screens, the pass and the printers are told where the check went."""

from __future__ import annotations

from tests.conftest import Demo
from tests.kitchen.support import by_name, events, screen, send
from tests.kitchen.test_printouts import _jobs


async def _two_tables(demo: Demo) -> tuple[int, int]:
    """Table 12 with a starter and a main; table 5 with a held dessert."""
    twelve = await demo.open_check("12", covers=2)
    await demo.add(twelve["id"], "Burrata")
    await demo.add(twelve["id"], "Sirloin", 1, ("rare", "fries"))
    await send(demo, twelve["id"])
    five = await demo.open_check("5", covers=2, role="waiter2")
    await demo.add(five["id"], "Burrata", role="waiter2")
    await demo.add(five["id"], "Tiramisu", role="waiter2")
    await send(demo, five["id"], "waiter2")
    return int(twelve["id"]), int(five["id"])


async def test_a_merged_checks_held_dessert_is_fired_from_the_check_it_joined(
    demo: Demo,
) -> None:
    twelve, five = await _two_tables(demo)
    r = await demo.call("POST", f"/api/checks/{twelve}/merge", json={"check_id": five})
    assert r.status_code == 200, r.text
    (pastry,) = await screen(demo, "pastry")
    assert pastry["check_id"] == twelve and pastry["table"] == "12"
    assert pastry["moved"] == "merged into 12"
    assert by_name(pastry)["Tiramisu"]["status"] == "held"
    # the old check is finished; the dessert fires from the check it joined
    old = await demo.call("POST", f"/api/checks/{five}/fire", json={"course": "dessert"})
    assert old.status_code == 409 and old.json()["detail"] == f"check {five} is merged"
    fired = await demo.call("POST", f"/api/checks/{twelve}/fire", json={"course": "dessert"})
    assert fired.status_code == 200, fired.text
    (pastry,) = await screen(demo, "pastry")
    assert by_name(pastry)["Tiramisu"]["status"] != "held" and pastry["fired_at"] is not None
    courses = {c["course"]: c["state"] for c in fired.json()["courses"]}
    assert courses["dessert"] == "fired" and courses["starter"] == "fired"
    # the pass shows one order for table 12, no ghost of check 5
    expo = (await demo.call("GET", "/api/kitchen/expo", "kitchen")).json()
    assert [(o["check_id"], o["table"]) for o in expo["orders"]] == [(twelve, "12")]
    moved = await events(demo, "kitchen:pastry", "ticket.moved")
    assert [e["data"]["moved"] for e in moved] == ["merged into 12"]
    slips = [text for _, _, text in await _jobs(demo) if "MERGED INTO 12" in text]
    assert len(slips) == 2  # the cold and the pastry tickets of check 5
    assert any("Tiramisu" in s for s in slips)


async def test_a_transfer_tells_the_kitchen_the_new_table(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    await demo.add(check["id"], "Burrata")
    await demo.add(check["id"], "Sirloin", 1, ("rare", "fries"))
    await send(demo, check["id"])
    (cold,) = await screen(demo, "cold")
    bumped = await demo.call("POST", f"/api/kitchen/tickets/{cold['id']}/bump", "kitchen")
    assert bumped.status_code == 200, bumped.text
    five = await demo.table_id("5")
    r = await demo.call(
        "POST", f"/api/checks/{check['id']}/transfer", "waiter2", json={"table_id": five}
    )
    assert r.status_code == 200, r.text
    floor = (await demo.call("GET", "/api/floor")).json()
    table = next(t for a in floor["areas"] for t in a["tables"] if t["id"] == five)
    assert table["open_check"]["waiter"] == "Anna"  # still hers, whoever moved it
    (hot,) = await screen(demo, "hot")
    assert (hot["table"], hot["table_id"], hot["moved"]) == ("5", five, "moved to table 5")
    (cold,) = await screen(demo, "cold", "all")
    assert cold["table"] == "5" and cold["moved"] is None  # done already: no note, no slip
    slips = [(p, t) for p, _, t in await _jobs(demo) if "MOVED TO TABLE 5" in t]
    assert len(slips) == 1 and "Sirloin" in slips[0][1]
    fired = await demo.call("POST", f"/api/checks/{check['id']}/fire", json={"course": "main"})
    assert fired.status_code == 200, fired.text
    fire_slip = [t for _, _, t in await _jobs(demo) if "FIRE main" in t]
    assert fire_slip[-1].splitlines()[1].split() == ["5", "#1"]  # the new table on paper
