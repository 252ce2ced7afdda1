"""The processes of ``pos-service serve``: the application imported once, the answering
workers forked from it, and one process of its own for the scheduled tasks.

Start-up is dominated by imports (Litestar, SQLAlchemy, the domains). The supervisor
imports and builds the application once, loads uvicorn's protocol classes and binds the
listening socket, then forks: each worker inherits all of it and only runs the
application's lifespan (its own pools and connections, made after the fork). Nothing
that runs a thread or an event loop exists before a fork.

The scheduled tasks (``core.scheduler``) run in a separate forked process, so that a
task's stall (closing a long rail of late tickets, pruning the event log) never holds up
a request or a socket; the workers start with ``Settings.scheduler`` off. Their events
reach the workers' screens through the event log and its ``NOTIFY``, as any other
process's do; print jobs they queue go out within the dispatcher's poll
(``printing.dispatcher``). Exactly one scheduler process runs per server; with several
servers on one database the tasks still never do the same work twice (they claim their
rows with ``SKIP LOCKED``).

A worker or the scheduler that dies is forked again from the supervisor (at most once
a second per role). A worker whose application never started (its lifespan failed: no
database, say) stops the server with exit status 3, as uvicorn does. ``SIGTERM`` or
``SIGINT`` stops them all: the supervisor passes ``SIGTERM`` on and waits for them. On
Linux a child also stops when the supervisor dies (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import structlog

from pos_service.config import Settings

log = structlog.get_logger(__name__)

SCHEDULER_NAME = b"pos-scheduler"
"""The scheduler process's name (``/proc/<pid>/comm``), to tell it from the workers."""

RESTART_GAP = 1.0
STARTUP_FAILURE = 3

_PR_SET_NAME = 15
_PR_SET_PDEATHSIG = 1


def _prctl(option: int, value: int | bytes) -> None:
    """Linux's ``prctl``; nothing elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


async def scheduled(settings: Settings) -> None:
    """The scheduler process: the scheduled tasks with their own small pools, until
    ``SIGTERM`` or ``SIGINT``."""
    from litestar.datastructures import State

    from pos_service.app import tasks
    from pos_service.config import resolve_database_url
    from pos_service.core import outbound
    from pos_service.core.db import create_engine, create_pool, session_factory
    from pos_service.core.realtime import EventBus
    from pos_service.core.scheduler import Scheduler
    from pos_service.payments.provider import SimulatedTerminal

    url = resolve_database_url(settings)
    engine = create_engine(url, pool_size=2)
    pool = await create_pool(url, size=2)
    bus = EventBus(engine, pool)
    state = State({"settings": settings, "outbound": outbound.policy_from(settings)})
    scheduler = Scheduler(session_factory(engine), bus, tasks(settings, SimulatedTerminal(), state))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if settings.run_background:
        scheduler.start()
    log.info("scheduler started", tasks=sorted(scheduler.tasks))
    try:
        await stop.wait()
    finally:
        scheduler.shutdown()
        await bus.flushed()
        await pool.close()
        await engine.dispose()


class Supervisor:
    """Forks the workers and the scheduler process and keeps them running."""

    def __init__(self, roles: dict[str, Callable[[], None]], workers: int) -> None:
        self._roles = roles
        self._wanted = [*(["worker"] * workers), "scheduler"]
        self._children: dict[int, str] = {}
        self._started: dict[str, float] = {}
        self._stopping = False
        self.status = 0

    def _fork(self, role: str) -> None:
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                    signal.signal(signum, signal.SIG_DFL)
                _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
                if role == "scheduler":
                    _prctl(_PR_SET_NAME, SCHEDULER_NAME)
                self._roles[role]()
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        self._children[pid] = role
        self._started[f"{role}:{pid}"] = time.monotonic()

    def _stop(self, signum: int, _frame: object) -> None:
        self._stopping = True
        for pid in list(self._children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        gc.freeze()  # what is imported stays shared with the children (copy-on-write)
        gc.enable()  # off while the application was imported and built (see :func:`serve`)
        for role in self._wanted:
            self._fork(role)
        while self._children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            ended = self._children.pop(pid, None)
            if ended is None or self._stopping:
                continue
            role = ended
            if os.waitstatus_to_exitcode(status) == STARTUP_FAILURE:
                log.error("the application did not start; stopping", role=role, pid=pid)
                self.status = STARTUP_FAILURE
                self._stop(signal.SIGTERM, None)
                continue
            began = self._started.pop(f"{role}:{pid}", 0.0)
            log.warning(
                "process ended, starting it again",
                role=role,
                pid=pid,
                status=os.waitstatus_to_exitcode(status),
            )
            time.sleep(max(0.0, RESTART_GAP - (time.monotonic() - began)))
            if not self._stopping:
                self._fork(role)


def serve(settings: Settings, workers: int, **uvicorn_options: Any) -> int:
    """Import and build the application once, bind, fork ``workers`` workers and the
    scheduler process; when they have all stopped, the exit status. With no workers, the
    application (and its scheduler) runs in this process, unforked."""
    if workers == 0:
        import uvicorn

        from pos_service.app import create_app

        server = uvicorn.Server(uvicorn.Config(create_app(settings), **uvicorn_options))
        server.run()
        return 0 if server.started else STARTUP_FAILURE

    # The import and the build make hundreds of thousands of objects that live as long as
    # the process: collecting them meanwhile is wasted work (about an eighth of it).
    gc.disable()
    import uvicorn

    from pos_service.app import create_app

    workers_settings = settings_without_scheduler(settings)
    app = create_app(workers_settings)
    config = uvicorn.Config(app, **uvicorn_options)
    config.load()
    sock: socket.socket = config.bind_socket()

    def worker() -> None:
        server = uvicorn.Server(config)
        server.run(sockets=[sock])
        if not server.started:
            sys.exit(STARTUP_FAILURE)

    def scheduler() -> None:
        sock.close()
        asyncio.run(scheduled(settings))

    supervisor = Supervisor({"worker": worker, "scheduler": scheduler}, workers)
    try:
        supervisor.run()
    finally:
        sock.close()
    return supervisor.status


def settings_without_scheduler(settings: Settings) -> Settings:
    import msgspec

    return msgspec.structs.replace(settings, scheduler=False)
