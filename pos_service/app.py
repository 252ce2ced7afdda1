"""``create_app(settings)``: the Litestar application, its plugins, routes and lifespan."""

from __future__ import annotations

import datetime as dt
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
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service import __version__
from pos_service.accounting.controller import AccountingController
from pos_service.audit.controller import AuditController
from pos_service.auditfile.controller import AuditFileController
from pos_service.booking.controller import (
    BookingController,
    BookingManageController,
    BookingPages,
)
from pos_service.config import Settings, resolve_database_url
from pos_service.core import gctune, hardening, logs, openapi, outbound
from pos_service.core.auth import BearerAuthMiddleware, PinHasher, TokenSigner
from pos_service.core.db import asyncpg_dsn, create_engine, create_pool, session_factory
from pos_service.core.errors import EXCEPTION_HANDLERS
from pos_service.core.health import health
from pos_service.core.live import LiveDispatcher, SnapshotFn, live_socket, prune
from pos_service.core.realtime import EventBus
from pos_service.core.realtime_hub import Hub
from pos_service.core.scheduler import Scheduler, Task
from pos_service.core.sessions import SessionGuard
from pos_service.core.uow import provide_uow
from pos_service.devices.controller import DevicesController
from pos_service.drawers.controller import DrawersController
from pos_service.guests.controller import CheckGuestController, LoyaltyController
from pos_service.integrations import webhooks
from pos_service.integrations.controller import (
    ApiKeysController,
    ExportController,
    WebhooksController,
)
from pos_service.integrations.keys import KeyRing
from pos_service.kitchen import service as kitchen
from pos_service.kitchen.controller import KitchenChecksController, KitchenController
from pos_service.mail import service as mail
from pos_service.menu import service as menu_service
from pos_service.menu.controller import MenuController
from pos_service.orders import service as orders_service
from pos_service.orders.controller import ChecksController
from pos_service.pages.controller import TEMPLATES, PagesController, inline_styles, static_files
from pos_service.pages.takeaway import TakeawayPagesController
from pos_service.payments import service as payments_service
from pos_service.payments.controller import (
    BillsController,
    GiftCardsController,
    GuestController,
    PaymentsController,
)
from pos_service.payments.provider import PaymentProvider, SimulatedTerminal
from pos_service.printing import dispatcher as printing
from pos_service.printing.controller import PrintersController, PrintJobsController
from pos_service.promotions.controller import PromotionsController
from pos_service.public.settings import GuestSettingsController
from pos_service.reports import service as reports_service
from pos_service.reports.controller import GroupController, ReportsController
from pos_service.reservations import service as reservations
from pos_service.reservations.controller import (
    GuestsController,
    ReservationsController,
    WaitlistController,
)
from pos_service.returns.controller import GiftCardVoidController, ReturnsController
from pos_service.rosters.controller import RostersController
from pos_service.setup.controller import GroupVenuesController, SetupController
from pos_service.staff.controller import AuthController, StaffController
from pos_service.staff.service import Security
from pos_service.stock.controller import StockController
from pos_service.tableorder.controller import (
    TableLinksController,
    TableOrderController,
    TableOrderPage,
)
from pos_service.tables import service as tables_service
from pos_service.tables.controller import FloorController, TablesController
from pos_service.takeaway import service as takeaway
from pos_service.takeaway.controller import (
    PickupController,
    PublicOrderController,
    TakeawayController,
)
from pos_service.venues.controller import VenueController


# Periodic work of the domains (each claims its due rows itself; see core.scheduler).
def tasks(settings: Settings, provider: PaymentProvider, state: State) -> list[Task]:
    async def deliver_webhooks(session: AsyncSession, now: dt.datetime) -> int:
        return await webhooks.deliver(session, now, state.outbound)

    async def prune_events(session: AsyncSession, now: dt.datetime) -> int:
        return await prune(session, now, keep=settings.event_retention)

    async def resolve_card_payments(session: AsyncSession, now: dt.datetime) -> int:
        return await payments_service.resolve_pending(session, provider, now)

    return [
        Task("prune_events", 600, prune_events),
        Task("kitchen.release", 5, kitchen.release_due),
        Task("tables.clean", 30, tables_service.clean_due),
        Task("kitchen.late", 15, kitchen.flag_late),
        *reservations.tasks(),
        *printing.TASKS,
        Task("resolve_card_payments", 2, resolve_card_payments),
        Task("close_days", 300, reports_service.close_due_days),
        Task("webhooks", 5, deliver_webhooks),
        Task("takeaway.fire", 15, takeaway.fire_due),
    ]


# What a screen that missed too much gets instead of the events, per topic prefix.
SNAPSHOTS: dict[str, SnapshotFn] = {
    "floor": lambda session, caller, _topic: tables_service.get_floor(session, caller),
    "menu": lambda session, caller, _topic: menu_service.get_menu(session, caller),
    "orders": lambda session, caller, _topic: orders_service.open_checks(session, caller),
    "kitchen:": lambda session, caller, topic: kitchen.list_tickets(
        session, caller, topic.removeprefix("kitchen:")
    ),
    "expo": lambda session, caller, _topic: kitchen.expo(session, caller),
    "reservations": lambda session, caller, _topic: reservations.today(session, caller),
    "pickup": lambda session, caller, _topic: takeaway.board(session, caller),
    "check:": lambda session, caller, topic: orders_service.get_check(
        session, caller, int(topic.removeprefix("check:"))
    ),
}

PUBLIC_PATHS = [
    "^/health",
    "^/schema",
    "^/api/auth/login",
    "^/api/devices/pair$",
    "^/api/devices/local$",
    "^/api/setup",
    "^/ws",
    "^/guest/",
    "^/api/guest/",
    "^/t/",
    "^/api/table-order/",
    "^/book/",
    "^/api/book/",
    "^/api/booking/",
    "^/static",
    "^/i18n/",
    "^/$",
    "^/app",
    "^/api/public/",
    "^/order/",
    "^/sw\\.js$",
    "^/manifest\\.webmanifest$",
]


def create_app(settings: Settings | None = None, **overrides: Any) -> Litestar:
    """Build the application. Nothing connects until the lifespan starts."""
    settings = settings or Settings.from_env(**overrides)
    logs.configure(settings.log_format)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        url = resolve_database_url(settings)
        engine = create_engine(url, pool_size=settings.pool_size)
        app.state.database_url = url
        app.state.engine = engine
        app.state.pool = await create_pool(url, size=settings.pool_size)
        app.state.sessions = session_factory(engine)
        app.state.guard = SessionGuard(
            app.state.sessions, settings.token_ttl_seconds, app.state.pool
        )
        app.state.key_ring = KeyRing(app.state.sessions)
        bus = EventBus(engine, app.state.pool)
        app.state.publisher = bus
        app.state.live = LiveDispatcher(asyncpg_dsn(url), Hub())
        bus.subscribe(app.state.live.committed)
        app.state.live.start()
        app.state.scheduler = Scheduler(
            app.state.sessions, bus, tasks(settings, app.state.payment_provider, app.state)
        )
        if settings.run_background and settings.scheduler:
            app.state.scheduler.start()
        gctune.tune_for_long_lived_connections()  # many long-lived sockets (docs/live.md)
        try:
            yield
        finally:
            app.state.scheduler.shutdown()
            await app.state.guard.stop()
            await bus.flushed()
            await app.state.live.stop()
            await app.state.pool.close()
            await engine.dispose()

    signer = TokenSigner(settings.secret_key)
    state = State(
        {
            "settings": settings,
            "signer": signer,
            "snapshots": SNAPSHOTS,
            "print_policy": printing.policy_from(settings),
            "outbound": outbound.policy_from(settings),
            "payment_provider": SimulatedTerminal(),
            "security": Security(
                signer,
                PinHasher(settings.argon2_time_cost, settings.argon2_memory_kib),
                token_ttl=settings.token_ttl_seconds,
                approval_ttl=settings.approval_ttl_seconds,
            ),
        }
    )
    app = Litestar(
        route_handlers=[
            health,
            live_socket,
            AuthController,
            RostersController,
            MenuController,
            FloorController,
            TablesController,
            ChecksController,
            KitchenChecksController,
            KitchenController,
            ReservationsController,
            WaitlistController,
            GuestsController,
            CheckGuestController,
            LoyaltyController,
            PrintersController,
            PrintJobsController,
            BillsController,
            PaymentsController,
            GiftCardsController,
            GuestController,
            ReturnsController,
            GiftCardVoidController,
            ReportsController,
            PagesController,
            static_files,
            GroupController,
            StaffController,
            StockController,
            WebhooksController,
            ApiKeysController,
            ExportController,
            AuditFileController,
            AccountingController,
            AuditController,
            DevicesController,
            DrawersController,
            PromotionsController,
            VenueController,
            GuestSettingsController,
            TableLinksController,
            TableOrderController,
            TableOrderPage,
            BookingController,
            BookingManageController,
            BookingPages,
            SetupController,
            GroupVenuesController,
            TakeawayController,
            PickupController,
            PublicOrderController,
            TakeawayPagesController,
        ],
        template_config=TEMPLATES,
        dependencies={"uow": Provide(provide_uow)},
        middleware=[
            hardening.OptionsMiddleware(),
            DefineMiddleware(BearerAuthMiddleware, exclude=PUBLIC_PATHS),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[
            lifespan,
            partial(printing.running, settings=settings),
            partial(mail.running, settings=settings),
        ],
        state=state,
        cors_config=CORSConfig(allow_origins=[]),
        openapi_config=OpenAPIConfig(
            title="pos_service",
            version=__version__,
            description=(
                "Restaurant point-of-service API. Call it with `Authorization: Bearer "
                "<token>`: a staff token from sign-in, or an integration's API key "
                "(`posk_...`, made by a manager under /api/api-keys). Send a new "
                "`Idempotency-Key` with each change; errors are RFC 9457 problem details "
                "whose `field` names the input. Webhooks, scopes and the event catalogue: "
                "docs/integrations.md."
            ),
            path="/schema",
            operation_id_creator=openapi.operation_id,
        ),
        before_request=hardening.guard_input,
        before_send=[hardening.SecurityHeaders(hardening.content_security_policy(inline_styles()))],
        request_max_body_size=256 * 1024,
        debug=False,
    )
    openapi.install(app, PUBLIC_PATHS)
    return app
