"""A rush through a server that is killed (SIGKILL) and restarted on the same port.

Ten handhelds place whole orders (open, add, send, pay) with retried Idempotency-Keys;
afterwards every accepted order exists exactly once with its tickets, print jobs and
payment, the event log has no gap, the journal verifies, and a live client that rode
through the crash got every ``orders`` event exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from pos_service.client import Event, LiveClient
from pos_service.core.db import create_engine
from printers.fake import FakePrinter
from tests.reliability.conftest import rush_orders
from tests.support import database
from tests.support.faults import (
    ServerProcess,
    audit,
    event_seqs,
    login,
    rush,
    table_ids,
    venue_id,
)
from tests.support.servers import ws_url

HANDHELDS = 10


async def follow(client: LiveClient, into: list[Event]) -> None:
    async for event in client:
        into.append(event)


async def crash_rush(database_url: str, tmp_path: Path, orders: int, kills: int) -> None:
    await asyncio.to_thread(database.reset_with_demo, database_url)
    engine = create_engine(database_url, pool_size=2)
    printer = FakePrinter()
    await printer.start()
    live: list[Event] = []
    try:
        venue = await venue_id(engine)
        async with engine.begin() as conn:
            await conn.exec_driver_sql(
                f"UPDATE printers SET address = '127.0.0.1:{printer.port}' WHERE venue_id = {venue}"
            )
        async with ServerProcess(database_url, tmp_path / "server.log") as server:
            tokens = [await login(server.url, pin, engine) for pin in ("1111", "1112")]
            kill_at = {orders * (k + 1) // (kills + 1) for k in range(kills)}

            async def crash(done: int) -> None:
                if done in kill_at:
                    server.kill()
                    await asyncio.sleep(0.2)
                    await server.start()

            async with LiveClient(ws_url(server.url), tokens[0], ["orders"], since=0) as client:
                follower = asyncio.create_task(follow(client, live))
                result = await rush(
                    server.url,
                    [tokens[i % 2] for i in range(HANDHELDS)],
                    await table_ids(engine, venue),
                    orders,
                    on_progress=crash,
                )
                expected = await event_seqs(engine, venue, "orders")
                async with asyncio.timeout(30):
                    while len(live) < len(expected):
                        await asyncio.sleep(0.05)
                follower.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await follower
            assert server.kills == kills
        assert len(result.orders) == orders
        found = await audit(engine, venue, result.orders)
        assert [e.seq for e in live] == expected, "the live client missed or repeated events"
        print(
            f"\ncrash rush: {orders} orders, {kills} SIGKILL(s), {result.tally.requests} requests"
            f" ({result.tally.retries} retried: {dict(result.tally.failures)}),"
            f" {result.seconds:.1f} s; {found}; live events {len(live)}"
        )
    finally:
        await printer.stop()
        await engine.dispose()


@pytest.mark.timeout(150)
async def test_a_killed_server_loses_and_doubles_nothing(database_url: str, tmp_path: Path) -> None:
    await crash_rush(database_url, tmp_path, orders=60, kills=1)


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_long_rush_through_several_kills(database_url: str, tmp_path: Path) -> None:
    await crash_rush(database_url, tmp_path, orders=rush_orders(200), kills=4)
