"""Tickets come out: content, backup printers, hanging printers, crashes, reprints, voids."""

from __future__ import annotations

import asyncio

import msgspec

from pos_service.core.db import now_utc
from pos_service.printing import service
from printers.decoder import decode
from tests.printing.conftest import POLICY, Printing, texts, ticket


async def test_ticket_reads_as_the_cook_needs_it(printing: Printing) -> None:
    job_id = await printing.enqueue("hot")
    assert (await printing.job(job_id))["state"] == "queued"

    assert await printing.dispatcher.run_once() == 1
    [out] = texts(printing.kitchen)
    assert out.find("12")[0].double_width and "#42" in out.find("12")[0].text
    assert out.find("2 x Ribeye")[0].bold
    assert out.find("medium-rare") and out.find("fries")
    assert out.find("NOTE: sauce on the side")
    [allergy] = out.find("ALLERGY: peanuts")
    assert allergy.red and allergy.bold  # the kitchen printer has red ink
    assert out.cuts == 1 and out.buzzes == 1
    assert "REPRINT" not in out.text and "BACKUP" not in out.text

    job = await printing.job(job_id)
    assert job["state"] == "printed" and job["attempts"] == 1 and job["printed_at"]
    queued = await printing.events("print.queued")
    assert [(t, d["job_id"]) for t, d in queued] == [("printers", job_id)]
    assert len(await printing.events("print.printed")) == 1
    assert printing.bar.jobs == []


async def test_void_prints_a_void_ticket(printing: Printing) -> None:
    job_id = await printing.transaction(
        lambda s: service.enqueue_void(
            s, printing.venue_id, printing.station_ids["bar"], ticket(7, station="bar")
        )
    )
    await printing.dispatcher.run_once()
    [out] = texts(printing.bar)
    assert out.find("VOID")[0].inverted and "#7" in out.text
    assert (await printing.job(job_id or 0))["kind"] == "void"


async def test_station_without_printer_queues_nothing(printing: Printing) -> None:
    kitchen = printing.printer_ids["Kitchen"]
    hot, cold = printing.station_ids["hot"], printing.station_ids["cold"]
    r = await printing.call(
        "PATCH", f"/api/printers/{kitchen}", "manager", json={"station_ids": [hot, cold]}
    )
    assert r.status_code == 200 and r.json()["station_ids"] == [hot, cold]
    pastry = printing.station_ids["pastry"]
    assert (
        await printing.transaction(
            lambda s: service.enqueue_ticket(s, printing.venue_id, pastry, ticket())
        )
        is None
    )
    assert await printing.sql("SELECT id FROM print_jobs") == []


async def test_offline_primary_goes_to_backup_in_time(printing: Printing) -> None:
    await printing.kitchen.stop()  # nothing listens: connection refused
    first = await printing.enqueue("hot", ticket(1))
    second = await printing.enqueue("cold", ticket(2, station="cold"))

    took = await printing.drain(lambda: len(printing.bar.jobs) == 2)
    # three attempts on the kitchen printer, backoff 0.05 s then 0.1 s, then the backup
    assert took < 2.0
    outs = texts(printing.bar)
    assert [o.find("BACKUP for Kitchen")[0].inverted for o in outs] == [True, True]
    assert "#1" in outs[0].text and "#2" in outs[1].text
    for job_id in (first, second):
        job = await printing.job(job_id)
        assert job["state"] == "printed"
        assert job["printer_id"] == printing.printer_ids["Bar"]
        assert job["rerouted_from"] == printing.printer_ids["Kitchen"]
        assert job["banner"] == "BACKUP for Kitchen"
    rerouted = await printing.events("print.rerouted")
    assert {t for t, _ in rerouted} == {"printers", "orders"}
    assert {d["job_id"] for _, d in rerouted} == {first, second}
    assert rerouted[0][1]["error"] and "cannot connect" in rerouted[0][1]["error"]
    statuses = await printing.events("printer.status_changed")
    assert ("Kitchen", "offline") in {(d["name"], d["status"]) for _, d in statuses}


async def test_printer_known_down_sends_new_jobs_straight_to_backup(printing: Printing) -> None:
    printing.kitchen.mode = "paper_out"
    scheduler = printing.app.state.scheduler
    await scheduler.run_task("printing.health")
    printers = (await printing.call("GET", "/api/printers")).json()
    kitchen = next(p for p in printers if p["name"] == "Kitchen")
    assert kitchen["status"] == "paper_out" and kitchen["backup_id"] == printing.printer_ids["Bar"]

    job_id = await printing.enqueue("hot")
    assert await printing.dispatcher.run_once() == 0  # rerouted without an attempt
    assert await printing.dispatcher.run_once() == 1
    assert printing.kitchen.jobs == []
    [out] = texts(printing.bar)
    assert out.find("BACKUP for Kitchen")
    assert (await printing.job(job_id))["last_error"] == "Kitchen is paper_out"

    # the paper is changed: the probe notices and records it
    printing.kitchen.mode = "ok"
    await scheduler.run_task("printing.health")
    changes = [
        (d["name"], d["previous"], d["status"])
        for _, d in await printing.events("printer.status_changed")
    ]
    assert ("Kitchen", "paper_out", "online") in changes
    await printing.enqueue("hot", ticket(43))
    await printing.dispatcher.run_once()
    assert len(printing.kitchen.jobs) == 1


async def test_hanging_printer_times_out_and_the_server_keeps_serving(printing: Printing) -> None:
    printing.kitchen.mode = "hang"
    job_id = await printing.enqueue("hot")
    latencies: list[float] = []
    loop = asyncio.get_running_loop()

    async def health_checks() -> None:
        await asyncio.sleep(0.05)
        for _ in range(5):
            start = loop.time()
            r = await printing.http.get("/health")
            latencies.append(loop.time() - start)
            assert r.status_code == 200
            await asyncio.sleep(0.02)

    start = loop.time()
    await asyncio.gather(printing.dispatcher.run_once(), health_checks())
    stuck = loop.time() - start
    assert stuck >= 0.3  # the status query waited out its timeout
    assert max(latencies) < 0.2, latencies  # /health was answered meanwhile
    job = await printing.job(job_id)
    assert job["state"] == "queued" and job["attempts"] == 1
    assert "no status answer" in job["last_error"] and not job["may_have_printed"]

    printing.kitchen.mode = "ok"
    await printing.drain(lambda: len(printing.kitchen.jobs) == 1)
    [out] = texts(printing.kitchen)
    assert "REPRINT" not in out.text  # nothing had gone out before
    job = await printing.job(job_id)
    assert job["state"] == "printed" and job["attempts"] == 2


async def test_jobs_left_by_a_crash_print_once_and_the_unsure_one_says_reprint(
    printing: Printing,
) -> None:
    ids = [await printing.enqueue("hot", ticket(n)) for n in (1, 2, 3)]
    # The old server claimed ticket 1, wrote it to the printer, and died before settling.
    [claim] = await printing.dispatcher.claim()
    assert claim.job_id == ids[0]
    printing.kitchen.received.clear()
    writer = (await asyncio.open_connection("127.0.0.1", printing.kitchen.port))[1]
    writer.write(claim.data)
    await writer.drain()
    writer.close()
    await printing.kitchen.wait_for_jobs(1)
    # While ticket 1 is in flight its printer takes nothing else.
    assert await printing.dispatcher.run_once() == 0

    scheduler = printing.app.state.scheduler
    assert await scheduler.run_task("printing.recover") == 0  # its lease still runs
    await printing.execute("UPDATE print_jobs SET lease_until = now() - interval '1 second'")
    assert await scheduler.run_task("printing.recover") == 1
    await printing.drain(lambda: len(printing.kitchen.jobs) == 4)

    outs = texts(printing.kitchen)
    numbers = [next(n for n in (1, 2, 3) if f"#{n}" in o.text) for o in outs]
    marked = ["REPRINT 1" in o.text for o in outs]
    assert list(zip(numbers, marked, strict=True)) == [
        (1, False),  # the copy the old server printed
        (1, True),
        (2, False),
        (3, False),
    ]
    first = await printing.job(ids[0])
    assert first["state"] == "printed" and first["may_have_printed"] and first["reprint"] == 1
    for job_id in ids[1:]:
        assert (await printing.job(job_id))["state"] == "printed"
    [(_, requeued)] = await printing.events("print.requeued")
    assert requeued["job_id"] == ids[0] and requeued["may_have_printed"]


async def test_reprint_on_demand_is_numbered(printing: Printing) -> None:
    job_id = await printing.enqueue("hot")
    await printing.dispatcher.run_once()
    r = await printing.call("POST", f"/api/print-jobs/{job_id}/reprint", json={})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "reprint" and r.json()["reprint"] == 1
    r = await printing.call("POST", f"/api/print-jobs/{r.json()['id']}/reprint", json={})
    assert r.json()["reprint"] == 2 and r.json()["reprint_of"] == job_id
    # on another printer it says whose ticket it is
    bar = printing.printer_ids["Bar"]
    r = await printing.call(
        "POST", f"/api/print-jobs/{job_id}/reprint", "kitchen", json={"printer_id": bar}
    )
    assert r.status_code == 201 and r.json()["banner"] == "BACKUP for Kitchen"
    await printing.drain(lambda: len(printing.kitchen.jobs) == 3 and len(printing.bar.jobs) == 1)
    marks = [o.find("REPRINT")[0].text.strip() for o in texts(printing.kitchen)[1:]]
    assert marks == ["REPRINT 1", "REPRINT 2"]
    assert decode(printing.bar.jobs[0]).find("REPRINT 3")

    r = await printing.call("POST", "/api/print-jobs/999/reprint", json={})
    assert r.status_code == 404 and r.json()["field"] == "job_id"
    r = await printing.call("POST", f"/api/print-jobs/{job_id}/reprint", "host", json={})
    assert r.status_code == 403


async def test_no_printer_left_fails_loudly_and_prints_when_back(printing: Printing) -> None:
    receipt = printing.printer_ids["Receipt"]
    await printing.fakes["Receipt"].stop()
    job_id = await printing.transaction(
        lambda s: service.enqueue(s, printing.venue_id, receipt, ticket(), "ticket")
    )
    for _ in range(30):
        await printing.dispatcher.run_once()
        if (await printing.job(job_id))["state"] == "failed":
            break
        await asyncio.sleep(0.05)
    assert (await printing.job(job_id))["state"] == "failed"
    [(topic_a, failed), (topic_b, _)] = await printing.events("print.failed")
    assert {topic_a, topic_b} == {"printers", "orders"} and failed["printer"] == "Receipt"
    r = await printing.call("GET", "/api/print-jobs", params={"state": "failed"})
    assert [j["id"] for j in r.json()] == [job_id]

    await printing.fakes["Receipt"].start()  # same port
    await printing.app.state.scheduler.run_task("printing.health", now=now_utc())
    await printing.drain(lambda: len(printing.fakes["Receipt"].jobs) == 1)
    assert (await printing.job(job_id))["state"] == "printed"


async def test_a_printer_that_drops_the_kept_connection_prints_the_next_job_once(
    printing: Printing,
) -> None:
    printing.dispatcher.policy = msgspec.structs.replace(POLICY, keep_seconds=10.0)
    first = await printing.enqueue("hot", ticket(1))
    await printing.dispatcher.run_once()
    second = await printing.enqueue("hot", ticket(2))
    await printing.dispatcher.run_once()
    assert printing.kitchen.accepted == 1  # the second ticket went over the kept connection

    printing.kitchen.drop_connections()  # the printer restarts
    await asyncio.sleep(0.05)
    third = await printing.enqueue("hot", ticket(3))
    assert await printing.dispatcher.run_once() == 1
    outs = texts(printing.kitchen)
    assert [[n for n in ("#1", "#2", "#3") if n in o.text] for o in outs] == [
        ["#1"],
        ["#2"],
        ["#3"],
    ]
    assert not any("REPRINT" in o.text for o in outs)
    for job_id in (first, second, third):
        job = await printing.job(job_id)
        assert job["state"] == "printed" and job["attempts"] == 1
    changes = [d["status"] for _, d in await printing.events("printer.status_changed")]
    assert changes == ["online"]
