"""The drawers API: a staff member's drawer session, from float to blind count."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.drawers import service
from pos_service.drawers.schemas import BlindCount, CashMovement, NoSale, SessionOpen, SessionRead

CASHIERS = requires("waiter", "bar")


class DrawersController(Controller):
    path = "/api/drawer-sessions"
    tags = ["drawers"]

    @get("/", guards=[CASHIERS], responses=problems())
    async def list_sessions(
        self,
        uow: UoW,
        open_only: Annotated[bool, QueryParameter(name="open")] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[SessionRead]:
        """The newest drawer sessions: a staff member's own, all of them for managers."""
        return await uow.read(service.list_sessions, open_only, limit)

    @get("/{session_id:int}", guards=[CASHIERS], responses=problems(404))
    async def get_session(self, uow: UoW, session_id: PathId) -> SessionRead:
        """One drawer session with its paid in, paid out and "no sale" movements."""
        return await uow.read(service.get_session, session_id)

    @post("/", guards=[CASHIERS], responses=problems(409))
    async def open_session(self, uow: UoW, data: JSONBody[SessionOpen]) -> SessionRead:
        """Open the caller's drawer session with the float in the drawer; 409 while one is open."""
        return await uow.write(service.open_session, data)

    @post("/paid-in", guards=[CASHIERS], status_code=200, responses=problems(409))
    async def paid_in(self, uow: UoW, data: JSONBody[CashMovement]) -> SessionRead:
        """Cash put into the caller's open drawer, with a reason (opens the drawer)."""
        return await uow.write(service.paid, "paid_in", data)

    @post("/paid-out", guards=[CASHIERS], status_code=200, responses=problems(409))
    async def paid_out(self, uow: UoW, data: JSONBody[CashMovement]) -> SessionRead:
        """Cash taken out of the caller's open drawer, with a reason (opens the drawer)."""
        return await uow.write(service.paid, "paid_out", data)

    @post("/no-sale", guards=[CASHIERS], status_code=200, responses=problems(409))
    async def no_sale(self, uow: UoW, data: JSONBody[NoSale]) -> SessionRead:
        """Open the drawer without a sale; the reason is journaled and audited."""
        return await uow.write(service.no_sale, data)

    @post(
        "/{session_id:int}/close", guards=[CASHIERS], status_code=200, responses=problems(404, 409)
    )
    async def close_session(
        self, uow: UoW, session_id: PathId, data: JSONBody[BlindCount]
    ) -> SessionRead:
        """Close a session with the cash counted (blind); the answer shows over/short."""
        return await uow.write(service.close_session, session_id, data)
