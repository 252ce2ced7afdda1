"""The demo venue's printers pointed at fake printers, and a real server to print through.

The server runs under uvicorn on 127.0.0.1 (port 0) in the test's event loop, so the
dispatcher, the scheduler and the HTTP handlers share one loop, as in production: a test
can show that a stuck printer does not hold up requests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import httpx
import msgspec
import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from pos_service import demo as demo_data
from pos_service.app import create_app
from pos_service.config import Settings
from pos_service.core import events
from pos_service.printing import service
from pos_service.printing.demo import AGENT_PIN
from pos_service.printing.dispatcher import Dispatcher
from pos_service.printing.service import PrintPolicy
from printers.decoder import Decoded, decode
from printers.documents import KitchenTicket, TicketItem
from printers.fake import FakePrinter
from tests.conftest import DEMO_PINS
from tests.support import devices

T = TypeVar("T")

POLICY = PrintPolicy(
    max_attempts=3,
    retry_seconds=0.05,
    retry_max_seconds=0.2,
    lease_seconds=4.0,
    agent_lease_seconds=4.0,
    connect_timeout=0.5,
    write_timeout=0.5,
    status_timeout=0.3,
)


def ticket(number: int = 42, **changes: Any) -> KitchenTicket:
    fields: dict[str, Any] = {
        "venue": "Trattoria Demo",
        "station": "hot",
        "ticket_number": number,
        "table": "12",
        "waiter": "Anna",
        "covers": 4,
        "created_at": dt.datetime(2025, 3, 1, 19, 42, tzinfo=dt.UTC),
        "items": [
            TicketItem(2, "Ribeye", seat=1, course="main", modifiers=["medium-rare", "fries"]),
            TicketItem(1, "Sea bass", seat=2, course="main", note="sauce on the side"),
        ],
        "allergies": ["peanuts"],
    }
    fields.update(changes)
    return KitchenTicket(**fields)


class Printing:
    """The seeded demo venue on a live server, its printers on fakes (``kitchen``, ``bar``)."""

    def __init__(self, app: Litestar, http: httpx.AsyncClient, venue_id: int) -> None:
        self.app = app
        self.http = http
        self.venue_id = venue_id
        self.headers: dict[str, dict[str, str]] = {}
        self.fakes: dict[str, FakePrinter] = {}
        self.printer_ids: dict[str, int] = {}
        self.station_ids: dict[str, int] = {}
        self.dispatcher: Dispatcher = app.state.print_dispatcher

    @property
    def kitchen(self) -> FakePrinter:
        return self.fakes["Kitchen"]

    @property
    def bar(self) -> FakePrinter:
        return self.fakes["Bar"]

    async def call(self, method: str, path: str, role: str = "waiter", **kwargs: Any) -> Any:
        return await self.http.request(method, path, headers=self.headers[role], **kwargs)

    async def transaction(self, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``fn`` as a service would: one transaction, events numbered and published."""
        async with self.app.state.sessions() as session, session.begin():
            result = await fn(session)
            committed = await events.flush(session)
        await self.app.state.publisher.published(committed)
        return result

    async def enqueue(self, station: str, doc: KitchenTicket | None = None) -> int:
        doc = doc or ticket()
        job_id = await self.transaction(
            lambda s: service.enqueue_ticket(s, self.venue_id, self.station_ids[station], doc)
        )
        assert job_id is not None
        return job_id

    async def job(self, job_id: int) -> dict[str, Any]:
        r = await self.call("GET", "/api/print-jobs", "manager", params={"limit": 500})
        assert r.status_code == 200, r.text
        return dict(next(j for j in r.json() if j["id"] == job_id))

    async def sql(self, query: str, **params: Any) -> list[Any]:
        async with self.app.state.sessions() as session:
            return list((await session.execute(text(query), params)).all())

    async def execute(self, query: str, **params: Any) -> None:
        async with self.app.state.sessions() as session, session.begin():
            await session.execute(text(query), params)

    async def events(self, type_: str) -> list[Any]:
        return await self.sql(
            "SELECT topic, data FROM events WHERE venue_id = :v AND type = :t ORDER BY seq",
            v=self.venue_id,
            t=type_,
        )

    async def drain(self, until: Callable[[], bool], seconds: float = 5.0) -> float:
        """Run dispatcher rounds until ``until()`` holds; the seconds it took."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        while not until():
            assert loop.time() - start < seconds, "the queue did not drain in time"
            if not await self.dispatcher.run_once():
                await asyncio.sleep(0.02)
        return loop.time() - start


def texts(fake: FakePrinter) -> list[Decoded]:
    return [decode(job) for job in fake.jobs]


@pytest.fixture(scope="session")
async def live(settings: Settings) -> AsyncIterator[tuple[Litestar, str]]:
    """A live server (no background work: tests drive the dispatcher and the scheduler),
    allowed to reach the fake printers on 127.0.0.1 (loopback is not the LAN)."""
    app = create_app(
        msgspec.structs.replace(settings, run_background=False, printer_allow=("127.0.0.1",))
    )
    app.state.print_policy = POLICY
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield app, f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture
async def printing(db: AsyncEngine, live: tuple[Litestar, str]) -> AsyncIterator[Printing]:
    app, url = live
    async with app.state.sessions() as session, session.begin():
        venue_id = await demo_data.seed(session, app.state.security)
    async with httpx.AsyncClient(base_url=url) as http:
        setup = Printing(app, http, venue_id)
        device = await devices.enrol(app.state.sessions, "demo")
        for role, pin in {**DEMO_PINS, "printer": AGENT_PIN}.items():
            setup.headers[role] = await devices.bearer(http, "demo", pin, device)
        for name in ("Kitchen", "Bar", "Receipt"):
            setup.fakes[name] = FakePrinter()
            await setup.fakes[name].start()
        r = await setup.call("GET", "/api/printers", "manager")
        for printer in r.json():
            setup.printer_ids[printer["name"]] = printer["id"]
            address = f"127.0.0.1:{setup.fakes[printer['name']].port}"
            r2 = await setup.call(
                "PATCH", f"/api/printers/{printer['id']}", "manager", json={"address": address}
            )
            assert r2.status_code == 200, r2.text
        rows = await setup.sql("SELECT name, id FROM stations WHERE venue_id = :v", v=venue_id)
        setup.station_ids = {name: id_ for name, id_ in rows}
        yield setup
        for fake in setup.fakes.values():
            await fake.stop()
