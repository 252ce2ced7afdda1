"""A station's screen rebuilt from the event log equals the live one."""

from __future__ import annotations

import datetime as dt
from functools import reduce

from pos_service.kitchen import screen as kds
from tests.conftest import Demo
from tests.kitchen.support import at, by_name, events, run_task, screen, send


async def test_screen_rebuilt_from_the_log_equals_the_live_one(demo: Demo) -> None:
    a = await demo.open_check("12", covers=2)
    await demo.add(a["id"], "Lasagne", course="starter")
    await demo.add(a["id"], "Calamari fritti")
    await demo.add(a["id"], "Ribeye", 1, ("rare", "fries"), seat=1)
    sirloin = await demo.add(a["id"], "Sirloin", 1, ("medium", "green salad"), seat=2)
    await send(demo, a["id"])
    b = await demo.open_check("5", role="waiter2")
    await demo.add(b["id"], "Burger", 1, ("medium", "fries", "bacon"), role="waiter2")
    await demo.add(b["id"], "Risotto ai funghi", role="waiter2", note="no parsley")
    await send(demo, b["id"], role="waiter2")

    ticket_a, ticket_b = await screen(demo, "hot")
    kitchen = "kitchen"
    assert (
        await demo.call("POST", f"/api/kitchen/tickets/{ticket_b['id']}/start", kitchen)
    ).status_code == 200
    await run_task(demo, "kitchen.release", at(ticket_b["fired_at"]) + dt.timedelta(minutes=8))
    lasagne = by_name(ticket_a)["Lasagne"]
    r = await demo.call(
        "POST", f"/api/kitchen/tickets/{ticket_a['id']}/items/{lasagne['id']}/bump", kitchen
    )
    assert r.json()["state"] == "held"
    r = await demo.call("POST", f"/api/checks/{a['id']}/fire", json={"course": "main"})
    assert r.status_code == 200
    approval = (
        await demo.call("POST", "/api/auth/approve", json={"pin": "9999", "action": "void"})
    ).json()["approval"]
    line = next(line for line in sirloin.json()["lines"] if line["name"] == "Sirloin")
    r = await demo.call(
        "POST",
        f"/api/checks/{a['id']}/lines/{line['id']}/void",
        json={"reason": "wrong table", "approval": approval},
    )
    assert r.status_code == 200
    await run_task(demo, "kitchen.late", at(ticket_b["fired_at"]) + dt.timedelta(hours=1))
    for path in (f"{ticket_b['id']}/bump", f"{ticket_b['id']}/recall", f"{ticket_a['id']}/bump"):
        r = await demo.call("POST", f"/api/kitchen/tickets/{path}", kitchen)
        assert r.status_code == 200, r.text
    r = await demo.call("POST", f"/api/checks/{a['id']}/merge", json={"check_id": b["id"]})
    assert r.status_code == 200, r.text

    live = await screen(demo, "hot", "all")
    log = await events(demo, "kitchen:hot")
    assert {e["type"] for e in log} >= {
        "ticket.created",
        "ticket.started",
        "ticket.item_released",
        "ticket.item_bumped",
        "ticket.fired",
        "ticket.item_voided",
        "ticket.late",
        "ticket.bumped",
        "ticket.recalled",
        "ticket.moved",
    }
    rebuilt = kds.tickets(reduce(kds.apply, log, {}))
    assert rebuilt == live
    assert [t["state"] for t in live] == ["bumped", "started"]
    assert [(t["check_id"], t["moved"]) for t in live] == [
        (a["id"], None),
        (a["id"], "merged into 12"),
    ]
    assert by_name(live[0])["Sirloin"]["status"] == "voided"
    # replaying only part of the log gives an earlier screen, not the live one
    assert kds.tickets(reduce(kds.apply, log[:-1], {})) != live
