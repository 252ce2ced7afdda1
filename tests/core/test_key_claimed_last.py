"""A lean write claims its ``Idempotency-Key`` at the end, with its answer (decision
1566): a retry, a duplicate in flight and a key of another request are answered as when
the key was claimed first; a key whose first attempt failed is free again."""

from __future__ import annotations

import asyncio
from typing import Any

from pos_service.core import idempotency
from pos_service.core.db import driver
from tests.conftest import Demo
from tests.kitchen.test_countdown import waiting_on_locks
from tests.reliability.test_races import held


async def _send_ready(demo: Demo) -> int:
    """A check on a table already ordered from (its first send done), with a new line."""
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Espresso")).status_code == 201
    r = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert r.status_code == 200, r.text
    assert (await demo.add(check["id"], "Tiramisu", seat=1)).status_code == 201
    return int(check["id"])


async def _stored(demo: Demo, key: str) -> list[tuple[int, bytes]]:
    rows = await demo.sql(
        "SELECT status, response FROM idempotency_keys WHERE venue_id = :v AND key LIKE :k",
        v=demo.venue_id,
        k=f"%:{key}",
    )
    return [(row.status, bytes(row.response)) for row in rows]


async def _tickets(demo: Demo, check_id: int) -> int:
    rows = await demo.sql(
        "SELECT count(*) AS n FROM kitchen_tickets WHERE venue_id = :v AND check_id = :c",
        v=demo.venue_id,
        c=check_id,
    )
    return int(rows[0].n)


async def test_a_duplicate_racing_the_first_gets_the_first_answer_byte_for_byte(
    demo: Demo,
) -> None:
    """Two sends with one key meet at the check's lock: one sends, the other answers its
    bytes (it found nothing left to send, or its claim found the key taken)."""
    c = await _send_ready(demo)
    path = f"/api/checks/{c}/send"
    results = await held(
        demo,
        f"SELECT 1 FROM checks WHERE venue_id = :v AND id = {c} FOR UPDATE",
        [
            lambda: demo.call("POST", path, key="twice", json={}),
            lambda: demo.call("POST", path, key="twice", json={}),
        ],
    )

    first, second = results
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.content == second.content
    assert await _stored(demo, "twice") == [(200, first.content)]
    assert await _tickets(demo, c) == 2  # the first send's ticket and this one's, once
    sent = await demo.sql(
        "SELECT count(*) AS n FROM events WHERE venue_id = :v AND type = 'order.sent' "
        "AND topic = :t",
        v=demo.venue_id,
        t=f"check:{c}",
    )
    assert sent[0].n == 2


async def test_one_key_for_two_requests_in_flight_answers_the_second_422(demo: Demo) -> None:
    """A send and an add with the same key, racing: one lands, the other is refused as a
    key used for another request, and writes nothing."""
    c = await _send_ready(demo)
    tiramisu = (await demo.item("Tiramisu"))["id"]
    results = await held(
        demo,
        f"SELECT 1 FROM checks WHERE venue_id = :v AND id = {c} FOR UPDATE",
        [
            lambda: demo.call("POST", f"/api/checks/{c}/send", key="shared", json={}),
            lambda: demo.call(
                "POST", f"/api/checks/{c}/lines", key="shared", json={"item_id": tiramisu}
            ),
        ],
    )

    statuses = sorted(r.status_code for r in results)
    assert statuses in ([200, 422], [201, 422]), [r.text for r in results]
    (refused,) = [r for r in results if r.status_code == 422]
    assert refused.json()["field"] == "Idempotency-Key"
    (landed,) = [r for r in results if r.status_code != 422]
    assert await _stored(demo, "shared") == [(landed.status_code, landed.content)]
    lines = (await demo.call("GET", f"/api/checks/{c}")).json()["lines"]
    if landed.status_code == 200:  # the send landed, the add wrote nothing
        assert [line["state"] for line in lines] == ["sent", "sent"]
    else:  # the add landed, the send sent nothing
        assert [line["state"] for line in lines] == ["sent", "pending", "pending"]
        assert await _tickets(demo, c) == 1


async def test_a_key_whose_first_attempt_failed_runs_again(demo: Demo) -> None:
    c = await _send_ready(demo)
    stale = await demo.call("POST", f"/api/checks/{c}/send", key="again", json={"version": 1})
    assert stale.status_code == 409

    sent = await demo.call("POST", f"/api/checks/{c}/send", key="again", json={})

    assert sent.status_code == 200, sent.text
    assert [line["state"] for line in sent.json()["lines"]] == ["sent", "sent"]
    assert await _stored(demo, "again") == [(200, sent.content)]


async def test_a_write_waits_for_its_key_in_flight_and_answers_what_it_stored(
    demo: Demo,
) -> None:
    """The key is claimed (first) by a transaction still open: the lean write does not
    take it at the end, waits for that transaction, and answers the bytes it stored."""
    c = await _send_ready(demo)
    path = f"/api/checks/{c}/send"
    anna = await demo.sql(
        "SELECT id FROM staff WHERE venue_id = :v AND name = 'Anna'", v=demo.venue_id
    )
    key = f"s{anna[0].id}:in-flight"  # the waiter's key as stored (idempotency.scoped)
    fingerprint = idempotency.request_hash("POST", path, b"{}")
    stored = b'{"answered":"by the first"}'
    async with demo.sessions() as first, first.begin():
        conn = await driver(first)
        assert await idempotency.claim_on(conn, demo.venue_id, key, fingerprint) is None
        request = asyncio.create_task(demo.call("POST", path, key="in-flight", content=b"{}"))
        for _ in range(500):
            if await waiting_on_locks(demo.sessions) == 1:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the write never waited for the key")
        await idempotency.store_on(conn, demo.venue_id, key, 200, stored)
    answered: Any = await request

    assert answered.status_code == 200
    assert answered.content == stored
    lines = (await demo.call("GET", f"/api/checks/{c}")).json()["lines"]
    assert [line["state"] for line in lines] == ["sent", "pending"]
