"""The floor API."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import JSONBody

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.tables import service
from pos_service.tables.schemas import FloorRead, TableRead, TurnoverSettings


class FloorController(Controller):
    path = "/api/floor"
    tags = ["floor"]

    @get("/", guards=[requires("waiter", "host")], responses=problems())
    async def floor(self, uow: UoW) -> FloorRead:
        """Areas and tables with live status, open check and next reservation."""
        return await uow.read(service.get_floor)

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
