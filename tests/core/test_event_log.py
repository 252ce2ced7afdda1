"""The event log: gap-free, duplicate-free, and numbered in commit order per venue."""

from __future__ import annotations

import asyncio

from tests.conftest import Demo


async def test_concurrent_writers_leave_no_gap_and_commit_in_seq_order(demo: Demo) -> None:
    checks = [await demo.open_check(str(n), covers=2) for n in range(1, 9)]
    burrata = (await demo.item("Burrata"))["id"]
    stop = asyncio.Event()
    holes: list[list[int]] = []
    snapshots = 0

    async def observer() -> None:
        # Any reader, at any moment, must see a contiguous prefix 1..max: if a later seq
        # could commit before an earlier one, some snapshot would show a hole.
        nonlocal snapshots
        while not stop.is_set():
            rows = await demo.sql(
                "SELECT seq FROM events WHERE venue_id = :v ORDER BY seq", v=demo.venue_id
            )
            seqs = [r[0] for r in rows]
            if seqs != list(range(1, len(seqs) + 1)):
                holes.append(seqs)
            snapshots += 1
            await asyncio.sleep(0)

    async def writer(check_id: int, role: str) -> None:
        for _ in range(6):
            r = await demo.call(
                "POST", f"/api/checks/{check_id}/lines", role, json={"item_id": burrata}
            )
            assert r.status_code == 201, r.text

    watching = asyncio.create_task(observer())
    await asyncio.gather(
        *(writer(c["id"], ("waiter", "waiter2")[i % 2]) for i, c in enumerate(checks))
    )
    stop.set()
    await watching

    assert holes == []
    assert snapshots > 5
    rows = await demo.sql(
        "SELECT seq, topic, type FROM events WHERE venue_id = :v ORDER BY seq", v=demo.venue_id
    )
    seqs = [r[0] for r in rows]
    assert seqs == list(range(1, len(seqs) + 1))
    added = [r for r in rows if r[2] == "line.added" and r[1] == "orders"]
    assert len(added) == 8 * 6
    counter = await demo.sql(
        "SELECT value FROM counters WHERE venue_id = :v AND name = 'event_seq'", v=demo.venue_id
    )
    assert counter[0][0] == seqs[-1]


async def test_failed_change_writes_no_event(demo: Demo) -> None:
    check = await demo.open_check()
    before = await demo.sql("SELECT count(*) FROM events")
    r = await demo.add(check["id"], "Ribeye")  # required modifiers missing
    assert r.status_code == 422
    after = await demo.sql("SELECT count(*) FROM events")
    assert after == before
