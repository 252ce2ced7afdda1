"""After-commit publication of events.

The event log in PostgreSQL is the durable truth. After a commit the unit of work hands
the new events to the :class:`EventBus`, which wakes this process's live dispatcher and
sends one ``NOTIFY pos_events, 'venue:seq'`` so other processes read the log too. The
NOTIFY is sent outside the writing transaction (a notifying commit takes a server-wide
lock through its flush).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
import structlog
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from pos_service.core.db import plain
from pos_service.core.events import Committed

CHANNEL = "pos_events"
NOTIFY = "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p"
log = structlog.get_logger(__name__)

Listener = Callable[[list[Committed]], None]


class EventBus:
    """Fans committed events out to in-process listeners and to other processes.

    The wake-ups for other processes are coalesced: while one NOTIFY is on its way, the
    heads of later commits gather, and the next NOTIFY carries the newest head of each
    venue. Under a rush that is one statement for many commits instead of one each, and
    the request that committed does not wait for it.
    """

    def __init__(self, engine: AsyncEngine, pool: asyncpg.Pool | None = None) -> None:
        self._engine = engine
        self._pool = pool
        self._listeners: list[Listener] = []
        self._heads: dict[int, int] = {}
        self._notifier: asyncio.Task[None] | None = None

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    async def published(self, committed: list[Committed]) -> None:
        for listener in list(self._listeners):
            listener(committed)
        for event in committed:
            self._heads[event.venue_id] = max(self._heads.get(event.venue_id, 0), event.seq)
        if self._notifier is None:
            self._notifier = asyncio.get_running_loop().create_task(self._notify())

    async def flushed(self) -> None:
        """Wait until the wake-ups of every commit so far are sent (at shutdown)."""
        while self._notifier is not None:
            await asyncio.shield(self._notifier)

    async def _notify(self) -> None:
        try:
            while self._heads:
                heads, self._heads = self._heads, {}
                await self._send([f"{venue_id}:{seq}" for venue_id, seq in heads.items()])
        finally:
            self._notifier = None

    async def _send(self, payloads: list[str]) -> None:
        try:
            if self._pool is not None:  # the plain pool: no SQLAlchemy checkout per NOTIFY
                async with plain(self._pool) as conn:
                    await conn.execute(NOTIFY, CHANNEL, payloads)
                return
            async with self._engine.connect() as conn:
                # autocommit: the NOTIFY needs no BEGIN and COMMIT round trips of its own
                autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(
                    text("SELECT pg_notify(:c, p) FROM unnest(CAST(:p AS text[])) AS p"),
                    {"c": CHANNEL, "p": payloads},
                )
        except (
            OSError,
            OperationalError,
            DBAPIError,
            asyncpg.PostgresError,
            asyncpg.InterfaceError,
        ):
            # Listeners re-read the log periodically and after reconnecting: a lost
            # wake-up delays delivery, it never loses an event.
            log.warning("notify failed", heads=payloads)
