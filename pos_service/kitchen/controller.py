"""The kitchen API: sending, voiding and firing on checks, and the screens of the
stations and the pass. Thin handlers, one service call each."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Response, get, patch, post, put
from litestar.params import FromQuery, JSONBody, QueryParameter

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.lean import lean
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.kitchen import service
from pos_service.kitchen.schemas import (
    AllDayRead,
    CourseRead,
    CoursesRead,
    ExpoRead,
    FireRequest,
    PassRequest,
    PrepTimesRead,
    RecallRequest,
    StationPatch,
    StationRead,
    TicketRead,
    TicketsRead,
)
from pos_service.orders.schemas import (
    AllergiesSet,
    CheckRead,
    CheckWrite,
    MergeRequest,
    TransferRequest,
    VoidRequest,
)

SCREEN_WRITE = [requires("kitchen", "bar")]
SCREEN_READ = [requires("kitchen", "bar", "waiter")]


class KitchenChecksController(Controller):
    """The calls on a check that reach the kitchen."""

    path = "/api/checks"
    tags = ["checks"]
    guards = [requires("waiter")]

    @lean
    @post("/{check_id:int}/send", status_code=200, responses=problems(404, 409))
    async def send(
        self, uow: UoW, check_id: PathId, data: JSONBody[CheckWrite]
    ) -> Response[CheckRead]:
        """Send the pending lines: one ticket per station; later courses are held."""
        return await uow.reply(service.send, check_id, data)

    @post("/{check_id:int}/lines/{line_id:int}/void", status_code=200, responses=problems(404, 409))
    async def void_line(
        self, uow: UoW, check_id: PathId, line_id: PathId, data: JSONBody[VoidRequest]
    ) -> CheckRead:
        """Void a line; after send it needs a manager approval, and its station is told."""
        return await uow.write(service.void_line, check_id, line_id, data)

    @put("/{check_id:int}/allergies", responses=problems(404, 409))
    async def set_allergies(
        self, uow: UoW, check_id: PathId, data: JSONBody[AllergiesSet]
    ) -> CheckRead:
        """Set the table's allergies (the 14 EU allergens and a note): the band on every
        station's tickets of the check, those already sent included."""
        return await uow.write(service.set_allergies, check_id, data)

    @lean
    @post("/{check_id:int}/fire", status_code=200, responses=problems(404, 409))
    async def fire(
        self, uow: UoW, check_id: PathId, data: JSONBody[FireRequest]
    ) -> Response[CoursesRead]:
        """Fire a held course (409 if nothing of it is held)."""
        return await uow.reply(service.fire, check_id, data)

    @post("/{check_id:int}/transfer", status_code=200, responses=problems(404, 409))
    async def transfer(
        self, uow: UoW, check_id: PathId, data: JSONBody[TransferRequest]
    ) -> CheckRead:
        """Move the check to another table; its tickets say "moved to table 5"."""
        return await uow.write(service.transfer, check_id, data)

    @post("/{check_id:int}/merge", status_code=200, responses=problems(404, 409))
    async def merge(self, uow: UoW, check_id: PathId, data: JSONBody[MergeRequest]) -> CheckRead:
        """Merge another check into this one, with its tickets and held courses."""
        return await uow.write(service.merge, check_id, data)

    @get("/{check_id:int}/courses", responses=problems(404))
    async def courses(self, uow: UoW, check_id: PathId) -> CoursesRead:
        """The check's courses: held, fired or ready."""
        return await uow.read(service.get_courses, check_id)


class KitchenController(Controller):
    """Station screens (KDS), the pass (expo) and the kitchen's counts."""

    path = "/api/kitchen"
    tags = ["kitchen"]

    @get("/tickets", guards=SCREEN_READ, responses=problems(404))
    async def tickets(
        self,
        uow: UoW,
        station: FromQuery[str | None] = None,
        ticket_state: Annotated[str | None, QueryParameter(name="state")] = None,
    ) -> TicketsRead:
        """A station's tickets (all stations without ``station``); live ones by default."""
        return await uow.read(service.list_tickets, station, ticket_state)

    @lean
    @post(
        "/tickets/{ticket_id:int}/start",
        status_code=200,
        guards=SCREEN_WRITE,
        responses=problems(404, 409),
    )
    async def start(self, uow: UoW, ticket_id: PathId) -> Response[TicketRead]:
        """Start a ticket."""
        return await uow.reply(service.start, ticket_id)

    @lean
    @post(
        "/tickets/{ticket_id:int}/bump",
        status_code=200,
        guards=SCREEN_WRITE,
        responses=problems(404, 409),
    )
    async def bump(self, uow: UoW, ticket_id: PathId) -> Response[TicketRead]:
        """Bump a ticket: its fired items are done."""
        return await uow.reply(service.bump, ticket_id)

    @post(
        "/tickets/{ticket_id:int}/recall",
        status_code=200,
        guards=SCREEN_WRITE,
        responses=problems(404, 409),
    )
    async def recall(self, uow: UoW, ticket_id: PathId) -> TicketRead:
        """Bring a bumped ticket back."""
        return await uow.write(service.recall, ticket_id)

    @post("/recall", status_code=200, guards=SCREEN_WRITE, responses=problems(404, 409))
    async def recall_last(self, uow: UoW, data: JSONBody[RecallRequest]) -> TicketRead:
        """Bring back the station's last bumped ticket."""
        return await uow.write(service.recall_last, data)

    @lean
    @post(
        "/tickets/{ticket_id:int}/items/{item_id:int}/bump",
        status_code=200,
        guards=SCREEN_WRITE,
        responses=problems(404, 409),
    )
    async def bump_item(self, uow: UoW, ticket_id: PathId, item_id: PathId) -> Response[TicketRead]:
        """Bump one item of a ticket."""
        return await uow.reply(service.bump_item, ticket_id, item_id)

    @get("/expo", guards=SCREEN_READ, responses=problems(404))
    async def expo(self, uow: UoW) -> ExpoRead:
        """Whole orders across stations, course by course."""
        return await uow.read(service.expo)

    @post(
        "/expo/{check_id:int}/pickup",
        status_code=200,
        guards=SCREEN_WRITE,
        responses=problems(404, 409),
    )
    async def pickup(self, uow: UoW, check_id: PathId, data: JSONBody[PassRequest]) -> CourseRead:
        """Call a course up for pickup: the check's waiter's handheld shows a notice."""
        return await uow.write(service.call_pickup, check_id, data)

    @post(
        "/expo/{check_id:int}/served",
        status_code=200,
        guards=SCREEN_WRITE,
        responses=problems(404, 409),
    )
    async def served(self, uow: UoW, check_id: PathId, data: JSONBody[PassRequest]) -> CourseRead:
        """Mark a course served: it leaves the pass."""
        return await uow.write(service.serve, check_id, data)

    @get("/all-day", guards=SCREEN_READ, responses=problems(404))
    async def all_day(self, uow: UoW, station: FromQuery[str | None] = None) -> AllDayRead:
        """Outstanding portions per item and modifier."""
        return await uow.read(service.all_day, station)

    @get("/prep-times", guards=SCREEN_READ, responses=problems(404))
    async def prep_times(
        self,
        uow: UoW,
        station: FromQuery[str | None] = None,
        start: Annotated[dt.date | None, QueryParameter(name="from")] = None,
        end: Annotated[dt.date | None, QueryParameter(name="to")] = None,
    ) -> PrepTimesRead:
        """Average and 90th percentile prep seconds per station and item over days."""
        return await uow.read(service.prep_times, station, start, end)

    @get("/stations", guards=SCREEN_READ, responses=problems(404))
    async def stations(self, uow: UoW) -> list[StationRead]:
        """The stations and their timer thresholds."""
        return await uow.read(service.list_stations)

    @patch("/stations/{station_id:int}", guards=[requires()], responses=problems(404, 409))
    async def patch_station(
        self, uow: UoW, station_id: PathId, data: JSONBody[StationPatch]
    ) -> StationRead:
        """Change a station's warn and late minutes (managers)."""
        return await uow.write(service.patch_station, station_id, data)
