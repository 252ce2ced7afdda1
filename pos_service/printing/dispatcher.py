"""The server's print dispatcher, and the printing tasks of the scheduler.

The dispatcher drives the printers of every venue not in agent mode. Each round claims
the oldest due job of each idle printer and commits (the row says ``sending`` before a
byte goes out), sends it with ``printers.connections.attempt`` as a task of its own (one
printer hanging holds up nobody else, and nothing here blocks the event loop), and
settles the outcome in a second transaction. A network printer's connection is kept
for the jobs that follow within ``Timeouts.keep`` (``printers.connections.Pool``). It
wakes on ``print.*`` events of this process and polls, so jobs queued by other
processes go out within ``poll_seconds``.

Tasks: ``printing.health`` probes printers and records status changes;
``printing.recover`` queues again ``sending`` jobs whose lease ran out. The recovery also
runs once at start-up, before the dispatcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, TypeVar

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core import events, tx
from pos_service.core.db import now_utc
from pos_service.core.scheduler import Task
from pos_service.core.uow import Publisher
from pos_service.printing import service
from pos_service.printing.events import PrintJobReady
from pos_service.printing.models import Connection, Printer, PrinterState
from pos_service.printing.service import Claim, PrintPolicy
from pos_service.venues.models import Venue
from printers import connections
from printers.connections import Attempt, Pool

if TYPE_CHECKING:
    from litestar import Litestar

    from pos_service.config import Settings

log = structlog.get_logger(__name__)
T = TypeVar("T")

WAKE_TYPES = frozenset({"print.queued", "print.requeued", "print.rerouted", "print.retrying"})


def policy_from(settings: Settings) -> PrintPolicy:
    """The queue's policy from the settings."""
    timeout = settings.print_timeout_seconds
    return PrintPolicy(
        max_attempts=settings.print_max_attempts,
        retry_seconds=settings.print_retry_seconds,
        write_timeout=timeout,
        lease_seconds=max(30.0, 6 * timeout),
    )


class Dispatcher:
    """Sends the server-driven print queue; see the module docstring."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        policy: PrintPolicy,
        *,
        poll_seconds: float = 1.0,
        min_gap_seconds: float = 0.02,
    ) -> None:
        self.sessions = sessions
        self.publisher = publisher
        self.policy = policy
        self.poll_seconds = poll_seconds
        self.min_gap_seconds = min_gap_seconds
        self.pool = Pool()
        self._wake = asyncio.Event()
        self._sending: set[asyncio.Task[Attempt]] = set()
        self._runner: asyncio.Task[None] | None = None

    async def _write(self, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
        return await tx.in_session(self.sessions, self.publisher.published, fn)

    async def claim(self, now: dt.datetime | None = None) -> list[Claim]:
        """Claim and commit the due jobs (one per idle printer)."""
        at = now or now_utc()
        return await self._write(
            lambda s: service.claim_due(s, at, self.policy.lease_seconds, agent=False)
        )

    async def send(self, claim: Claim) -> Attempt:
        """Attempt a claimed job and settle the outcome."""
        outcome = await connections.attempt(
            claim.connection, claim.address, claim.data, self.policy.timeouts(), self.pool
        )
        await self._write(lambda s: service.settle_claim(s, claim, outcome, now_utc(), self.policy))
        return outcome

    async def run_once(self, now: dt.datetime | None = None) -> int:
        """One round: claim, send all claimed jobs concurrently, settle; the number claimed."""
        claims = await self.claim(now)
        await asyncio.gather(*(self.send(c) for c in claims))
        return len(claims)

    def wake(self, committed: list[events.Committed] | None = None) -> None:
        """Listener for the event bus: a print event of a job this dispatcher drives makes
        the next round start now. Jobs handed to a venue's agent come with its wake-up
        (``print.job``) and are not this dispatcher's: claiming for them finds nothing."""
        if committed is None:
            self._wake.set()
            return
        for_agent = {e.data["job_id"] for e in committed if e.type == PrintJobReady.type}
        if any(e.type in WAKE_TYPES and e.data["job_id"] not in for_agent for e in committed):
            self._wake.set()

    async def run(self) -> None:
        """Claim and start sends until cancelled; each send runs as its own task.

        Rounds are at least ``min_gap_seconds`` apart, so a rush of sends (each waking
        the dispatcher) is claimed in a few rounds, not in one transaction per send."""
        while True:
            await asyncio.sleep(self.min_gap_seconds)
            self._wake.clear()
            try:
                for claim in await self.claim():
                    task = asyncio.create_task(self.send(claim))
                    self._sending.add(task)
                    task.add_done_callback(self._done)
            except Exception:
                log.exception("print dispatcher round failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()

    def _done(self, task: asyncio.Task[Attempt]) -> None:
        self._sending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("print send failed", exc_info=task.exception())
        self._wake.set()

    def start(self) -> None:
        self._runner = asyncio.create_task(self.run())

    async def stop(self) -> None:
        """Stop claiming; sends in flight are cancelled and recovered by their lease."""
        tasks = [t for t in [self._runner, *self._sending] if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._runner = None
        await self.pool.close()


# -- scheduled tasks ---------------------------------------------------------------------------


async def probe(session: AsyncSession, now: dt.datetime, policy: PrintPolicy | None = None) -> int:
    """Ask every server-driven network and file printer for its status; record changes."""
    policy = policy or PrintPolicy()
    printers = list(
        (
            await session.execute(
                select(Printer)
                .join(Venue, Venue.id == Printer.venue_id)
                .where(
                    Printer.connection.in_([Connection.NETWORK, Connection.FILE]),
                    Venue.settings["print_mode"].astext.is_distinct_from("agent"),
                )
                .order_by(Printer.venue_id, Printer.id)
            )
        ).scalars()
    )
    timeouts = policy.timeouts()
    results = await asyncio.gather(
        *(connections.probe(p.connection, p.address, timeouts) for p in printers)
    )
    for printer, result in zip(printers, results, strict=True):
        locked = await session.get(
            Printer, (printer.venue_id, printer.id), with_for_update=True, populate_existing=True
        )
        if locked is not None:
            await service.set_status(
                session, locked, PrinterState(result.status), result.error, now
            )
    return len(printers)


TASKS = [
    Task("printing.health", 15, probe),
    Task("printing.recover", 10, service.recover),
]


@asynccontextmanager
async def running(app: Litestar, settings: Settings) -> AsyncIterator[None]:
    """Lifespan: the dispatcher (with ``run_background``) and the demo's fake printers."""
    from pos_service.printing import demo

    dispatcher = Dispatcher(app.state.sessions, app.state.publisher, app.state.print_policy)
    app.state.print_dispatcher = dispatcher
    app.state.publisher.subscribe(dispatcher.wake)
    fakes = await demo.start_fake_printers() if settings.demo else []
    if settings.run_background:
        if settings.scheduler:  # else the scheduler's own process runs it as it starts
            await app.state.scheduler.run_task("printing.recover")
        dispatcher.start()
    try:
        yield
    finally:
        await dispatcher.stop()
        app.state.publisher.unsubscribe(dispatcher.wake)
        for fake in fakes:
            await fake.stop()
