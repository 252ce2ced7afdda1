"""The send's cost in process, by way of running its transaction: ``python -m bench txpath``.

The same sends (5 lines, 3 stations, the idempotency key, the events and the NOTIFY after
commit; no HTTP, no sockets) run alternately in blocks, lean on the plain asyncpg pool
(``core.tx.run``) and with an ORM session owning the transaction
(``core.tx.run_with_session``), and the process's CPU time per send is reported for each.
Interleaving the blocks lets a busy machine slow both alike; the ratio is the figure.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from bench import env

BLOCK = 50
BLOCKS = 6


async def measure(url: str) -> dict[str, list[float]]:
    """CPU milliseconds per send of each block, by way."""
    from pos_service.core.auth import Caller
    from pos_service.core.db import create_engine, create_pool, session_factory
    from pos_service.core.realtime import EventBus
    from pos_service.core.uow import UnitOfWork
    from pos_service.kitchen import service
    from pos_service.orders.schemas import CheckWrite

    await env.seed(url, 1)
    engine = create_engine(url, pool_size=4)
    pool = await create_pool(url, size=4)
    sessions = session_factory(engine)
    found: dict[str, list[float]] = {"lean": [], "session": []}
    try:
        async with sessions() as session:
            row: Any = (
                await session.execute(
                    _sql(
                        "SELECT v.id, s.id FROM venues v JOIN staff s ON s.venue_id = v.id "
                        "WHERE v.slug = 'bench0' AND s.name = 'Anna'"
                    )
                )
            ).one()
        venue = env.Venue(int(row[0]), "bench0", {}, int(row[1]), {})
        venue.items = await _items(url, venue.id)
        caller = Caller(
            kind="staff",
            venue_id=venue.id,
            staff_id=venue.waiter_id,
            name="Anna",
            roles=frozenset({"waiter"}),
        )
        bus = EventBus(engine, pool)
        for n in range(BLOCKS * 2 + 1):
            way = "lean" if n % 2 else "session"
            checks = await env.prepare_checks(url, venue, BLOCK)
            started = time.process_time()
            for i, check_id in enumerate(checks):
                uow = UnitOfWork(
                    sessions,
                    caller,
                    bus,
                    idempotency_key=f"{n}-{i}",
                    fingerprint=b"x",
                    pool=pool if way == "lean" else None,
                )
                await uow.write_tx(service.send, check_id, CheckWrite())
            await bus.flushed()
            if n:  # the first block warms both up
                found[way].append((time.process_time() - started) * 1000 / BLOCK)
    finally:
        await pool.close()
        await engine.dispose()
    return found


def _sql(query: str) -> Any:
    from sqlalchemy import text

    return text(query)


async def _items(url: str, venue_id: int) -> dict[str, tuple[int, int, int, int, str]]:
    from bench.statements import _items as items

    return await items(url, venue_id)


def main() -> None:
    url = env.fresh_database("bench_txpath")
    found = env.run(measure(url))
    for way, values in found.items():
        print(
            f"{way:8} CPU per send: median {statistics.median(values):.2f} ms "
            f"(blocks: {', '.join(f'{v:.2f}' for v in values)})"
        )
    ratio = statistics.median(found["lean"]) / statistics.median(found["session"])
    print(f"lean / session: {ratio:.2f}")
