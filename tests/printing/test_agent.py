"""Agent mode: jobs wait in the queue until the venue's print agent claims and acknowledges them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pos_service.printing.demo import AGENT_PIN
from printers import agent
from printers.connections import Timeouts
from printers.decoder import decode
from tests.printing.conftest import Printing, texts, ticket

FAST = Timeouts(connect=0.5, write=0.5, status=0.3, total=2.0)


@pytest.fixture
async def agent_mode(printing: Printing) -> Printing:
    await printing.execute(
        'UPDATE venues SET settings = settings || \'{"print_mode": "agent"}\' WHERE id = :v',
        v=printing.venue_id,
    )
    return printing


def api_for(printing: Printing, role: str = "printer") -> agent.HttpApi:
    token = printing.headers[role]["Authorization"].removeprefix("Bearer ")
    return agent.HttpApi(str(printing.http.base_url), token)


async def test_jobs_wait_for_the_agent_then_print_and_are_acknowledged(
    agent_mode: Printing,
) -> None:
    p = agent_mode
    kitchen_job = await p.enqueue("hot", ticket(1))
    bar_job = await p.enqueue("bar", ticket(2, station="bar"))
    # the server does not drive an agent venue's printers: the jobs wait
    assert await p.dispatcher.run_once() == 0
    r = await p.call("GET", "/api/print-jobs", params={"state": "queued"})
    assert sorted(j["id"] for j in r.json()) == [kitchen_job, bar_job]
    wake_ups = await p.events("print.job")
    assert [(t, d["job_id"]) for t, d in wake_ups] == [
        ("printers", kitchen_job),
        ("printers", bar_job),
    ]
    assert p.kitchen.jobs == [] and p.bar.jobs == []

    # the agent comes back: it claims, prints and acknowledges over HTTP
    assert await agent.print_due(api_for(p), timeouts=FAST) == 2
    [kitchen_out] = texts(p.kitchen)
    [bar_out] = texts(p.bar)
    assert "#1" in kitchen_out.text and kitchen_out.find("ALLERGY: peanuts")[0].red
    assert "#2" in bar_out.text
    for job_id in (kitchen_job, bar_job):
        job = await p.job(job_id)
        assert job["state"] == "printed" and job["attempts"] == 1
    assert await agent.print_due(api_for(p), timeouts=FAST) == 0  # nothing prints twice

    # a repeated acknowledgement changes nothing
    r = await p.call("POST", f"/api/print-jobs/{kitchen_job}/ack", "printer", json={"ok": True})
    assert r.status_code == 200 and r.json()["state"] == "printed"


async def test_agent_failure_is_retried_and_reported(agent_mode: Printing) -> None:
    p = agent_mode
    p.kitchen.mode = "paper_out"
    job_id = await p.enqueue("hot")
    assert await agent.print_due(api_for(p), timeouts=FAST, max_rounds=1) == 1
    job = await p.job(job_id)
    assert job["state"] == "queued" and job["attempts"] == 1
    assert "paper out" in job["last_error"] and not job["may_have_printed"]
    printers = (await p.call("GET", "/api/printers")).json()
    assert next(x for x in printers if x["name"] == "Kitchen")["status"] == "paper_out"

    p.kitchen.mode = "ok"
    await asyncio.sleep(0.1)  # the backoff
    assert await agent.print_due(api_for(p), timeouts=FAST) == 1
    assert (await p.job(job_id))["state"] == "printed" and len(p.kitchen.jobs) == 1


async def test_agent_gone_after_claiming_prints_again_marked_reprint(agent_mode: Printing) -> None:
    p = agent_mode
    job_id = await p.enqueue("hot")
    [claimed] = await api_for(p).post("/api/print-jobs/claim", {})
    assert claimed["id"] == job_id and (await p.job(job_id))["state"] == "sending"
    # the agent vanished without an answer; its lease runs out
    assert await p.app.state.scheduler.run_task("printing.recover") == 0
    await p.execute("UPDATE print_jobs SET lease_until = now() - interval '1 second'")
    assert await p.app.state.scheduler.run_task("printing.recover") == 1
    assert await agent.print_due(api_for(p), timeouts=FAST) == 1
    [out] = texts(p.kitchen)
    assert out.find("REPRINT 1")
    assert (await p.job(job_id))["state"] == "printed"


async def test_agent_process_polls_when_the_live_socket_is_missing(agent_mode: Printing) -> None:
    p = agent_mode
    token = p.headers["printer"]["Authorization"].removeprefix("Bearer ")
    running = asyncio.create_task(agent.run(str(p.http.base_url), token, poll_seconds=0.1))
    try:
        await p.enqueue("hot")
        async with asyncio.timeout(5):
            await p.kitchen.wait_for_jobs(1)
    finally:
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
    assert decode(p.kitchen.jobs[0]).find("#42")


async def test_claims_need_the_printer_role_and_agent_mode(printing: Printing) -> None:
    r = await printing.call("POST", "/api/print-jobs/claim", "waiter", json={})
    assert r.status_code == 403
    r = await printing.call("POST", "/api/print-jobs/claim", "printer", json={})
    assert r.status_code == 409 and r.json()["field"] == "print_mode"
    r = await printing.call("POST", "/api/print-jobs/1/ack", "printer", json={"ok": False})
    assert r.status_code == 404


async def test_the_agent_pairs_signs_in_and_signs_in_again(
    agent_mode: Printing, tmp_path: Path
) -> None:
    """The agent trades a manager's pairing code for its credential, signs in with the
    printer PIN, and signs in again when its session ends."""
    p = agent_mode
    r = await p.call(
        "POST", "/api/devices/pairings", "manager", json={"name": "Print agent", "kind": "printer"}
    )
    assert r.status_code == 201, r.text
    base = str(p.http.base_url)
    kept = tmp_path / "agent.device"
    credential = await asyncio.to_thread(agent.pair, base, "demo", r.json()["code"], kept)
    assert kept.read_text() == credential and kept.stat().st_mode & 0o777 == 0o600
    with pytest.raises(agent.ServerError) as used:  # a code pairs one device
        await asyncio.to_thread(agent.pair, base, "demo", r.json()["code"], tmp_path / "again")
    assert used.value.status == 401
    sign_in = agent.signer_in(base, "demo", AGENT_PIN, credential)
    running = asyncio.create_task(agent.run(base, poll_seconds=0.1, sign_in=sign_in))
    try:
        await p.enqueue("hot")
        async with asyncio.timeout(5):
            await p.kitchen.wait_for_jobs(1)
        await p.execute("UPDATE staff SET epoch = epoch + 1 WHERE 'printer' = ANY(roles)")
        await asyncio.sleep(1)
        await p.enqueue("hot")
        async with asyncio.timeout(5):
            await p.kitchen.wait_for_jobs(2)
    finally:
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
    devices = (await p.call("GET", "/api/devices", "manager")).json()
    assert [d["name"] for d in devices if d["kind"] == "printer"] == ["Print agent"]
