"""The floor API."""

from __future__ import annotations

from litestar import Controller, get

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.uow import UoW
from pos_service.tables import service
from pos_service.tables.schemas import FloorRead


class FloorController(Controller):
    path = "/api/floor"
    tags = ["floor"]

    @get("/", guards=[requires("waiter", "host")], responses=problems())
    async def floor(self, uow: UoW) -> FloorRead:
        """Areas and tables with live status, open check and next reservation."""
        return await uow.read(service.get_floor)
