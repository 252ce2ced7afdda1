"""Handhelds on a flaky network: connections dropped, bytes delayed, answers cut mid-way.

Every action is queued on its handheld and retried with its Idempotency-Key until the
server's answer arrives; each arrives exactly once.
"""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import Demo
from tests.reliability.conftest import rush_orders
from tests.reliability.test_crash import HANDHELDS
from tests.support.faults import audit, rush, table_ids
from tests.support.flaky_proxy import Faults, FlakyProxy


async def flaky_rush(demo: Demo, db: AsyncEngine, server_url: str, orders: int) -> None:
    host, port = server_url.removeprefix("http://").split(":")
    tokens = [
        demo.headers[role]["Authorization"].removeprefix("Bearer ")
        for role in ("waiter", "waiter2")
    ]
    # Handhelds keep their connections alive, so a rush opens only some forty: a drop
    # chance of 0.15 per connection (not the default 0.05) makes "no drop at all" rarer
    # than one run in a thousand, whatever order the faults are drawn in under load.
    faults = Faults(drop=0.15)
    async with FlakyProxy((host, int(port)), seed=5, faults=faults) as proxy:
        result = await rush(
            proxy.url,
            [tokens[i % 2] for i in range(HANDHELDS)],
            await table_ids(db, demo.venue_id),
            orders,
        )
    injected = proxy.injected
    assert injected.responses_cut > 0 and injected.dropped > 0 and injected.requests_cut > 0
    found = await audit(db, demo.venue_id, result.orders)
    print(
        f"\nflaky network: {orders} orders, {result.tally.requests} requests"
        f" ({result.tally.retries} retried: {dict(result.tally.failures)}),"
        f" {result.seconds:.1f} s; {injected}; {found}"
    )


@pytest.mark.timeout(120)
async def test_a_flaky_network_delivers_every_action_exactly_once(
    demo: Demo, db: AsyncEngine, server_url: str
) -> None:
    await flaky_rush(demo, db, server_url, orders=40)


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_long_rush_over_a_flaky_network(demo: Demo, db: AsyncEngine, server_url: str) -> None:
    await flaky_rush(demo, db, server_url, orders=rush_orders(200))
