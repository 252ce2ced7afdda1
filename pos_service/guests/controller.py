"""Linking a check to a guest, and the venue's loyalty rule: thin handlers.

Linking is served by ``kitchen.service.link_guest``: the guest's allergies join the
check's, and its tickets already in the kitchen show them in the same transaction.

The guest book itself (``/api/guests``) is served by ``reservations.controller``; points
are redeemed on the bill (``payments.controller``).
"""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import JSONBody

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.guests import service
from pos_service.guests.schemas import CheckGuestRead, GuestLink, LoyaltySettings
from pos_service.kitchen import service as kitchen


class CheckGuestController(Controller):
    path = "/api/checks"
    tags = ["guests"]
    guards = [requires("waiter")]

    @post("/{check_id:int}/guest", status_code=200, responses=problems(404, 409))
    async def link(self, uow: UoW, check_id: PathId, data: JSONBody[GuestLink]) -> CheckGuestRead:
        """Say whom the check is for (by id, phone or email; a new profile if needed)."""
        return await uow.write(kitchen.link_guest, check_id, data)


class LoyaltyController(Controller):
    path = "/api/loyalty"
    tags = ["guests"]
    guards = [requires()]

    @get("/settings", responses=problems(404))
    async def settings(self, uow: UoW) -> LoyaltySettings:
        """The venue's loyalty rule (managers)."""
        return await uow.read(service.get_loyalty_settings)

    @put("/settings", responses=problems(404, 409))
    async def set_settings(self, uow: UoW, data: JSONBody[LoyaltySettings]) -> LoyaltySettings:
        """Points earned per amount spent, and what a point is worth (managers)."""
        return await uow.write(service.set_loyalty_settings, data)
