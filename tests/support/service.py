"""The demo venue in service: its clock around noon, bookable all day, and a trace of the
statements each database transaction of the server runs."""

from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from pos_service.core import db, tx
from tests.conftest import Demo


def noon_zone() -> str:
    """A fixed-offset zone in which it is now between 11:00 and 13:00."""
    offset = 12 - dt.datetime.now(dt.UTC).hour
    return f"Etc/GMT{-offset:+d}"


async def in_service(demo: Demo) -> ZoneInfo:
    """Move the demo venue to a zone where it is about noon, bookable all day."""
    zone = noon_zone()
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text("UPDATE venues SET timezone = :z WHERE id = :v"), {"z": zone, "v": demo.venue_id}
        )
    rules = {
        "periods": [{"name": "day", "start": "06:00:00", "end": "23:00:00"}],
        "max_covers_per_slot": 100,
    }
    r = await demo.call("PUT", "/api/reservations/rules", "manager", json=rules)
    assert r.status_code == 200, r.text
    return ZoneInfo(zone)


def next_slot(tz: ZoneInfo, minutes_ahead: int = 30) -> dt.datetime:
    at = dt.datetime.now(tz) + dt.timedelta(minutes=minutes_ahead)
    return at.replace(minute=at.minute // 15 * 15, second=0, microsecond=0) + dt.timedelta(
        minutes=15
    )


class Trace:
    """Every statement the server's connections ran, in order, cut into transactions."""

    def __init__(self) -> None:
        self.by_connection: dict[int, list[str]] = defaultdict(list)

    def log(self, key: int, query: str) -> None:
        self.by_connection[key].append(query)

    def transactions(self) -> list[list[str]]:
        out: list[list[str]] = []
        for statements in self.by_connection.values():
            current: list[str] | None = None
            for query in statements:
                if query == "BEGIN":
                    current = []
                elif query in ("COMMIT", "ROLLBACK"):
                    if current:
                        out.append(current)
                    current = None
                elif current is not None:
                    current.append(query)
        return out


class _Logged:
    """An asyncpg connection whose statements are logged as they are sent."""

    def __init__(self, conn: Any, trace: Trace) -> None:
        self._conn = conn
        self._trace = trace

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._conn, name)
        if name not in ("fetch", "fetchval", "fetchrow", "execute", "executemany"):
            return found

        def logged(query: str, *args: Any, **kwargs: Any) -> Any:
            self._trace.log(id(self._conn), query)
            return found(query, *args, **kwargs)

        return logged


@contextmanager
def traced(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trace]:
    """Trace the statements of ``engine``'s transactions: what SQLAlchemy sends, and what
    the writes send on the driver's connection (``core.db.driver``) and on the plain
    pool's (``core.tx.lean``), in order."""
    trace = Trace()

    def key(conn: Any) -> int:
        return id(conn.connection.driver_connection)

    def begin(conn: Any) -> None:
        trace.log(key(conn), "BEGIN")

    def commit(conn: Any) -> None:
        trace.log(key(conn), "COMMIT")

    def rollback(conn: Any) -> None:
        trace.log(key(conn), "ROLLBACK")

    def statement(conn: Any, cursor: Any, query: str, *args: Any) -> None:
        trace.log(key(conn), query)

    original = db.driver

    async def driver(session: Any) -> Any:
        return _Logged(await original(session), trace)

    for module in list(sys.modules.values()):
        if (
            module.__name__.startswith("pos_service")
            and getattr(module, "driver", None) is original
        ):
            monkeypatch.setattr(module, "driver", driver)
    hooks: list[tuple[str, Callable[..., None]]] = [
        ("begin", begin),
        ("commit", commit),
        ("rollback", rollback),
        ("before_cursor_execute", statement),
    ]
    original_lean = tx.lean

    @asynccontextmanager
    async def lean(pool: Any) -> AsyncIterator[Any]:
        async with original_lean(pool) as conn:
            trace.log(id(conn), "BEGIN")
            try:
                yield _Logged(conn, trace)
            except BaseException:
                trace.log(id(conn), "ROLLBACK")
                raise
            trace.log(id(conn), "COMMIT")

    monkeypatch.setattr(tx, "lean", lean)
    for name, fn in hooks:
        event.listen(engine.sync_engine, name, fn)
    try:
        yield trace
    finally:
        for name, fn in hooks:
            event.remove(engine.sync_engine, name, fn)
