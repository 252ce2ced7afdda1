"""PostgreSQL stopped and started again under a rush, the server left running.

While the database is down ``/health`` answers 503 and the handhelds' calls fail and are
retried with their keys; once it is back the server serves again without a restart,
every accepted order exists exactly once, and a live client gets every ``orders`` event
exactly once (caught up from the log).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from pos_service import demo as demo_data
from pos_service.app import create_app
from pos_service.client import Event, LiveClient
from pos_service.config import Settings
from pos_service.core import embedded
from pos_service.core.db import create_engine
from pos_service.migrations import upgrade_async
from tests.reliability.test_crash import HANDHELDS, follow
from tests.support.database import DATA_DIR
from tests.support.faults import audit, event_seqs, login, rush, table_ids, venue_id
from tests.support.servers import serve, ws_url

ORDERS = 30


@pytest.fixture
async def own_database(worker_id: str) -> AsyncIterator[tuple[Path, str]]:
    """A PostgreSQL of this test's own (never the shared test server): (data dir, URL)."""
    data_dir = DATA_DIR.parent / f"outage-postgres-{worker_id}"
    shutil.rmtree(data_dir, ignore_errors=True)
    server = await asyncio.to_thread(embedded.start, data_dir)
    url = embedded.database_url(server, "pos")
    await upgrade_async(url)
    try:
        yield data_dir, url
    finally:
        await asyncio.to_thread(embedded.stop, data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.mark.timeout(180)
async def test_a_database_outage_under_a_rush_loses_nothing(
    own_database: tuple[Path, str], settings: Settings
) -> None:
    data_dir, url = own_database
    app = create_app(
        Settings(
            database_url=url,
            var_dir=settings.var_dir,
            secret_key="test-secret",
            argon2_time_cost=1,
            argon2_memory_kib=8,
            run_background=False,
        )
    )
    engine = create_engine(url, pool_size=2)
    health: list[int] = []
    outage_seconds: list[float] = []
    live: list[Event] = []
    try:
        async with serve(app) as base:
            async with app.state.sessions() as session, session.begin():
                await demo_data.seed(session, app.state.security)
            venue = await venue_id(engine)
            tokens = [await login(base, pin, engine) for pin in ("1111", "1112")]

            async def outage(done: int) -> None:
                if done != ORDERS // 3:
                    return
                await engine.dispose()
                began = asyncio.get_running_loop().time()
                await asyncio.to_thread(embedded.stop, data_dir)
                async with httpx.AsyncClient(base_url=base, timeout=5) as http:
                    down = await http.get("/health")
                    health.append(down.status_code)
                    assert down.json() == {"status": "degraded", "database": "down"}
                    await asyncio.sleep(1.5)  # the handhelds keep trying meanwhile
                    socket_dir = url.split("host=", 1)[1]
                    await asyncio.to_thread(embedded.restart_stopped, data_dir, socket_dir)
                    async with asyncio.timeout(30):
                        while (await http.get("/health")).status_code != 200:
                            await asyncio.sleep(0.1)
                    health.append(200)
                    outage_seconds.append(asyncio.get_running_loop().time() - began)

            async with LiveClient(ws_url(base), tokens[0], ["orders"], since=0) as client:
                follower = asyncio.create_task(follow(client, live))
                result = await rush(
                    base,
                    [tokens[i % 2] for i in range(HANDHELDS)],
                    await table_ids(engine, venue),
                    ORDERS,
                    on_progress=outage,
                )
                expected = await event_seqs(engine, venue, "orders")
                async with asyncio.timeout(30):
                    while len(live) < len(expected):
                        await asyncio.sleep(0.05)
                follower.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await follower
        assert health == [503, 200]
        assert result.tally.failures["http 503"] > 0, "the outage went unnoticed"
        assert result.tally.failures["http 500"] == 0, "an outage is a 503, never a 500"
        # failing requests never stall the process (they once rendered tracebacks for seconds)
        assert outage_seconds[0] < 20
        found = await audit(engine, venue, result.orders)
        assert [e.seq for e in live] == expected, "the live client missed or repeated events"
        print(
            f"\ndatabase outage: {ORDERS} orders, {result.tally.requests} requests"
            f" ({result.tally.retries} retried: {dict(result.tally.failures)}),"
            f" {result.seconds:.1f} s, down for {outage_seconds[0]:.1f} s; {found}"
        )
    finally:
        await engine.dispose()
