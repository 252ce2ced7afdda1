"""86 counts under concurrent sends: the last portions go to exactly one waiter."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict
from pos_service.core.events import Committed
from pos_service.core.uow import UnitOfWork
from pos_service.kitchen import service
from pos_service.orders.schemas import CheckRead, CheckWrite
from tests.conftest import Demo
from tests.kitchen.support import screen


class Discard:
    async def published(self, committed: list[Committed]) -> None:
        """Nothing listens in this test."""


async def waiting_on_locks(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(
            await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
            or 0
        )


async def test_racing_sends_never_take_the_count_below_zero(
    demo: Demo, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tiramisu = await demo.item("Tiramisu")
    r = await demo.call(
        "PATCH", f"/api/menu/items/{tiramisu['id']}", "kitchen", json={"remaining": 2}
    )
    assert r.status_code == 200
    staff = {
        row.name: row.id
        for row in await demo.sql("SELECT id, name FROM staff WHERE venue_id = :v", v=demo.venue_id)
    }
    sends = []
    for table, role, name in (
        ("3", "waiter", "Anna"),
        ("4", "waiter2", "Ben"),
        ("5", "waiter", "Anna"),
    ):
        check = await demo.open_check(table, role=role)
        assert (await demo.add(check["id"], "Tiramisu", role=role)).status_code == 201
        caller = Caller(
            kind="staff",
            venue_id=demo.venue_id,
            staff_id=staff[name],
            name=name,
            roles=frozenset({"waiter"}),
        )
        sends.append((UnitOfWork(sessions, caller, Discard()), check["id"]))

    # Hold the item row so that all three sends are in flight before any counts down.
    async with sessions() as blocker, blocker.begin():
        await blocker.execute(
            text("SELECT 1 FROM items WHERE venue_id = :v AND id = :i FOR UPDATE"),
            {"v": demo.venue_id, "i": tiramisu["id"]},
        )
        tasks = [
            asyncio.create_task(uow.write_tx(service.send, check_id, CheckWrite()))
            for uow, check_id in sends
        ]
        for _ in range(500):
            if await waiting_on_locks(sessions) == 3:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the sends never met at the item's row lock")
    results = await asyncio.gather(*tasks, return_exceptions=True)

    assert sum(isinstance(r, CheckRead) for r in results) == 2
    (refused,) = [r for r in results if isinstance(r, Conflict)]
    assert refused.extra["item"] == "Tiramisu" and "Tiramisu" in refused.detail
    rows = await demo.sql("SELECT remaining, available FROM items WHERE id = :i", i=tiramisu["id"])
    assert (rows[0].remaining, rows[0].available) == (0, False)
    assert len(await screen(demo, "pastry")) == 2
    loser = sends[results.index(refused)][1]
    r = await demo.call("GET", f"/api/checks/{loser}")
    assert [line["state"] for line in r.json()["lines"]] == ["pending"]
    r = await demo.call("POST", f"/api/checks/{loser}/send", json={})
    assert r.status_code == 409 and r.json()["item"] == "Tiramisu"
