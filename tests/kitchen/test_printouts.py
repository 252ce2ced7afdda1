"""A send, a fire and a void also queue paper for the stations' printers, in the same
transaction; what a cook would read is checked on the rendered bytes."""

from __future__ import annotations

from sqlalchemy import select

from pos_service.printing import service as printing
from pos_service.printing.models import Printer, PrintJob
from printers.decoder import decode
from tests.conftest import Demo


async def _jobs(demo: Demo) -> list[tuple[str, str, str]]:
    """(printer, kind, decoded text) of every queued job, oldest first."""
    async with demo.sessions() as session:
        rows = (
            await session.execute(
                select(PrintJob, Printer)
                .join(
                    Printer,
                    (Printer.venue_id == PrintJob.venue_id) & (Printer.id == PrintJob.printer_id),
                )
                .where(PrintJob.venue_id == demo.venue_id)
                .order_by(PrintJob.id)
            )
        ).all()
        return [(p.name, j.kind, decode(printing.render(j, p)).text) for j, p in rows]


async def test_send_fire_and_void_reach_the_printers(demo: Demo) -> None:
    check = await demo.open_check("12", covers=4)
    await demo.add(check["id"], "Ribeye", 2, ("medium-rare", "fries"), seat=1)
    await demo.add(check["id"], "Caesar salad", 1, ("no croutons",), seat=3, note="nut allergy")
    await demo.add(check["id"], "Tiramisu", 1, seat=2)
    await demo.add(check["id"], "Negroni", 2)
    sent = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert sent.status_code == 200, sent.text

    jobs = await _jobs(demo)
    kinds = sorted((printer, kind) for printer, kind, _ in jobs)
    # hot, cold and pastry print in the kitchen, the bar on the bar printer
    assert [k for k in kinds if k[1] == "ticket"] == sorted(kinds)
    assert len(jobs) == 4
    texts = {text for _, _, text in jobs}
    hot = next(t for t in texts if "Ribeye" in t)
    assert "medium-rare" in hot
    assert "fries" in hot
    assert "12" in hot
    assert any("NOTE: nut allergy" in t or "nut allergy" in t for t in texts)
    pastry = next(t for t in texts if "Tiramisu" in t)
    assert "HOLD dessert" in pastry
    bar = [p for p, _, t in jobs if "Negroni" in t]
    assert bar
    assert all(p != next(p2 for p2, _, t in jobs if "Ribeye" in t) for p in bar)

    fired = await demo.call("POST", f"/api/checks/{check['id']}/fire", json={"course": "dessert"})
    assert fired.status_code == 200, fired.text
    jobs = await _jobs(demo)
    assert len(jobs) == 5
    assert "FIRE" in jobs[-1][2]
    assert "Tiramisu" in jobs[-1][2]

    caesar = next(line for line in sent.json()["lines"] if line["name"] == "Caesar salad")
    approval = (
        await demo.call("POST", "/api/auth/approve", json={"pin": "9999", "action": "void"})
    ).json()
    r = await demo.call(
        "POST",
        f"/api/checks/{check['id']}/lines/{caesar['id']}/void",
        json={"reason": "wrong dish", "approval": approval["approval"]},
    )
    assert r.status_code == 200, r.text
    jobs = await _jobs(demo)
    assert len(jobs) == 6
    assert jobs[-1][1] == "void"
    assert "VOID" in jobs[-1][2]
    assert "Caesar salad" in jobs[-1][2]


async def test_a_refused_send_queues_no_paper(demo: Demo) -> None:
    tiramisu = await demo.item("Tiramisu")
    await demo.call("PATCH", f"/api/menu/items/{tiramisu['id']}", "manager", json={"remaining": 1})
    check = await demo.open_check()
    await demo.add(check["id"], "Burrata")
    await demo.call("PATCH", f"/api/menu/items/{tiramisu['id']}", "manager", json={"remaining": 1})
    other = await demo.open_check("3")
    await demo.add(other["id"], "Tiramisu")
    await demo.add(check["id"], "Tiramisu")
    assert (await demo.call("POST", f"/api/checks/{other['id']}/send", json={})).status_code == 200
    refused = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert refused.status_code == 409
    assert all("Burrata" not in text for _, _, text in await _jobs(demo))
