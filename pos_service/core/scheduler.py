"""Scheduled work driven by rows in PostgreSQL.

Due work (a timed course release, a no-show, an automatic day close ...) lives in the
domain's own tables with a due time. A :class:`Task` is a function that, given a session
and the current time, claims what is due (``SELECT ... FOR UPDATE SKIP LOCKED``), does it
and records its events. The :class:`Scheduler` runs each task periodically with
APScheduler, one transaction per run, and publishes the events after commit. Because the
rows are claimed with SKIP LOCKED and changed in the same transaction, two server
processes never do the same work twice, and a restart loses nothing.

Tests drive time themselves with :meth:`Scheduler.run_due`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import msgspec
import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core import tx
from pos_service.core.db import now_utc
from pos_service.core.uow import Publisher

log = structlog.get_logger(__name__)

TaskFn = Callable[[AsyncSession, dt.datetime], Awaitable[int]]


class Task(msgspec.Struct, frozen=True):
    """A named periodic task; ``run`` returns how many things it did."""

    name: str
    every_seconds: float
    run: TaskFn


class Scheduler:
    """Runs the registered tasks periodically; see the module docstring."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], publisher: Publisher, tasks: list[Task]
    ) -> None:
        self._sessions = sessions
        self._publisher = publisher
        self.tasks = {task.name: task for task in tasks}
        self._aps: AsyncIOScheduler | None = None

    async def run_task(self, name: str, now: dt.datetime | None = None) -> int:
        """Run one task once, in its own transaction."""
        task = self.tasks[name]
        at = now or now_utc()
        return await tx.in_session(
            self._sessions, self._publisher.published, lambda session: task.run(session, at)
        )

    async def run_due(self, now: dt.datetime | None = None) -> dict[str, int]:
        """Run every task once (tests pass their own ``now``)."""
        return {name: await self.run_task(name, now) for name in self.tasks}

    async def _tick(self, name: str) -> None:
        try:
            await self.run_task(name)
        except Exception:
            log.exception("scheduled task failed", task=name)

    def start(self) -> None:
        self._aps = AsyncIOScheduler(timezone=dt.UTC)
        for task in self.tasks.values():
            self._aps.add_job(
                self._tick,
                "interval",
                seconds=task.every_seconds,
                args=[task.name],
                id=task.name,
                max_instances=1,
                coalesce=True,
                next_run_time=now_utc() + dt.timedelta(seconds=1),
            )
        self._aps.start()

    def shutdown(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
