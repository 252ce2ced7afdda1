"""The waiter's walk through a table, end to end through the API."""

from __future__ import annotations

from tests.conftest import Demo


async def test_table_twelve_walkthrough(demo: Demo) -> None:
    check = await demo.open_check("12", covers=4)
    assert check["covers"] == 4 and check["status"] == "open"

    r = await demo.add(check["id"], "Ribeye", 2, ("medium-rare", "fries"), seat=1, course="main")
    assert r.status_code == 201, r.text
    r = await demo.add(
        check["id"],
        "Caesar salad",
        1,
        ("no croutons",),
        seat=3,
        course="starter",
        note="nut allergy",
    )
    assert r.status_code == 201, r.text
    lines = r.json()["lines"]
    ribeye, caesar = lines
    assert ribeye["quantity"] == 2 and ribeye["course"] == "main"
    assert [m["name"] for m in ribeye["modifiers"]] == ["medium-rare", "fries"]
    assert caesar["note"] == "nut allergy" and caesar["modifiers"][0]["name"] == "no croutons"
    assert r.json()["subtotal"] == 2 * 3450 + 1150

    r = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert r.status_code == 200, r.text
    assert {line["state"] for line in r.json()["lines"]} == {"sent"}

    floor = (await demo.call("GET", "/api/floor")).json()
    table = next(t for a in floor["areas"] for t in a["tables"] if t["name"] == "12")
    assert table["status"] == "ordered" and table["open_check"]["id"] == check["id"]

    # voiding a sent line needs a manager's approval, recorded with the reason
    void_url = f"/api/checks/{check['id']}/lines/{caesar['id']}/void"
    r = await demo.call("POST", void_url, json={"reason": "guest changed mind"})
    assert r.status_code == 403 and r.json()["field"] == "approval"
    r = await demo.call("POST", "/api/auth/approve", json={"pin": "1111", "action": "void"})
    assert r.status_code == 401  # a waiter's PIN approves nothing, as a wrong PIN would
    assert r.json()["detail"] == "wrong PIN"
    approval = (
        await demo.call("POST", "/api/auth/approve", json={"pin": "9999", "action": "void"})
    ).json()
    r = await demo.call(
        "POST", void_url, json={"reason": "guest changed mind", "approval": approval["approval"]}
    )
    assert r.status_code == 200, r.text
    voided = next(line for line in r.json()["lines"] if line["id"] == caesar["id"])
    assert voided["state"] == "voided" and voided["void_reason"] == "guest changed mind"
    assert voided["void_approved_by"] == approval["approver"]["id"]
    assert r.json()["subtotal"] == 2 * 3450
    # the approval is used up
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/lines/{ribeye['id']}/void",
        json={"reason": "again", "approval": approval["approval"]},
    )
    assert r.status_code == 403

    # move to table 5, then merge table 3's check into it
    r = await demo.call(
        "POST", f"/api/checks/{check['id']}/transfer", json={"table_id": await demo.table_id("5")}
    )
    assert r.status_code == 200, r.text
    other = await demo.open_check("3", covers=2, role="waiter2")
    await demo.add(other["id"], "Espresso", 2, role="waiter2")
    r = await demo.call("POST", f"/api/checks/{check['id']}/merge", json={"check_id": other["id"]})
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["covers"] == 6
    assert [line["name"] for line in merged["lines"]] == ["Ribeye", "Caesar salad", "Espresso"]
    gone = (await demo.call("GET", f"/api/checks/{other['id']}")).json()
    assert gone["status"] == "merged" and gone["merged_into"] == check["id"]

    floor = (await demo.call("GET", "/api/floor")).json()
    by_name = {t["name"]: t for a in floor["areas"] for t in a["tables"]}
    assert by_name["12"]["status"] == "free" and by_name["12"]["open_check"] is None
    assert by_name["3"]["status"] == "free"
    assert by_name["5"]["open_check"]["id"] == check["id"]
