"""After-commit publication of events.

The event log in PostgreSQL is the durable truth. After a commit the unit of work hands
the new events to the :class:`EventBus`, which wakes this process's live dispatcher and
sends one ``NOTIFY pos_events, 'venue:seq'`` so other processes read the log too. The
NOTIFY is sent outside the writing transaction (a notifying commit takes a server-wide
lock through its flush).
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from pos_service.core.events import Committed

CHANNEL = "pos_events"
log = structlog.get_logger(__name__)

Listener = Callable[[list[Committed]], None]


class EventBus:
    """Fans committed events out to in-process listeners and to other processes."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    async def published(self, committed: list[Committed]) -> None:
        for listener in list(self._listeners):
            listener(committed)
        heads: dict[int, int] = {}
        for event in committed:
            heads[event.venue_id] = max(heads.get(event.venue_id, 0), event.seq)
        payloads = [f"{venue_id}:{seq}" for venue_id, seq in heads.items()]
        try:
            async with self._engine.connect() as conn:
                # autocommit: the NOTIFY needs no BEGIN and COMMIT round trips of its own
                autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(
                    text("SELECT pg_notify(:c, p) FROM unnest(CAST(:p AS text[])) AS p"),
                    {"c": CHANNEL, "p": payloads},
                )
        except (OSError, OperationalError, DBAPIError):
            # Listeners re-read the log periodically and after reconnecting: a lost
            # wake-up delays delivery, it never loses an event.
            log.warning("notify failed", heads=heads)
