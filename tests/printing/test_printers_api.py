"""Configuring printers: the demo's setup, validation, roles, and connections we cannot drive."""

from __future__ import annotations

from pos_service.printing import service
from tests.printing.conftest import Printing, ticket


async def test_demo_printers_and_their_stations(printing: Printing) -> None:
    r = await printing.call("GET", "/api/printers", "waiter")
    assert r.status_code == 200
    by_name = {p["name"]: p for p in r.json()}
    stations = printing.station_ids
    kitchen, bar, receipt = by_name["Kitchen"], by_name["Bar"], by_name["Receipt"]
    assert sorted(kitchen["station_ids"]) == sorted(
        [stations["hot"], stations["cold"], stations["pastry"]]
    )
    assert bar["station_ids"] == [stations["bar"]] and receipt["station_ids"] == []
    assert kitchen["backup_id"] == bar["id"] and kitchen["two_colour"] and kitchen["buzzer"]
    assert {p["role"] for p in r.json()} == {"kitchen", "bar", "receipt"}
    assert all(p["status"] == "unknown" and p["queued"] == 0 for p in r.json())

    await printing.enqueue("hot")
    r = await printing.call("GET", "/api/printers", "kitchen")
    assert {p["name"]: p["queued"] for p in r.json()}["Kitchen"] == 1


async def test_only_managers_configure_and_input_is_checked(printing: Printing) -> None:
    new = {"name": "Pass", "connection": "network", "address": "10.0.0.9:9100", "role": "kitchen"}
    r = await printing.call("POST", "/api/printers", "waiter", json=new)
    assert r.status_code == 403
    r = await printing.call("POST", "/api/printers", "manager", json=new)
    assert r.status_code == 201, r.text
    assert r.json()["width"] == 42 and r.json()["code_page"] == "CP858"
    pass_id = r.json()["id"]

    bad = {
        "name": ({**new, "name": "Kitchen"}, 409),
        "address": ({**new, "name": "X", "address": "printer:abc"}, 422),
        "code_page": ({**new, "name": "X", "code_page": "KLINGON"}, 422),
        "width": ({**new, "name": "X", "width": 50}, 422),
        "backup_id": ({**new, "name": "X", "backup_id": 999}, 422),
        "station_ids": ({**new, "name": "X", "station_ids": [printing.station_ids["hot"]]}, 409),
    }
    for field, (body, status) in bad.items():
        r = await printing.call("POST", "/api/printers", "manager", json=body)
        assert (r.status_code, r.json().get("field")) == (status, field), r.text
    r = await printing.call(
        "POST", "/api/printers", "manager", json={**new, "name": "Y", "station_ids": [999]}
    )
    assert (r.status_code, r.json()["field"]) == (422, "station_ids")  # an unknown station

    r = await printing.call(
        "PATCH", f"/api/printers/{pass_id}", "manager", json={"backup_id": pass_id}
    )
    assert r.status_code == 422 and r.json()["field"] == "backup_id"
    r = await printing.call("PATCH", "/api/printers/999", "manager", json={"width": 32})
    assert r.status_code == 404
    r = await printing.call("GET", "/api/print-jobs", "waiter", params={"state": "lost"})
    assert r.status_code in (400, 422)


async def test_usb_printer_fails_its_jobs_cleanly(printing: Printing) -> None:
    r = await printing.call(
        "POST",
        "/api/printers",
        "manager",
        json={"name": "Till", "connection": "usb", "address": "/dev/usb/lp0", "role": "receipt"},
    )
    assert r.status_code == 201, r.text
    till = r.json()["id"]
    job_id = await printing.transaction(
        lambda s: service.enqueue(s, printing.venue_id, till, ticket(), "receipt")
    )
    assert await printing.dispatcher.run_once() == 1
    job = await printing.job(job_id)
    assert job["state"] == "queued" and job["attempts"] == 1
    assert "usb printers are not supported here" in job["last_error"]


async def test_printer_changes_are_versioned_audited_and_live(printing: Printing) -> None:
    listed = {p["name"]: p for p in (await printing.call("GET", "/api/printers", "waiter")).json()}
    bar = listed["Bar"]
    path = f"/api/printers/{bar['id']}"
    r = await printing.call(
        "PATCH",
        path,
        "manager",
        json={"version": bar["version"], "backup_id": listed["Kitchen"]["id"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == bar["version"] + 1
    stale = await printing.call(
        "PATCH", path, "manager", json={"version": bar["version"], "width": 32}
    )
    assert (stale.status_code, stale.json()["field"]) == (409, "version")
    assert stale.json()["current"]["width"] == 42
    rows = await printing.sql(
        "SELECT action, detail->'backup_id'->>'to' FROM audit_entries WHERE venue_id = :v"
        " AND subject = :s ORDER BY id DESC LIMIT 1",
        v=printing.venue_id,
        s=f"printer:{bar['id']}",
    )
    assert [tuple(row) for row in rows] == [("printer.changed", str(listed["Kitchen"]["id"]))]
    seen = await printing.sql(
        "SELECT type, data->>'backup_id' FROM events WHERE venue_id = :v AND topic = 'printers'"
        " ORDER BY seq DESC LIMIT 1",
        v=printing.venue_id,
    )
    assert [tuple(row) for row in seen] == [("printer.configured", str(listed["Kitchen"]["id"]))]
