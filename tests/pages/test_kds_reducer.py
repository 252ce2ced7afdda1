"""The kitchen page's reducer is the server's: the same recorded events, folded by
``kitchen/screen.py`` in Python and by ``web/static/kds-reducer.js`` in Chromium, give the
same screen, the same all-day counts, and the pass the server reads after each change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from functools import reduce
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser

from pos_service.kitchen import screen as kds
from tests.conftest import Demo
from tests.kitchen.support import at, by_name, run_task, screen, send

pytestmark = pytest.mark.browser

REDUCER = Path(__file__).resolve().parents[2] / "web" / "static" / "kds-reducer.js"

# the page's side: fold each step's events as kitchen.js does; the pass re-reads (takes the
# step's GET /api/kitchen/expo) when its reducer says it cannot apply an event
FOLD = """({steps, pass, from}) => {
  let station = {};
  const out = [], rereads = [];
  for (const step of steps.slice(from)) {
    for (const e of step.station) station = KDS.apply(station, e);
    for (const e of step.expo) {
      const next = KDS.expo(pass, e);
      if (next === null) { rereads.push(e.type + " " + step.what); pass = step.pass; break; }
      pass = next;
    }
    const orders = KDS.expoOrders(pass);
    out.push({tickets: KDS.tickets(station), allDay: KDS.allDay(station), pass: orders});
  }
  return {out, rereads};
}"""


class Recorder:
    """After each change: the events it recorded and what the server then reads."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.seq = 0
        self.steps: list[dict[str, Any]] = []

    async def head(self) -> int:
        [(seq,)] = await self.demo.sql(
            "SELECT coalesce(max(seq), 0) FROM events WHERE venue_id = :v", v=self.demo.venue_id
        )
        return int(seq)

    async def __call__(self, what: str, change: Awaitable[Any]) -> Any:
        result = await change
        head = await self.head()
        rows = await self.demo.sql(
            "SELECT seq, topic, type, data FROM events WHERE venue_id = :v AND seq > :a "
            "AND seq <= :b AND topic IN ('kitchen:hot', 'expo') ORDER BY seq",
            v=self.demo.venue_id,
            a=self.seq,
            b=head,
        )
        self.seq = head
        events = [{"seq": r.seq, "topic": r.topic, "type": r.type, "data": r.data} for r in rows]
        get = self.demo.call
        all_day = await get("GET", "/api/kitchen/all-day", "kitchen", params={"station": "hot"})
        self.steps.append(
            {
                "what": what,
                "station": [e for e in events if e["topic"] == "kitchen:hot"],
                "expo": [e for e in events if e["topic"] == "expo"],
                "tickets": await screen(self.demo, "hot", "all"),
                "all_day": {k: v for k, v in all_day.json().items() if k != "station"},
                "pass": (await get("GET", "/api/kitchen/expo", "kitchen")).json(),
            }
        )
        return result


def ok(r: Any) -> Any:
    assert r.status_code in (200, 201), r.text
    return r.json()


@pytest.mark.timeout(240)
async def test_the_page_folds_the_recorded_events_as_the_server_does(
    demo: Demo, browser: Browser
) -> None:
    start = (await demo.call("GET", "/api/kitchen/expo", "kitchen")).json()
    step = Recorder(demo)
    step.seq = await step.head()
    kitchen = "kitchen"
    post = demo.call

    a = await demo.open_check("12", covers=2)
    await demo.add(a["id"], "Lasagne", course="starter")
    await demo.add(a["id"], "Calamari fritti")
    await demo.add(a["id"], "Ribeye", 2, ("rare", "fries"), seat=1)
    sirloin = await demo.add(a["id"], "Sirloin", 1, ("medium", "green salad"), seat=2)
    await step("send a", send(demo, a["id"]))
    b = await demo.open_check("5", role="waiter2")
    await demo.add(b["id"], "Burger", 1, ("medium", "fries", "bacon"), role="waiter2")
    await demo.add(b["id"], "Risotto ai funghi", role="waiter2", note="no parsley")
    await step("send b", send(demo, b["id"], role="waiter2"))
    ticket_a, ticket_b = await screen(demo, "hot")

    await step("start b", post("POST", f"/api/kitchen/tickets/{ticket_b['id']}/start", kitchen))
    due = at(ticket_b["fired_at"]) + dt.timedelta(minutes=8)
    await step("release", run_task(demo, "kitchen.release", due))
    lasagne = by_name(ticket_a)["Lasagne"]["id"]
    await step(
        "bump lasagne",
        post("POST", f"/api/kitchen/tickets/{ticket_a['id']}/items/{lasagne}/bump", kitchen),
    )
    await step(
        "pickup starter",
        post("POST", f"/api/kitchen/expo/{a['id']}/pickup", kitchen, json={"course": "starter"}),
    )
    await step(
        "serve starter",
        post("POST", f"/api/kitchen/expo/{a['id']}/served", kitchen, json={"course": "starter"}),
    )
    await step("fire main", post("POST", f"/api/checks/{a['id']}/fire", json={"course": "main"}))
    approval = ok(await post("POST", "/api/auth/approve", json={"pin": "9999", "action": "void"}))
    line = next(x for x in sirloin.json()["lines"] if x["name"] == "Sirloin")
    await step(
        "void sirloin",
        post(
            "POST",
            f"/api/checks/{a['id']}/lines/{line['id']}/void",
            json={"reason": "wrong table", "approval": approval["approval"]},
        ),
    )
    await step("late", run_task(demo, "kitchen.late", due + dt.timedelta(hours=1)))
    await step(
        "allergies",
        post(
            "PUT",
            f"/api/checks/{b['id']}/allergies",
            "waiter2",
            json={"allergens": ["gluten"], "allergy_note": ""},
        ),
    )
    for what, path in (
        ("bump b", f"{ticket_b['id']}/bump"),
        ("recall b", f"{ticket_b['id']}/recall"),
        ("bump a", f"{ticket_a['id']}/bump"),
        ("bump b again", f"{ticket_b['id']}/bump"),
    ):
        await step(what, post("POST", f"/api/kitchen/tickets/{path}", kitchen))
    await step(
        "recall the last",
        post("POST", "/api/kitchen/recall", kitchen, json={"station": "hot"}),
    )
    # every station done with check a, every course of it served: a leaves the pass
    for t in await screen(demo):
        if t["check_id"] == a["id"]:
            await step(
                f"bump {t['station']}",
                post("POST", f"/api/kitchen/tickets/{t['id']}/bump", kitchen),
            )
    for order in step.steps[-1]["pass"]["orders"]:
        for c in order["courses"] if order["check_id"] == a["id"] else ():
            if c["state"] != "served":
                await step(
                    f"serve {c['course']}",
                    post(
                        "POST",
                        f"/api/kitchen/expo/{a['id']}/served",
                        kitchen,
                        json={"course": c["course"]},
                    ),
                )
    assert a["id"] not in {o["check_id"] for o in step.steps[-1]["pass"]["orders"]}
    step.steps[-1]["what"] = "a left"
    # check a left the pass; its second round brings it back whole
    await demo.add(a["id"], "Lasagne", course="main")
    await step("send a again", send(demo, a["id"]))
    await step("merge", post("POST", f"/api/checks/{a['id']}/merge", json={"check_id": b["id"]}))
    # a paid check leaves the pass though its course was never marked served
    c = await demo.open_check("3", covers=1)
    await demo.add(c["id"], "Burger", 1, ("medium", "fries"))
    await step("send c", send(demo, c["id"]))
    (tc,) = [t for t in await screen(demo, "hot") if t["check_id"] == c["id"]]
    await step("bump c", post("POST", f"/api/kitchen/tickets/{tc['id']}/bump", kitchen))
    assert c["id"] in {o["check_id"] for o in step.steps[-1]["pass"]["orders"]}
    await step("pay c", post("POST", f"/api/checks/{c['id']}/payments", json={"method": "cash"}))
    assert c["id"] not in {o["check_id"] for o in step.steps[-1]["pass"]["orders"]}

    kinds = {e["type"] for s in step.steps for e in s["station"]}
    assert kinds >= {
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
        "ticket.allergies_changed",
    }

    # the server's reducer: the log folded step by step is what the server reads
    python: list[dict[str, Any]] = []
    state: kds.Screen = {}
    for s in step.steps:
        state = reduce(kds.apply, s["station"], state)
        assert kds.tickets(state) == s["tickets"], s["what"]
        assert kds.all_day(state) == s["all_day"], s["what"]
        python.append({"tickets": kds.tickets(state), "allDay": kds.all_day(state)})

    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.add_script_tag(path=str(REDUCER))
        folded = await page.evaluate(FOLD, {"steps": step.steps, "pass": start, "from": 0})
        # a pass that starts when check a has left it: a's next round makes it re-read
        served = next(n for n, s in enumerate(step.steps) if s["what"] == "a left")
        later = await page.evaluate(
            FOLD, {"steps": step.steps, "pass": step.steps[served]["pass"], "from": served + 1}
        )
    finally:
        await context.close()

    for s, py, js in zip(step.steps, python, folded["out"], strict=True):
        assert js["tickets"] == py["tickets"], s["what"]
        assert js["allDay"] == py["allDay"], s["what"]
        assert js["pass"] == s["pass"]["orders"], s["what"]
    for s, js in zip(step.steps[served + 1 :], later["out"], strict=True):
        assert js["pass"] == s["pass"]["orders"], s["what"]
    # the pass re-reads only for what it cannot know: a check it never held coming back
    # with its earlier tickets, a merge regrouping two checks
    assert folded["rereads"] == ["ticket.moved merge"]
    assert later["rereads"] == ["ticket.created send a again", "ticket.moved merge"]
