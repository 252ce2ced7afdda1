"""Small venues built per test: a few tables, their combinations and booking rules.

Each venue's timezone is chosen so that its local time is around noon when the test runs,
so "today" bookings near now never cross midnight or the business-day cutoff.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pos_service.core.auth import Caller
from pos_service.core.events import Committed
from pos_service.core.uow import UnitOfWork
from pos_service.reservations.planning import Rules, ServicePeriod
from pos_service.staff import service as staff
from pos_service.tables.models import Area, DiningTable
from pos_service.venues.models import DEFAULT_COURSES, Venue
from tests.support import devices

PINS = {"host": "2222", "waiter": "1111", "manager": "9999"}
ALL_DAY = [ServicePeriod(name="day", start=dt.time(6, 0), end=dt.time(23, 0))]
_slugs = itertools.count(1)


def noon_zone() -> str:
    """A fixed-offset zone in which it is now between 11:00 and 13:00."""
    offset = 12 - dt.datetime.now(dt.UTC).hour
    return f"Etc/GMT{-offset:+d}"


class Collecting:
    """A publisher that keeps what it is handed."""

    def __init__(self) -> None:
        self.committed: list[Committed] = []

    async def published(self, committed: list[Committed]) -> None:
        self.committed.extend(committed)


class Place:
    """A test venue: its ids, timezone, and a client signed in per role."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        venue_id: int,
        timezone: str,
        tables: dict[str, int],
        headers: dict[str, dict[str, str]],
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.client = client
        self.venue_id = venue_id
        self.tz = ZoneInfo(timezone)
        self.tables = tables
        self.headers = headers
        self.sessions = sessions

    async def call(self, method: str, path: str, role: str = "host", **kwargs: Any) -> Any:
        return await self.client.request(method, path, headers=self.headers[role], **kwargs)

    def at(self, day: dt.date, hhmm: str) -> dt.datetime:
        """A local wall-clock time of the venue."""
        return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), self.tz)

    def future_day(self, days: int = 7) -> dt.date:
        return dt.datetime.now(self.tz).date() + dt.timedelta(days=days)

    def next_slot(self, minutes_ahead: int = 30) -> dt.datetime:
        """A quarter-hour slot at least ``minutes_ahead`` from now, local time."""
        at = dt.datetime.now(self.tz) + dt.timedelta(minutes=minutes_ahead)
        return at.replace(minute=at.minute // 15 * 15, second=0, microsecond=0) + dt.timedelta(
            minutes=15
        )

    async def book(
        self, party_size: int, starts_at: dt.datetime, name: str = "Rossi", **fields: Any
    ) -> Any:
        body = {"name": name, "party_size": party_size, "starts_at": starts_at.isoformat()}
        return await self.call("POST", "/api/reservations", json=body | fields)

    async def booked(self, party_size: int, starts_at: dt.datetime, **fields: Any) -> Any:
        r = await self.book(party_size, starts_at, **fields)
        assert r.status_code == 201, r.text
        return r.json()

    async def availability(self, day: dt.date, party_size: int) -> list[str]:
        r = await self.call(
            "GET",
            "/api/reservations/availability",
            params={"date": str(day), "party_size": party_size},
        )
        assert r.status_code == 200, r.text
        return [
            dt.datetime.fromisoformat(s["starts_at"]).astimezone(self.tz).strftime("%H:%M")
            for s in r.json()["slots"]
        ]

    async def caller(self, role: str = "host") -> Caller:
        rows = await self.sql(
            "SELECT id FROM staff WHERE venue_id = :v AND name = :n", v=self.venue_id, n=role
        )
        return Caller(
            kind="staff",
            venue_id=self.venue_id,
            staff_id=rows[0].id,
            name=role,
            roles=frozenset({role}),
        )

    async def write(self, fn: Any, *args: Any, role: str = "host") -> Any:
        """Run a service call through the unit of work on this event loop (the test client
        runs the app on another loop, one request at a time; this is truly concurrent)."""
        return await UnitOfWork(self.sessions, await self.caller(role), Collecting()).write(
            fn, *args
        )

    async def sql(self, query: str, **params: Any) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.execute(text(query), params)).all())

    async def events(self, type_: str) -> list[dict[str, Any]]:
        rows = await self.sql(
            "SELECT data FROM events WHERE venue_id = :v AND type = :t ORDER BY seq",
            v=self.venue_id,
            t=type_,
        )
        return [row.data for row in rows]


MakeVenue = Callable[..., Awaitable[Place]]
RunTask = Callable[..., Awaitable[int]]


@pytest.fixture
def run_task(app: Litestar) -> RunTask:
    """``app.state.scheduler.run_task(name, now)`` (the app runs in the test's own loop)."""

    async def run(name: str, now: dt.datetime | None = None) -> int:
        return int(await app.state.scheduler.run_task(name, now))

    return run


@pytest.fixture
async def make_venue(
    db: AsyncEngine,
    client: httpx.AsyncClient,
    app: Litestar,
    sessions: async_sessionmaker[AsyncSession],
) -> MakeVenue:
    """Build a venue: ``tables`` as (name, capacity), ``combos`` as pairs of names."""

    async def make(
        tables: list[tuple[str, int]],
        combos: list[tuple[str, str]] | None = None,
        **rules: Any,
    ) -> Place:
        rules.setdefault("periods", ALL_DAY)
        rules.setdefault("max_covers_per_slot", 100)
        slug = f"venue-{next(_slugs)}"
        zone = noon_zone()
        async with sessions() as session, session.begin():
            venue = Venue(
                slug=slug,
                name=slug,
                currency="EUR",
                timezone=zone,
                tax_inclusive=True,
                courses=DEFAULT_COURSES,
                settings={"reservations": msgspec.to_builtins(Rules(**rules))},
            )
            session.add(venue)
            await session.flush()
            area = Area(venue_id=venue.id, name="Room")
            session.add(area)
            await session.flush()
            rows = {
                name: DiningTable(venue_id=venue.id, area_id=area.id, name=name, capacity=cap)
                for name, cap in tables
            }
            session.add_all(rows.values())
            await session.flush()
            for a, b in combos or []:
                rows[a].combinable_with = [*rows[a].combinable_with, rows[b].id]
            for role, pin in PINS.items():
                await staff.create_staff(session, app.state.security, venue.id, role, [role], pin)
            venue_id, ids = venue.id, {name: t.id for name, t in rows.items()}
        headers = {}
        device = await devices.enrol(sessions, slug)
        for role, pin in PINS.items():
            headers[role] = await devices.bearer(client, slug, pin, device)
        return Place(client, venue_id, zone, ids, headers, sessions)

    return make
