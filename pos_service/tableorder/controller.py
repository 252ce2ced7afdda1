"""Ordering at the table by QR code: the guest's menu and order (public, the path's table
token is the credential), the table tents' links (staff), and the venue's guest settings
(managers). Thin handlers."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.response import Template

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UnitOfWork, UoW
from pos_service.public.guard import base_url, guest_uow
from pos_service.tableorder import links, service
from pos_service.tableorder.schemas import (
    GuestOrderCreate,
    GuestOrderRead,
    Rotated,
    TableLinkRead,
    TableMenuRead,
)


class TableLinksController(Controller):
    path = "/api/tables"
    tags = ["tables"]
    guards = [requires("waiter", "host")]

    @get("/order-links", guards=[requires()], responses=problems(404))
    async def all_links(
        self, uow: UoW, state: State, request: Request[Any, Any, Any]
    ) -> list[TableLinkRead]:
        """Every table's order link with its QR code, to print the table tents (managers)."""
        return await uow.read(service.table_links, state.settings.secret_key, base_url(request))

    @get("/{table_id:int}/order-link", responses=problems(404))
    async def link(
        self, uow: UoW, state: State, request: Request[Any, Any, Any], table_id: PathId
    ) -> TableLinkRead:
        """The table's order link and QR code (to show on the handheld or print)."""
        return await uow.read(
            service.table_link, state.settings.secret_key, base_url(request), table_id
        )

    @get(
        "/{table_id:int}/order-link.svg",
        media_type="image/svg+xml",
        responses=problems(404),
        include_in_schema=False,  # a file for people; clients take `qr_svg` of /order-link
    )
    async def qr_svg(
        self, uow: UoW, state: State, request: Request[Any, Any, Any], table_id: PathId
    ) -> Response[str]:
        """The table tent's QR code as an SVG file to download."""
        link = await uow.read(
            service.table_link, state.settings.secret_key, base_url(request), table_id
        )
        return Response(
            link.qr_svg,
            media_type="image/svg+xml",
            headers={"Content-Disposition": f'attachment; filename="table-{table_id}.svg"'},
        )

    @post(
        "/{table_id:int}/order-link/rotate",
        guards=[requires()],
        status_code=200,
        responses=problems(404),
    )
    async def rotate(self, uow: UoW, table_id: PathId) -> Rotated:
        """Kill the table's printed links (a new tent is needed; managers)."""
        return await uow.write(service.rotate, table_id)

    @post("/order-links/rotate", guards=[requires()], status_code=200, responses=problems(404))
    async def rotate_all(self, uow: UoW) -> Rotated:
        """Kill every table's printed links at once (managers)."""
        return await uow.write(service.rotate, None)


class TableOrderController(Controller):
    """A guest orders at the table. No bearer token; every route is rate limited."""

    path = "/api/table-order/{table_token:str}"
    tags = ["guest"]

    @get("/", responses=problems(401, 404, 429))
    async def menu(
        self, request: Request[Any, Any, Any], state: State, table_token: FromPath[str]
    ) -> TableMenuRead:
        """The table, how ordering works here, and the menu with modifiers and allergens."""
        uow = await _guest(request, table_token)
        return await uow.read(service.menu_by_token, state.settings.secret_key, table_token)

    @post("/orders", responses=problems(401, 404, 409, 422, 429))
    async def order(
        self,
        request: Request[Any, Any, Any],
        state: State,
        table_token: FromPath[str],
        data: JSONBody[GuestOrderCreate],
    ) -> GuestOrderRead:
        """Send the guest's basket: it waits for the waiter or goes to the kitchen, by the
        venue's ``guest_ordering``."""
        uow = await _guest(request, table_token)
        return await uow.write(service.order_by_token, state.settings.secret_key, table_token, data)


async def _guest(request: Request[Any, Any, Any], token: str) -> UnitOfWork:
    return await guest_uow(request, lambda: links.parse(token)[0])


class TableOrderPage(Controller):
    include_in_schema = False

    @get("/t/{table_token:str}", sync_to_thread=False)
    def page(self, table_token: FromPath[str]) -> Template:
        """The table tent's page: the menu, the basket, send."""
        return Template(
            template_name="table-order.html", context={"page": "table-order", "token": table_token}
        )
