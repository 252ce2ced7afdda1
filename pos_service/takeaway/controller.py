"""The takeaway APIs: staff take and follow orders (``/api/takeaway``), the pickup
screen reads its board (``/api/pickup``), and the public order page (``/api/public``,
no sign-in: every route charged to the public rate limits, nothing of staff shown)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter, QueryParameter

from pos_service.core.auth import Caller, requires
from pos_service.core.errors import Invalid, Unauthorized, problems
from pos_service.core.ratelimit import public_limit
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW, unit_of_work
from pos_service.public.guard import base_url, guest_language
from pos_service.public.venue import SLUG, venue_guard, venue_of
from pos_service.takeaway import service
from pos_service.takeaway.schemas import (
    PickupBoard,
    PublicMenu,
    PublicOrderCreate,
    PublicOrderRead,
    SlotList,
    TakeawayCreate,
    TakeawayList,
    TakeawayRead,
    TakeawaySettings,
)

FEATURE = "takeaway_online"
Slug = Annotated[str, PathParameter(pattern=SLUG)]
Token = Annotated[str, PathParameter(max_length=600)]
GUARD = venue_guard(FEATURE)


class TakeawayController(Controller):
    path = "/api/takeaway"
    tags = ["takeaway"]
    guards = [requires("waiter")]

    @post("/", responses=problems(404, 409))
    async def create(self, uow: UoW, data: JSONBody[TakeawayCreate]) -> TakeawayRead:
        """Take a counter or phone order (no table): name, phone or e-mail, pickup time;
        with ``lines`` and ``send`` it goes to the kitchen, held to its pickup time."""
        return await uow.write(service.create, data)

    @get("/", responses=problems())
    async def list_orders(
        self, uow: UoW, day: Annotated[dt.date | None, QueryParameter()] = None
    ) -> TakeawayList:
        """The takeaway orders of a business day (today by default), by pickup time."""
        return await uow.read(service.list_orders, day)

    @get("/settings", guards=[requires("manager")], responses=problems())
    async def get_settings(self, uow: UoW) -> TakeawaySettings:
        """The venue's takeaway rules: public page, opening hours, slots."""
        return await uow.read(service.get_settings)

    @put("/settings", guards=[requires("manager")], responses=problems())
    async def put_settings(self, uow: UoW, data: JSONBody[TakeawaySettings]) -> TakeawaySettings:
        """Set the takeaway rules (recorded in the audit trail)."""
        return await uow.write(service.put_settings, data)

    @get("/{order_id:int}", responses=problems(404))
    async def get_order(self, uow: UoW, order_id: PathId) -> TakeawayRead:
        """A takeaway order with its check."""
        return await uow.read(service.get_order, order_id)

    @post("/{order_id:int}/collected", status_code=200, responses=problems(404, 409))
    async def collected(self, uow: UoW, order_id: PathId) -> TakeawayRead:
        """The guest took the order: it leaves the pickup screen."""
        return await uow.write(service.collected, order_id)


class PickupController(Controller):
    path = "/api/pickup"
    tags = ["takeaway"]
    guards = [requires("waiter", "host", "kitchen", "bar")]

    @get("/", responses=problems())
    async def board(self, uow: UoW) -> PickupBoard:
        """The pickup screen: today's orders by number, preparing or ready."""
        return await uow.read(service.board)


class PublicOrderController(Controller):
    """The venue's public order page. No bearer token; the order's signed link is the
    one credential of ``/orders/{token}`` (and of paying it, ``/api/guest/{token}``)."""

    path = "/api/public"
    tags = ["public"]

    @get("/venues/{slug:str}/menu", responses=problems(404, 429), guards=[GUARD])
    async def menu(self, request: Request[Any, Any, Any], slug: Slug) -> PublicMenu:
        """The menu to order from: items with their options, allergens, availability
        and schedules; the opening hours and pickup slot rules."""
        venue = venue_of(request)
        uow = await unit_of_work(request, Caller(kind="guest", venue_id=venue.id))
        return await uow.read(service.public_menu, venue)

    @get("/venues/{slug:str}/slots", responses=problems(404, 429), guards=[GUARD])
    async def slots(
        self,
        request: Request[Any, Any, Any],
        slug: Slug,
        date: Annotated[dt.date, QueryParameter()],
    ) -> SlotList:
        """The pickup slots of a day still open, with how many orders each takes."""
        venue = venue_of(request)
        today = dt.datetime.now(dt.UTC).date()
        if not today - dt.timedelta(days=1) <= date <= today + dt.timedelta(days=7):
            raise Invalid("pickup is possible today and the next 7 days", field="date")
        uow = await unit_of_work(request, Caller(kind="guest", venue_id=venue.id))
        return await uow.read(service.slots, venue, date)

    @post("/venues/{slug:str}/orders", responses=problems(404, 409, 429), guards=[GUARD])
    async def place(
        self,
        request: Request[Any, Any, Any],
        state: State,
        slug: Slug,
        data: JSONBody[PublicOrderCreate],
    ) -> PublicOrderRead:
        """Place an order: checked whole (opening hours, slot cap, availability at the
        pickup time, required options), or nothing is written. The answer carries the
        signed link to the order; the guest's e-mails (the confirmation with that link,
        "ready") are in the page's language."""
        venue = venue_of(request)
        uow = await unit_of_work(request, Caller(kind="guest", venue_id=venue.id))
        ttl: int = state.settings.guest_link_ttl_seconds
        language, base = guest_language(request), base_url(request)
        return await uow.write(service.place_public, venue, data, state.signer, ttl, language, base)

    @get("/orders/{token:str}", responses=problems(404, 429))
    async def order(
        self, request: Request[Any, Any, Any], state: State, token: Token
    ) -> PublicOrderRead:
        """The order of a signed link: number, state, pickup time, lines, total, paid."""
        try:
            caller = state.signer.verify(token)
        except Unauthorized:
            public_limit(request, 0)
            raise
        public_limit(request, caller.venue_id)
        if caller.kind != "guest" or caller.check_id is None:
            raise Unauthorized("not an order link", field="token")
        uow = await unit_of_work(request, caller)
        return await uow.read(service.guest_order, token)
