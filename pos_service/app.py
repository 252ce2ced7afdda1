"""``create_app(settings)``: the Litestar application, its plugins, routes and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig

from pos_service import __version__
from pos_service.config import Settings
from pos_service.core import embedded
from pos_service.core.auth import BearerAuthMiddleware, PinHasher, TokenSigner
from pos_service.core.db import create_engine, session_factory
from pos_service.core.errors import EXCEPTION_HANDLERS
from pos_service.core.health import health
from pos_service.core.realtime import EventBus
from pos_service.core.scheduler import Scheduler, Task
from pos_service.core.uow import provide_uow
from pos_service.menu.controller import MenuController
from pos_service.orders.controller import ChecksController
from pos_service.printing import dispatcher as printing
from pos_service.printing.controller import PrintersController, PrintJobsController
from pos_service.staff.controller import AuthController
from pos_service.staff.service import Security
from pos_service.tables.controller import FloorController

# Periodic work of the domains (each claims its due rows itself; see core.scheduler).
TASKS: list[Task] = [*printing.TASKS]

PUBLIC_PATHS = [
    "^/health",
    "^/schema",
    "^/api/auth/login",
    "^/ws",
    "^/guest",
    "^/api/guest",
    "^/static",
    "^/$",
    "^/app",
]


def resolve_database_url(settings: Settings) -> str:
    """``DATABASE_URL``, or the embedded PostgreSQL under the var directory."""
    if settings.database_url:
        return settings.database_url
    server = embedded.start(settings.var_dir / "postgres")
    return embedded.database_url(server, "pos")


def create_app(settings: Settings | None = None, **overrides: Any) -> Litestar:
    """Build the application. Nothing connects until the lifespan starts."""
    settings = settings or Settings.from_env(**overrides)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        url = resolve_database_url(settings)
        engine = create_engine(url, pool_size=settings.pool_size)
        app.state.database_url = url
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.publisher = EventBus(engine)
        app.state.scheduler = Scheduler(app.state.sessions, app.state.publisher, TASKS)
        if settings.run_background:
            app.state.scheduler.start()
        try:
            yield
        finally:
            app.state.scheduler.shutdown()
            await engine.dispose()

    signer = TokenSigner(settings.secret_key)
    state = State(
        {
            "settings": settings,
            "signer": signer,
            "print_policy": printing.policy_from(settings),
            "security": Security(
                signer,
                PinHasher(settings.argon2_time_cost, settings.argon2_memory_kib),
                token_ttl=settings.token_ttl_seconds,
                approval_ttl=settings.approval_ttl_seconds,
                max_failures=settings.pin_max_failures,
                lockout_seconds=settings.pin_lockout_seconds,
            ),
        }
    )
    return Litestar(
        route_handlers=[
            health,
            AuthController,
            MenuController,
            FloorController,
            ChecksController,
            PrintersController,
            PrintJobsController,
        ],
        dependencies={"uow": Provide(provide_uow)},
        middleware=[DefineMiddleware(BearerAuthMiddleware, exclude=PUBLIC_PATHS)],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan, partial(printing.running, settings=settings)],
        state=state,
        cors_config=CORSConfig(allow_origins=[]),
        openapi_config=OpenAPIConfig(title="pos_service", version=__version__, path="/schema"),
        request_max_body_size=256 * 1024,
        debug=False,
    )
