"""The drawer opens: a pulse (ESC p m t1 t2) goes through the print queue to the receipt
printer after a cash payment and after a "no sale", as the fake printer receives it."""

from __future__ import annotations

from typing import Any

from printers.decoder import decode
from tests.printing.conftest import Printing

# pin 2, 100 ms on, 200 ms off
PULSE = (0, 100, 200)


async def _item_id(printing: Printing, name: str) -> int:
    menu = (await printing.call("GET", "/api/menu")).json()
    return next(int(i["id"]) for c in menu["categories"] for i in c["items"] if i["name"] == name)


async def _check(printing: Printing, table: str, item: str) -> dict[str, Any]:
    [(table_id,)] = await printing.sql(
        "SELECT id FROM dining_tables WHERE venue_id = :v AND name = :n",
        v=printing.venue_id,
        n=table,
    )
    r = await printing.call("POST", "/api/checks", json={"table_id": table_id, "covers": 2})
    assert r.status_code == 201, r.text
    check = dict(r.json())
    body = {"item_id": await _item_id(printing, item), "quantity": 1, "modifiers": []}
    r = await printing.call("POST", f"/api/checks/{check['id']}/lines", json=body)
    assert r.status_code == 201, r.text
    return check


def _pulses(printing: Printing) -> list[tuple[int, int, int]]:
    return decode(bytes(printing.fakes["Receipt"].received)).pulses


async def test_a_cash_payment_and_a_no_sale_kick_the_drawer(printing: Printing) -> None:
    r = await printing.call("POST", "/api/drawer-sessions", json={"opening_float": 10000})
    assert r.status_code == 201, r.text
    check = await _check(printing, "12", "Tiramisu")
    r = await printing.call(
        "POST", f"/api/checks/{check['id']}/payments", json={"method": "cash", "tendered": 1000}
    )
    assert r.status_code == 201, r.text
    await printing.drain(lambda: len(_pulses(printing)) == 1)
    assert _pulses(printing) == [PULSE]
    assert not printing.kitchen.received and not printing.bar.received

    # a card payment opens no drawer
    card = await _check(printing, "3", "Espresso")
    r = await printing.call("POST", f"/api/checks/{card['id']}/payments", json={"method": "card"})
    assert r.status_code == 201, r.text

    r = await printing.call("POST", "/api/drawer-sessions/no-sale", json={"reason": "change"})
    assert r.status_code == 200, r.text
    await printing.drain(lambda: len(_pulses(printing)) == 2)
    assert _pulses(printing) == [PULSE, PULSE]
    jobs = (await printing.call("GET", "/api/print-jobs", "manager")).json()
    drawer = [j for j in jobs if j["kind"] == "drawer"]
    assert len(drawer) == 2 and {j["state"] for j in drawer} == {"printed"}
    r = await printing.call("POST", f"/api/print-jobs/{drawer[0]['id']}/reprint", json={})
    assert r.status_code == 409


async def test_the_pulse_goes_to_the_printer_chosen_for_the_drawer(printing: Printing) -> None:
    printers = (await printing.call("GET", "/api/printers", "manager")).json()
    bar = next(p for p in printers if p["name"] == "Bar")
    assert not any(p["drawer"] for p in printers)
    r = await printing.call("PATCH", f"/api/printers/{bar['id']}", "waiter", json={"drawer": True})
    assert r.status_code == 403
    r = await printing.call("PATCH", f"/api/printers/{bar['id']}", "manager", json={"drawer": True})
    assert r.status_code == 200 and r.json()["drawer"], r.text
    r = await printing.call("POST", "/api/drawer-sessions", json={"opening_float": 5000})
    assert r.status_code == 201, r.text
    r = await printing.call("POST", "/api/drawer-sessions/no-sale", json={"reason": "change"})
    assert r.status_code == 200, r.text
    await printing.drain(lambda: bool(decode(bytes(printing.bar.received)).pulses))
    assert decode(bytes(printing.bar.received)).pulses == [PULSE]
    assert _pulses(printing) == []
    # one drawer per venue: choosing the receipt printer unchooses the bar's
    receipt = next(p for p in printers if p["name"] == "Receipt")
    r = await printing.call(
        "PATCH", f"/api/printers/{receipt['id']}", "manager", json={"drawer": True}
    )
    assert r.status_code == 200, r.text
    printers = (await printing.call("GET", "/api/printers", "manager")).json()
    assert [p["name"] for p in printers if p["drawer"]] == ["Receipt"]
    audit = await printing.sql(
        "SELECT detail FROM audit_entries WHERE venue_id = :v AND action = 'printer.changed'",
        v=printing.venue_id,
    )
    drawer_changes = [row[0]["drawer"] for row in audit if "drawer" in row[0]]
    assert drawer_changes == [{"from": False, "to": True}] * 2
