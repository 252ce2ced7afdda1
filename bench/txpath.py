"""The lean writes' cost in process, by way of running their transaction:
``python -m bench txpath``.

The same sends (5 lines, 3 stations, the idempotency key, the events and the NOTIFY after
commit; no HTTP, no sockets) run alternately in blocks, lean on the plain asyncpg pool
(``core.tx.run``) and with an ORM session owning the transaction
(``core.tx.run_with_session``), and the process's CPU time per send is reported for each.
Interleaving the blocks lets a busy machine slow both alike; the ratio is the figure.
Then the same for splits of a 50-line bill 7 ways by items (scenario 5's split), for
firing a held course of a sent check and bumping the tickets it put on the screens (each
bump of the last ticket of a course brings the course up), for adding a line (a burger
with three options and a seat to a check of five lines), and for cash payments of a
check split 2 ways: the first part (the check stays open), then the other (it settles
the check, which closes: the sale journaled, ``check.closed``; the bench's checks hang
on no table).
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
        found.update(await _splits(url, venue, caller, sessions, pool, bus))
        found.update(await _fires(url, venue, caller, sessions, pool, bus))
        found.update(await _adds(url, venue, caller, sessions, pool, bus))
        found.update(await _cash(url, venue, caller, sessions, pool, bus))
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


SPLITS = 20


async def _splits(
    url: str, venue: Any, caller: Any, sessions: Any, pool: Any, bus: Any
) -> dict[str, list[float]]:
    """CPU milliseconds per split of each block, by way."""
    from bench import floor
    from bench.kitchen import BILL_LINES, BILL_WAYS
    from pos_service.core.uow import UnitOfWork
    from pos_service.payments import service
    from pos_service.payments.schemas import SplitRequest

    seats = [(i % BILL_WAYS) + 1 for i in range(BILL_LINES)]
    names = list(venue.items)
    lines = [(names[i % len(names)], seat) for i, seat in enumerate(seats)]
    found: dict[str, list[float]] = {"split lean": [], "split session": []}
    for n in range(BLOCKS * 2 + 1):
        way = "split lean" if n % 2 else "split session"
        checks = await env.prepare_checks(url, venue, SPLITS, lines)
        line_ids = await floor.sent_lines(url, venue.id, checks)
        started = time.process_time()
        for i, check_id in enumerate(checks):
            assignment = {k: seat - 1 for k, seat in zip(line_ids[check_id], seats, strict=True)}
            uow = UnitOfWork(
                sessions,
                caller,
                bus,
                idempotency_key=f"split-{n}-{i}",
                fingerprint=b"x",
                pool=pool if way == "split lean" else None,
            )
            request = SplitRequest(mode="items", parts=BILL_WAYS, assignment=assignment)
            await uow.write_tx(service.split, check_id, request)
        await bus.flushed()
        if n:
            found[way].append((time.process_time() - started) * 1000 / SPLITS)
    return found


FIRES = 30


async def _fires(
    url: str, venue: Any, caller: Any, sessions: Any, pool: Any, bus: Any
) -> dict[str, list[float]]:
    """CPU milliseconds per fire and per bump of each block, by way."""
    import asyncpg

    from pos_service.core.uow import UnitOfWork
    from pos_service.kitchen import service
    from pos_service.kitchen.schemas import FireRequest
    from pos_service.orders.schemas import CheckWrite

    def uow(key: str, lean: bool) -> UnitOfWork:
        return UnitOfWork(
            sessions,
            caller,
            bus,
            idempotency_key=key,
            fingerprint=b"x",
            pool=pool if lean else None,
        )

    found: dict[str, list[float]] = {
        "fire lean": [],
        "fire session": [],
        "bump lean": [],
        "bump session": [],
    }
    conn = await asyncpg.connect(env.asyncpg_dsn(url))
    try:
        for n in range(BLOCKS * 2 + 1):
            lean = bool(n % 2)
            way = "lean" if lean else "session"
            checks = await env.prepare_checks(url, venue, FIRES)
            for i, check_id in enumerate(checks):
                await uow(f"fire-send-{n}-{i}", True).write_tx(service.send, check_id, CheckWrite())
            held = {
                r["check_id"]: r["course"]
                for r in await conn.fetch(
                    "SELECT DISTINCT ON (check_id) check_id, course FROM kitchen_ticket_items "
                    "WHERE check_id = ANY($1::bigint[]) AND fired_at IS NULL ORDER BY check_id, id",
                    checks,
                )
            }
            await bus.flushed()
            started = time.process_time()
            for i, check_id in enumerate(checks):
                request = FireRequest(course=held[check_id])
                await uow(f"fire-{n}-{i}", lean).write_tx(service.fire, check_id, request)
            await bus.flushed()
            fired = (time.process_time() - started) * 1000 / len(checks)
            tickets = [
                r["id"]
                for r in await conn.fetch(
                    "SELECT id FROM kitchen_tickets WHERE check_id = ANY($1::bigint[]) "
                    "AND state = 'open' ORDER BY id",
                    checks,
                )
            ]
            started = time.process_time()
            for i, ticket_id in enumerate(tickets):
                await uow(f"bump-{n}-{i}", lean).write_tx(service.bump, ticket_id)
            await bus.flushed()
            bumped = (time.process_time() - started) * 1000 / len(tickets)
            if n:
                found[f"fire {way}"].append(fired)
                found[f"bump {way}"].append(bumped)
    finally:
        await conn.close()
    return found


async def _adds(
    url: str, venue: Any, caller: Any, sessions: Any, pool: Any, bus: Any
) -> dict[str, list[float]]:
    """CPU milliseconds per added line of each block, by way."""
    import asyncpg

    from pos_service.core.uow import UnitOfWork
    from pos_service.orders import service
    from pos_service.orders.schemas import LineAdd

    conn = await asyncpg.connect(env.asyncpg_dsn(url))
    try:
        burger = await conn.fetchval(
            "SELECT id FROM items WHERE venue_id = $1 AND name = 'Burger'", venue.id
        )
        options = [  # the first option of each of its groups
            r["id"]
            for r in await conn.fetch(
                "SELECT DISTINCT ON (o.group_id) o.id FROM modifier_options o "
                "JOIN item_modifier_groups x ON x.venue_id = o.venue_id "
                "AND x.group_id = o.group_id WHERE x.venue_id = $1 AND x.item_id = $2 "
                "ORDER BY o.group_id, o.position",
                venue.id,
                burger,
            )
        ]
    finally:
        await conn.close()
    add = LineAdd(item_id=burger, modifiers=options, seat=1, note="no onions")
    found: dict[str, list[float]] = {"add lean": [], "add session": []}
    for n in range(BLOCKS * 2 + 1):
        way = "add lean" if n % 2 else "add session"
        checks = await env.prepare_checks(url, venue, BLOCK)
        started = time.process_time()
        for i, check_id in enumerate(checks):
            uow = UnitOfWork(
                sessions,
                caller,
                bus,
                idempotency_key=f"add-{n}-{i}",
                fingerprint=b"x",
                pool=pool if way == "add lean" else None,
            )
            await uow.write_tx(service.add_line, check_id, add)
        await bus.flushed()
        if n:
            found[way].append((time.process_time() - started) * 1000 / BLOCK)
    return found


PAYMENTS = 40


async def _cash(
    url: str, venue: Any, caller: Any, sessions: Any, pool: Any, bus: Any
) -> dict[str, list[float]]:
    """CPU milliseconds per cash payment of a part (the check stays open), then per cash
    payment of the other part (it settles and closes the check), by way."""
    from pos_service.core.uow import UnitOfWork
    from pos_service.payments import service
    from pos_service.payments.provider import SimulatedTerminal
    from pos_service.payments.schemas import PaymentCreate, SplitRequest

    provider = SimulatedTerminal()
    found: dict[str, list[float]] = {
        "cash lean": [],
        "cash session": [],
        "close lean": [],
        "close session": [],
    }
    for n in range(BLOCKS * 2 + 1):
        lean = n % 2 == 1
        parts = []
        for check_id in await env.prepare_checks(url, venue, PAYMENTS):
            uow = UnitOfWork(sessions, caller, bus, pool=pool)
            split = await uow.write_tx(service.split, check_id, SplitRequest(mode="even", n=2))
            parts.append((check_id, split.parts[0].id, split.parts[1].id))
        await bus.flushed()
        for what, which in (("cash", 1), ("close", 2)):
            started = time.process_time()
            for i, ids in enumerate(parts):
                uow = UnitOfWork(
                    sessions,
                    caller,
                    bus,
                    idempotency_key=f"{what}-{n}-{i}",
                    fingerprint=b"x",
                    pool=pool if lean else None,
                )
                data = PaymentCreate(method="cash", part_id=ids[which], tendered=5000)
                await uow.write_tx(service.pay_cash, provider, ids[0], data)
            await bus.flushed()
            if n:
                way = f"{what} {'lean' if lean else 'session'}"
                found[way].append((time.process_time() - started) * 1000 / PAYMENTS)
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
        what = way.split()[0] if " " in way else "send"
        what = {
            "cash": "cash payment",
            "add": "added line",
            "close": "closing cash payment",
        }.get(what, what)
        print(
            f"{way:13} CPU per {what}: median {statistics.median(values):.2f} ms "
            f"(blocks: {', '.join(f'{v:.2f}' for v in values)})"
        )
    pairs = [("lean", "session")] + [
        (f"{w} lean", f"{w} session") for w in ("split", "fire", "bump", "add", "cash", "close")
    ]
    for lean, session in pairs:
        ratio = statistics.median(found[lean]) / statistics.median(found[session])
        print(f"{lean} / {session}: {ratio:.2f}")
