"""A kitchen ticket's number: the one on the station's screen is the one on its paper.

The send's print jobs carry the number as a column (their stored document has none); the
bytes a printer gets are rendered when the job is claimed, by the server's dispatcher or
through the agent's claim, with the number joined."""

from __future__ import annotations

import asyncio
import base64
import re
from typing import Any

from printers.decoder import decode
from tests.printing.conftest import Printing


async def _table(p: Printing, name: str) -> int:
    [(table_id,)] = await p.sql(
        "SELECT id FROM dining_tables WHERE venue_id = :v AND name = :n", v=p.venue_id, n=name
    )
    return int(table_id)


async def _item(p: Printing, name: str) -> int:
    [(item_id,)] = await p.sql(
        "SELECT id FROM items WHERE venue_id = :v AND name = :n", v=p.venue_id, n=name
    )
    return int(item_id)


async def _check_with(p: Printing, table: str, item: str) -> int:
    """An open check at ``table`` with one pending ``item``."""
    r = await p.call("POST", "/api/checks", json={"table_id": await _table(p, table), "covers": 2})
    assert r.status_code == 201, r.text
    check_id = int(r.json()["id"])
    body = {"item_id": await _item(p, item), "quantity": 1, "modifiers": []}
    r = await p.call("POST", f"/api/checks/{check_id}/lines", json=body)
    assert r.status_code in (200, 201), r.text
    return check_id


async def _send(p: Printing, check_id: int) -> None:
    r = await p.call("POST", f"/api/checks/{check_id}/send", json={})
    assert r.status_code == 200, r.text


async def _on_screen(p: Printing, station: str) -> dict[int, int]:
    """The station screen's tickets: check id -> ticket number."""
    r = await p.call("GET", "/api/kitchen/tickets", "kitchen", params={"station": station})
    assert r.status_code == 200, r.text
    return {t["check_id"]: t["number"] for t in r.json()["tickets"]}


def _paper(data: bytes) -> tuple[str, int]:
    """The table and the ticket number a cook reads on a printed ticket."""
    text = decode(data).text
    found = re.search(r"^\s*(\S+)\s+#(\d+)\s*$", text, re.MULTILINE)
    assert found is not None, text
    return found.group(1), int(found.group(2))


async def _jobs_of(p: Printing, check_id: int) -> list[Any]:
    return await p.sql(
        "SELECT j.id, j.number, j.document ? 'ticket_number' AS in_document, t.number AS ticket "
        "FROM print_jobs j JOIN kitchen_tickets t ON t.venue_id = j.venue_id "
        "AND t.station_id = j.station_id WHERE j.venue_id = :v AND t.check_id = :c "
        "ORDER BY j.id",
        v=p.venue_id,
        c=check_id,
    )


async def test_a_sent_tickets_paper_carries_the_number_on_its_screen(printing: Printing) -> None:
    p = printing
    check_id = await _check_with(p, "5", "Burrata")
    await _send(p, check_id)
    number = (await _on_screen(p, "cold"))[check_id]

    [job] = await _jobs_of(p, check_id)
    assert (job.number, job.ticket) == (number, number)
    assert not job.in_document  # the number lives in the job's column, once
    read = await p.job(job.id)
    assert read["number"] == number and read["document"]["ticket_number"] == number

    await p.drain(lambda: len(p.kitchen.jobs) == 1)
    assert _paper(p.kitchen.jobs[0]) == ("5", number)


async def test_the_agents_claim_carries_the_number_on_the_screen(printing: Printing) -> None:
    p = printing
    await p.execute(
        'UPDATE venues SET settings = settings || \'{"print_mode": "agent"}\' WHERE id = :v',
        v=p.venue_id,
    )
    check_id = await _check_with(p, "6", "Burrata")
    await _send(p, check_id)
    number = (await _on_screen(p, "cold"))[check_id]

    r = await p.call("POST", "/api/print-jobs/claim", "printer", json={"limit": 10})
    assert r.status_code == 200, r.text
    [claimed] = r.json()
    assert claimed["printer"] == "Kitchen" and claimed["kind"] == "ticket"
    assert _paper(base64.b64decode(claimed["data"])) == ("6", number)


async def test_a_reprint_carries_the_same_number(printing: Printing) -> None:
    p = printing
    check_id = await _check_with(p, "7", "Burrata")
    await _send(p, check_id)
    number = (await _on_screen(p, "cold"))[check_id]
    [job] = await _jobs_of(p, check_id)
    await p.drain(lambda: len(p.kitchen.jobs) == 1)

    r = await p.call("POST", f"/api/print-jobs/{job.id}/reprint", json={})
    assert r.status_code == 201, r.text
    assert r.json()["number"] == number
    await p.drain(lambda: len(p.kitchen.jobs) == 2)
    first, again = p.kitchen.jobs
    assert _paper(first) == _paper(again) == ("7", number)
    assert "REPRINT 1" in decode(again).text and "REPRINT" not in decode(first).text


async def test_concurrent_sends_get_consecutive_numbers_on_screen_and_on_paper(
    printing: Printing,
) -> None:
    p, sends = printing, 3
    tables = [str(8 + i) for i in range(sends)]
    checks = {table: await _check_with(p, table, "Burrata") for table in tables}
    await asyncio.gather(*(_send(p, check_id) for check_id in checks.values()))

    screen = await _on_screen(p, "cold")
    numbers = sorted(screen[check_id] for check_id in checks.values())
    assert numbers == list(range(numbers[0], numbers[0] + sends))  # distinct, consecutive

    await p.drain(lambda: len(p.kitchen.jobs) == sends)
    printed = sorted(_paper(data) for data in p.kitchen.jobs)
    assert printed == sorted((table, screen[checks[table]]) for table in tables)


async def test_a_void_slip_carries_its_tickets_number(printing: Printing) -> None:
    p = printing
    check_id = await _check_with(p, "11", "Burrata")
    await _send(p, check_id)
    number = (await _on_screen(p, "cold"))[check_id]
    [(line_id,)] = await p.sql(
        "SELECT id FROM check_lines WHERE venue_id = :v AND check_id = :c", v=p.venue_id, c=check_id
    )
    r = await p.call("POST", "/api/auth/approve", json={"pin": "9999", "action": "void"})
    assert r.status_code == 200, r.text
    r = await p.call(
        "POST",
        f"/api/checks/{check_id}/lines/{line_id}/void",
        json={"reason": "wrong dish", "approval": r.json()["approval"]},
    )
    assert r.status_code == 200, r.text

    await p.drain(lambda: len(p.kitchen.jobs) == 2)
    ticket, void = p.kitchen.jobs
    assert _paper(ticket) == _paper(void) == ("11", number)
    assert "VOID" in decode(void).text and "VOID" not in decode(ticket).text
