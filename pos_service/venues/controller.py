"""The venue settings API (managers)."""

from __future__ import annotations

from litestar import Controller, get, patch
from litestar.datastructures import State
from litestar.params import JSONBody

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.uow import UoW
from pos_service.venues import service
from pos_service.venues.schemas import VenuePatch, VenueRead


class VenueController(Controller):
    path = "/api/venue"
    tags = ["venue"]

    @get("/", guards=[requires()], responses=problems(404))
    async def get_venue(self, uow: UoW) -> VenueRead:
        """The venue's name, sign-in slug, currency, timezone, locale, tax and service
        charge rules, with its version (managers)."""
        return await uow.read(service.get_settings)

    @patch("/", guards=[requires()], responses=problems(404, 409))
    async def patch_venue(self, uow: UoW, state: State, data: JSONBody[VenuePatch]) -> VenueRead:
        """Change the venue's settings; 409 with the current ones on a stale ``version``.
        The session guard reads the venue's language again (refusals speak it)."""
        try:
            return await uow.write(service.patch_settings, data)
        finally:
            state.guard.forget(uow.caller.venue_id)
