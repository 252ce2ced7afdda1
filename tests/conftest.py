"""Test fixtures: a real PostgreSQL (embedded), migrated once per run, one database per
xdist worker, emptied between tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pos_service.app import create_app
from pos_service.config import Settings
from tests.support import database, devices
from tests.support.servers import serve

ROOT = Path(__file__).resolve().parent.parent

DEMO_PINS = {
    "waiter": "1111",
    "waiter2": "1112",
    "host": "2222",
    "kitchen": "3333",
    "bar": "4444",
    "manager": "9999",
    "printer": "7777",
    "owner": "8888",
}


@pytest.fixture(scope="session")
def database_url(worker_id: str) -> str:
    """A migrated database of this worker's own on the embedded server."""
    return database.worker_database(worker_id)


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        var_dir=tmp_path_factory.mktemp("var"),
        secret_key="test-secret",
        argon2_time_cost=1,
        argon2_memory_kib=8,
        run_background=False,
        pool_size=5,
    )


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    from pos_service.core.db import create_engine

    eng = create_engine(database_url, pool_size=5)
    yield eng
    await eng.dispose()


@pytest.fixture(scope="session")
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    from pos_service.core.db import session_factory

    return session_factory(engine)


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncEngine:
    """The database, emptied for this test."""
    await database.truncate_all(engine)
    return engine


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def fresh_app(settings: Settings) -> Litestar:
    """A new application instance, for serving with a real uvicorn in the test's loop."""
    return create_app(settings)


@pytest.fixture(scope="session")
async def server_url(app: Litestar) -> AsyncIterator[str]:
    """The session's app served by a real uvicorn on 127.0.0.1, so requests truly overlap."""
    async with serve(app) as url:
        yield url


@pytest.fixture(scope="session")
async def client(server_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server_url, timeout=30) as c:
        yield c


@pytest.fixture
async def demo(
    db: AsyncEngine,
    client: httpx.AsyncClient,
    app: Litestar,
    sessions: async_sessionmaker[AsyncSession],
) -> Demo:
    """The demo venue, seeded, with a signed-in client per role."""
    from pos_service import demo as demo_data

    async with sessions() as session, session.begin():
        venue_id = await demo_data.seed(session, app.state.security)
    device = await devices.enrol(sessions, "demo")
    headers: dict[str, dict[str, str]] = {}
    for role, pin in DEMO_PINS.items():
        headers[role] = await devices.bearer(client, "demo", pin, device)
    return Demo(client, app, venue_id, headers, sessions, {"demo": device})


class Demo:
    """The seeded demo venue and helpers to call the API as one of its staff."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        app: Litestar,
        venue_id: int,
        headers: dict[str, dict[str, str]],
        sessions: async_sessionmaker[AsyncSession],
        devices: dict[str, str],
    ) -> None:
        self.client = client
        self.app = app
        self.venue_id = venue_id
        self.headers = headers
        self.sessions = sessions
        self.devices = devices
        """The credential of the enrolled device each venue's sign-ins use, by slug."""
        self._menu: dict[str, Any] | None = None

    async def call(
        self, method: str, path: str, role: str = "waiter", *, key: str | None = None, **kwargs: Any
    ) -> Any:
        headers = dict(self.headers[role]) if role else {}
        if key is not None:
            headers["Idempotency-Key"] = key
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def sign_in(
        self, pin: str, venue: str = "demo", device: str | None = None
    ) -> dict[str, str]:
        """Sign in with a PIN as the handheld does; the bearer header of the new session.
        New tests sign in through here, so the way a device signs in is in one place.
        ``device``: a credential (default: the venue's test device, enrolled once)."""
        r = await self.login(pin, venue, device)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    async def login(
        self, pin: str, venue: str = "demo", device: str | None = None
    ) -> httpx.Response:
        """The answer to a sign-in (for tests of refused ones)."""
        return await devices.login(self.client, venue, pin, device or await self.device(venue))

    async def device(self, venue: str = "demo", name: str | None = None) -> str:
        """The venue's test device (enrolled on first use); with ``name``, a new one."""
        if name is not None:
            return await devices.enrol(self.sessions, venue, name)
        if venue not in self.devices:
            self.devices[venue] = await devices.enrol(self.sessions, venue)
        return self.devices[venue]

    async def menu(self) -> dict[str, Any]:
        if self._menu is None:
            r = await self.call("GET", "/api/menu")
            assert r.status_code == 200, r.text
            self._menu = r.json()
        return self._menu

    async def item(self, name: str) -> dict[str, Any]:
        for category in (await self.menu())["categories"]:
            for item in category["items"]:
                if item["name"] == name:
                    return dict(item)
        raise KeyError(name)

    async def option(self, item_name: str, option_name: str) -> int:
        for group in (await self.item(item_name))["modifier_groups"]:
            for option in group["options"]:
                if option["name"] == option_name:
                    return int(option["id"])
        raise KeyError(option_name)

    async def table_id(self, name: str) -> int:
        async with self.sessions() as session:
            return int(
                (
                    await session.execute(
                        text("SELECT id FROM dining_tables WHERE venue_id = :v AND name = :n"),
                        {"v": self.venue_id, "n": name},
                    )
                ).scalar_one()
            )

    async def open_check(
        self, table: str = "12", covers: int = 4, role: str = "waiter"
    ) -> dict[str, Any]:
        r = await self.call(
            "POST",
            "/api/checks",
            role,
            json={"table_id": await self.table_id(table), "covers": covers},
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def add(
        self,
        check_id: int,
        item: str,
        quantity: int = 1,
        options: tuple[str, ...] = (),
        role: str = "waiter",
        **fields: Any,
    ) -> Any:
        body = {
            "item_id": (await self.item(item))["id"],
            "quantity": quantity,
            "modifiers": [await self.option(item, o) for o in options],
            **fields,
        }
        return await self.call("POST", f"/api/checks/{check_id}/lines", role, json=body)

    async def sql(self, query: str, **params: Any) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.execute(text(query), params)).all())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="run the @pytest.mark.slow tests")


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(ROOT / "var"))
