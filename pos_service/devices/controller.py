"""Pairing and managing devices; a demo server's own browser may enrol itself."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from pos_service.core.auth import json_only, requires
from pos_service.core.errors import Forbidden, problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.devices import service
from pos_service.devices.schemas import (
    DeviceRead,
    Enrolled,
    LocalEnrol,
    Pair,
    PairingCreate,
    PairingRead,
)


class DevicesController(Controller):
    path = "/api/devices"
    tags = ["devices"]

    @get("/", guards=[requires()], responses=problems())
    async def list_devices(self, uow: UoW) -> list[DeviceRead]:
        """The venue's enrolled devices with when they were last seen (managers)."""
        return await uow.read(service.list_devices)

    @post("/pairings", guards=[requires()], responses=problems())
    async def create_pairing(self, uow: UoW, data: JSONBody[PairingCreate]) -> PairingRead:
        """A one-time code (10 minutes) that pairs one device (managers)."""
        return await uow.write(service.create_pairing, data)

    @post(
        "/{device_id:int}/revoke",
        guards=[requires()],
        status_code=200,
        responses=problems(404, 409),
    )
    async def revoke(self, uow: UoW, state: State, device_id: PathId) -> DeviceRead:
        """Revoke a device: its credential stops working and its sessions end at once."""
        try:
            return await uow.write(service.revoke, device_id)
        finally:
            state.guard.forget(uow.caller.venue_id)

    @post("/pair", exclude_from_auth=True, guards=[json_only], responses=problems(404, 415))
    async def pair(self, state: State, data: JSONBody[Pair]) -> Enrolled:
        """A device trades a pairing code for its credential (no sign-in needed)."""
        async with state.sessions() as session, session.begin():
            return await service.pair(session, data.venue, data.code)

    @post("/local", exclude_from_auth=True, guards=[json_only], responses=problems(404, 415))
    async def enrol_local(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[LocalEnrol]
    ) -> Enrolled:
        """On a demo server only: the browser on the server's own machine enrols itself,
        so ``python3 dev.py serve`` needs no pairing (docs/decisions/1201)."""
        peer = request.client.host if request.client else ""
        forwarded = any(h in request.headers for h in ("x-forwarded-for", "forwarded"))
        if not state.settings.demo or forwarded or not service.is_loopback(peer):
            raise Forbidden("only a demo server's own machine enrols without a code", field="venue")
        async with state.sessions() as session, session.begin():
            return await service.enrol_local(session, data.venue)
