"""The checks API: thin handlers, one service call each.

Sending and voiding lines are served by ``kitchen.controller``: both reach the kitchen's
screens in the same transaction."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post
from litestar.params import JSONBody

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.lean import lean
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.orders import service
from pos_service.orders.schemas import (
    CheckOpen,
    CheckRead,
    FavouritesRead,
    LineAdd,
    LinePatch,
)


class ChecksController(Controller):
    path = "/api/checks"
    tags = ["checks"]
    guards = [requires("waiter")]

    @post("/", responses=problems(404, 409))
    async def open_check(self, uow: UoW, data: JSONBody[CheckOpen]) -> CheckRead:
        """Open a check on a table (409 naming the open check if the table has one)."""
        return await uow.write(service.open_check, data)

    @get("/favourites")
    async def favourites(self, uow: UoW) -> FavouritesRead:
        """The venue's most ordered items of the last four weeks (the handheld's quick grid)."""
        return await uow.read(service.favourites)

    @get("/{check_id:int}", responses=problems(404, 409))
    async def get_check(self, uow: UoW, check_id: PathId) -> CheckRead:
        """A check with all its lines."""
        return await uow.read(service.get_check, check_id)

    @lean
    @post("/{check_id:int}/lines", responses=problems(404, 409))
    async def add_line(
        self, uow: UoW, check_id: PathId, data: JSONBody[LineAdd]
    ) -> Response[CheckRead]:
        """Add an item with modifiers, seat, course and note."""
        return await uow.reply(service.add_line, check_id, data)

    @patch("/{check_id:int}/lines/{line_id:int}", responses=problems(404, 409))
    async def patch_line(
        self, uow: UoW, check_id: PathId, line_id: PathId, data: JSONBody[LinePatch]
    ) -> CheckRead:
        """Edit a line that has not been sent."""
        return await uow.write(service.patch_line, check_id, line_id, data)
