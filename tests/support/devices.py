"""Enrolled devices for tests: the one place tests pair a device and sign in with a PIN.

Sign-in needs an enrolled device; tests enrol one straight through the service (as the
setup flow does) and sign in with its credential.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pos_service.core.db import create_engine, session_factory
from pos_service.devices import service as devices
from pos_service.venues import service as venues


async def enrol(
    sessions: async_sessionmaker[AsyncSession] | AsyncEngine,
    venue: str = "demo",
    name: str = "Test handheld",
    kind: str = "handheld",
) -> str:
    """A new enrolled device of ``venue``; its credential."""
    make = session_factory(sessions) if isinstance(sessions, AsyncEngine) else sessions
    async with make() as session, session.begin():
        venue_id = (await venues.by_slug(session, venue)).id
        _, credential = await devices.enrol(session, venue_id, name, kind)
    return credential


async def enrol_at(database_url: str, venue: str = "demo", **kwargs: Any) -> str:
    """:func:`enrol` for a test that only knows the database's URL."""
    engine = create_engine(database_url, pool_size=1)
    try:
        return await enrol(engine, venue, **kwargs)
    finally:
        await engine.dispose()


async def login(http: httpx.AsyncClient, venue: str, pin: str, device: str) -> httpx.Response:
    """``POST /api/auth/login`` from the device holding ``device``."""
    return await http.post("/api/auth/login", json={"venue": venue, "pin": pin, "device": device})


async def bearer(http: httpx.AsyncClient, venue: str, pin: str, device: str) -> dict[str, str]:
    """The bearer header of a new session (the sign-in must succeed)."""
    r = await login(http, venue, pin, device)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}
