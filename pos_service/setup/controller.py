"""The first-run setup API (public while the server has no venue) and new venues of a
group (owners)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from pos_service.core.auth import owner_only
from pos_service.core.errors import problems
from pos_service.core.uow import UoW
from pos_service.setup import service
from pos_service.setup.schemas import SetupRequest, SetupResult, SetupStatus
from pos_service.venues.schemas import VenueCreate, VenueRead


class SetupController(Controller):
    path = "/api/setup"
    tags = ["setup"]

    @get("/", exclude_from_auth=True)
    async def setup_status(self, state: State) -> SetupStatus:
        """Whether the server still waits for its first venue (``/app/setup``)."""
        async with state.sessions() as session, session.begin():
            return await service.status(session)

    @post("/", exclude_from_auth=True, responses=problems(409, 410, 429))
    async def setup(self, state: State, data: JSONBody[SetupRequest]) -> SetupResult:
        """Create the first venue and its owner with the setup code from the server's
        log; answers the owner signed in. 410 once the server has a venue."""
        return await service.run_setup(state.sessions, state.security, data)


class GroupVenuesController(Controller):
    path = "/api/venues"
    tags = ["setup"]

    @post("/", guards=[owner_only], responses=problems(404, 409))
    async def add_venue(self, uow: UoW, state: State, data: JSONBody[VenueCreate]) -> VenueRead:
        """Open another venue in the owner's group; the owner signs in there with their
        PIN. Copy a menu into it with ``POST /api/menu/copy``."""
        return await uow.write(service.add_venue, state.security, data)
