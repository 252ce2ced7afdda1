"""The floor API, and the floor plan editor's (managers)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.params import JSONBody, QueryParameter

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.tables import plan, service
from pos_service.tables.schemas import (
    AreaCreate,
    AreaPatch,
    AreaRead,
    FloorRead,
    TableCreate,
    TablePatch,
    TableRead,
    TurnoverSettings,
)

OptionalVersion = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]


class FloorController(Controller):
    path = "/api/floor"
    tags = ["floor"]

    @get("/", guards=[requires("waiter", "host")], responses=problems(404))
    async def floor(self, uow: UoW) -> FloorRead:
        """Areas and tables with live status, open check and next reservation."""
        return await uow.read(service.get_floor)

    @post("/areas", guards=[requires()], responses=problems(404, 409))
    async def create_area(self, uow: UoW, data: JSONBody[AreaCreate]) -> AreaRead:
        """Add an area (managers)."""
        return await uow.write(plan.create_area, data)

    @patch("/areas/{area_id:int}", guards=[requires()], responses=problems(404, 409))
    async def patch_area(self, uow: UoW, area_id: PathId, data: JSONBody[AreaPatch]) -> AreaRead:
        """Rename or reorder an area; 409 with the current area on a stale ``version``."""
        return await uow.write(plan.patch_area, area_id, data)

    @delete(
        "/areas/{area_id:int}", status_code=200, guards=[requires()], responses=problems(404, 409)
    )
    async def archive_area(self, uow: UoW, area_id: PathId) -> AreaRead:
        """Remove an area without tables (managers)."""
        return await uow.write(plan.archive_area, area_id)

    @post("/tables", guards=[requires()], responses=problems(404, 409))
    async def create_table(self, uow: UoW, data: JSONBody[TableCreate]) -> TableRead:
        """Place a table: centre, size, shape, seats, neighbours (422 on top of another)."""
        return await uow.write(plan.create_table, data)

    @patch("/tables/{table_id:int}", guards=[requires()], responses=problems(404, 409))
    async def patch_table(
        self, uow: UoW, table_id: PathId, data: JSONBody[TablePatch]
    ) -> TableRead:
        """Move, resize or change a table; 409 with the current table on a stale version."""
        return await uow.write(plan.patch_table, table_id, data)

    @delete(
        "/tables/{table_id:int}",
        status_code=200,
        guards=[requires()],
        responses=problems(404, 409),
    )
    async def archive_table(
        self, uow: UoW, table_id: PathId, version: OptionalVersion = None
    ) -> TableRead:
        """Take a table off the floor (archived; 409 while it has an open check)."""
        return await uow.write(plan.archive_table, table_id, version)

    @get("/turnover", guards=[requires("waiter", "host")], responses=problems())
    async def get_turnover(self, uow: UoW) -> TurnoverSettings:
        """How paid tables come back (cleaned by hand, or free after some minutes)."""
        return await uow.read(service.get_turnover)

    @put("/turnover", guards=[requires()], responses=problems(404))
    async def set_turnover(self, uow: UoW, data: JSONBody[TurnoverSettings]) -> TurnoverSettings:
        """Set ``clean_after_minutes`` (``null``: tables are cleaned by hand)."""
        return await uow.write(service.set_turnover, data)


class TablesController(Controller):
    """A table's own calls."""

    path = "/api/tables"
    tags = ["floor"]

    @post(
        "/{table_id:int}/clean",
        status_code=200,
        guards=[requires("waiter", "host")],
        responses=problems(404, 409),
    )
    async def clean(self, uow: UoW, table_id: PathId) -> TableRead:
        """The table is clean: ``to_clean`` -> ``free`` (409 naming its state otherwise)."""
        return await uow.write(service.clean, table_id)
