"""The SQL one send issues, as asyncpg runs it: ``python -m bench statements``.

The database floor (``bench.floor``) replays these statements with plain asyncpg; this
tool shows them (SQLAlchemy's, and through asyncpg's query logger those run on the
connection directly, ``BEGIN`` and ``COMMIT`` included) so the replay can be checked
against the server's real send whenever the send changes. It runs the send exactly as a
request does (unit of work, idempotency key, events, the NOTIFY after commit), in this
process, on a scratch database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

from sqlalchemy import event

from bench import env


async def capture(url: str) -> list[tuple[str, str]]:
    """(connection, statement) of one send, in order; ``connection`` tells pool checkouts apart."""
    from pos_service.core import tx
    from pos_service.core.auth import Caller
    from pos_service.core.db import create_engine, create_pool, session_factory
    from pos_service.core.realtime import EventBus
    from pos_service.core.uow import UnitOfWork
    from pos_service.kitchen import service
    from pos_service.orders.schemas import CheckWrite

    await env.seed(url, 1)
    engine = create_engine(url, pool_size=2)
    statements: list[tuple[str, str]] = []
    capturing = False

    def connected(dbapi_connection: Any, _record: Any) -> None:
        conn = dbapi_connection.driver_connection
        name = hex(id(conn))[-4:]

        def logged(query: Any) -> None:
            if capturing:
                statements.append((name, " ".join(query.query.split())))

        conn.add_query_logger(logged)

    def before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if capturing:  # SQLAlchemy's prepared statements are not seen by the query logger
            name = hex(id(conn.connection.dbapi_connection.driver_connection))[-4:]
            statements.append((name, " ".join(statement.split())))

    event.listen(engine.sync_engine.pool, "connect", connected)
    event.listen(engine.sync_engine, "before_cursor_execute", before)
    pool = await create_pool(url, size=2)
    original = tx.lean

    @asynccontextmanager
    async def lean(pool: Any) -> AsyncIterator[Any]:
        async with pool.acquire() as conn:  # the lean writes' connections (core.tx)
            name = hex(id(conn))[-4:]

            def logged(query: Any) -> None:
                if capturing:
                    statements.append((name, " ".join(query.query.split())))

            conn.add_query_logger(logged)
            try:
                async with original(_Lent(conn)) as lent:
                    yield lent
            finally:
                conn.remove_query_logger(logged)

    tx.lean = lean

    def log(conn: Any) -> Callable[[Any], None]:
        name = hex(id(conn))[-4:]

        def logged(query: Any) -> None:
            if capturing:
                statements.append((name, " ".join(query.query.split())))

        return logged

    try:
        async with session_factory(engine)() as session:
            venue_id = await session.scalar(_sql("SELECT id FROM venues WHERE slug = 'bench0'"))
            waiter = await session.scalar(
                _sql(f"SELECT id FROM staff WHERE venue_id = {venue_id} AND name = 'Anna'")
            )
        venue = env.Venue(int(venue_id or 0), "bench0", {}, int(waiter or 0), {})
        venue.items = await _items(url, venue.id)
        (check_id,) = await env.prepare_checks(url, venue, 1)
        caller = Caller(
            kind="staff",
            venue_id=venue.id,
            staff_id=venue.waiter_id,
            name="Anna",
            roles=frozenset({"waiter"}),
        )
        bus = EventBus(engine, cast(Any, _Logged(pool, log)))  # the NOTIFY after commit
        uow = UnitOfWork(
            session_factory(engine),
            caller,
            bus,
            idempotency_key="capture",
            fingerprint=b"x",
            pool=pool,
        )
        capturing = True
        await uow.write_tx(service.send, check_id, CheckWrite())
        await bus.flushed()
        capturing = False
    finally:
        tx.lean = original
        await pool.close()
        await engine.dispose()
    return statements


class _Logged:
    """The plain pool with each lent connection's statements logged."""

    def __init__(self, pool: Any, log: Callable[[Any], Callable[[Any], None]]) -> None:
        self._pool, self._log = pool, log

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        async with self._pool.acquire() as conn:
            logged = self._log(conn)
            conn.add_query_logger(logged)
            try:
                yield conn
            finally:
                conn.remove_query_logger(logged)


class _Lent:
    """A pool of one connection already acquired (so its query logger sees everything)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        yield self._conn


def _sql(query: str) -> Any:
    from sqlalchemy import text

    return text(query)


async def _items(url: str, venue_id: int) -> dict[str, tuple[int, int, int, int, str]]:
    import asyncpg

    conn = await asyncpg.connect(env.asyncpg_dsn(url))
    try:
        rows = await conn.fetch(
            "SELECT i.name, i.id, i.price, i.tax_rate_ppm, c.station_id, c.default_course "
            "FROM items i JOIN categories c ON c.venue_id = i.venue_id AND c.id = i.category_id "
            "WHERE i.venue_id = $1",
            venue_id,
        )
    finally:
        await conn.close()
    return {r["name"]: tuple(r)[1:] for r in rows}


def main() -> None:
    url = env.fresh_database("bench_statements")
    for conn, statement in env.run(capture(url)):
        print(f"[{conn}] {statement}")
