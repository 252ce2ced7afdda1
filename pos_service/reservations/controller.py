"""The reservations, waitlist and guests API: thin handlers, one service call each.

Hosts (and managers) book, seat and run the waitlist; waiters may read reservations,
availability and the waitlist; guest profiles (contact data) are for hosts only.
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get, post, put
from litestar.params import FromQuery, JSONBody

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.reservations import service
from pos_service.reservations.schemas import (
    AvailabilityRead,
    GuestRead,
    ReservationCreate,
    ReservationRead,
    Rules,
    SeatRequest,
    WaitlistCreate,
    WaitlistRead,
    WaitlistSeat,
)

READ = [requires("host", "waiter")]
WRITE = [requires("host")]


class ReservationsController(Controller):
    path = "/api/reservations"
    tags = ["reservations"]

    @get("/", guards=READ, responses=problems(404))
    async def list_reservations(self, uow: UoW, date: FromQuery[dt.date]) -> list[ReservationRead]:
        """The reservations of a business day, in time order."""
        return await uow.read(service.list_reservations, date)

    @get("/availability", guards=READ, responses=problems(404))
    async def availability(
        self, uow: UoW, date: FromQuery[dt.date], party_size: FromQuery[int]
    ) -> AvailabilityRead:
        """Bookable start times of a day for a party size, with the tables it would get."""
        return await uow.read(service.availability, date, party_size)

    @get("/rules", guards=READ, responses=problems(404))
    async def rules(self, uow: UoW) -> Rules:
        """Service periods, slot length, pacing, turn times and walk-in share."""
        return await uow.read(service.get_rules)

    @put("/rules", guards=[requires()], responses=problems(404, 409))
    async def set_rules(self, uow: UoW, data: JSONBody[Rules]) -> Rules:
        """Replace the booking rules (managers)."""
        return await uow.write(service.set_rules, data)

    @post("/", guards=WRITE, responses=problems(404, 409))
    async def book(self, uow: UoW, data: JSONBody[ReservationCreate]) -> ReservationRead:
        """Book a party (best fit, or the host's tables); 409 if the slot has no room."""
        return await uow.write(service.book, data)

    @get("/{reservation_id:int}", guards=READ, responses=problems(404))
    async def get_reservation(self, uow: UoW, reservation_id: PathId) -> ReservationRead:
        return await uow.read(service.get_reservation, reservation_id)

    @post(
        "/{reservation_id:int}/confirm", guards=WRITE, status_code=200, responses=problems(404, 409)
    )
    async def confirm(self, uow: UoW, reservation_id: PathId) -> ReservationRead:
        """booked -> confirmed."""
        return await uow.write(service.confirm, reservation_id)

    @post(
        "/{reservation_id:int}/arrive", guards=WRITE, status_code=200, responses=problems(404, 409)
    )
    async def arrive(self, uow: UoW, reservation_id: PathId) -> ReservationRead:
        """booked/confirmed -> arrived."""
        return await uow.write(service.arrive, reservation_id)

    @post("/{reservation_id:int}/seat", guards=WRITE, status_code=200, responses=problems(404, 409))
    async def seat(
        self, uow: UoW, reservation_id: PathId, data: JSONBody[SeatRequest | None] = None
    ) -> ReservationRead:
        """Seat the party and open its check (allergies and notes carried onto it)."""
        return await uow.write(service.seat, reservation_id, data or SeatRequest())

    @post(
        "/{reservation_id:int}/complete",
        guards=WRITE,
        status_code=200,
        responses=problems(404, 409),
    )
    async def complete(self, uow: UoW, reservation_id: PathId) -> ReservationRead:
        """seated -> completed; joined tables are freed."""
        return await uow.write(service.complete, reservation_id)

    @post(
        "/{reservation_id:int}/cancel", guards=WRITE, status_code=200, responses=problems(404, 409)
    )
    async def cancel(self, uow: UoW, reservation_id: PathId) -> ReservationRead:
        """Cancel; the tables are released."""
        return await uow.write(service.cancel, reservation_id)

    @post(
        "/{reservation_id:int}/no-show", guards=WRITE, status_code=200, responses=problems(404, 409)
    )
    async def no_show(self, uow: UoW, reservation_id: PathId) -> ReservationRead:
        """Mark a no-show; the tables are released."""
        return await uow.write(service.no_show, reservation_id)


class WaitlistController(Controller):
    path = "/api/waitlist"
    tags = ["reservations"]

    @get("/", guards=READ, responses=problems(404))
    async def waitlist(self, uow: UoW) -> list[WaitlistRead]:
        """Waiting parties in order with position and live estimated wait."""
        return await uow.read(service.list_waitlist)

    @post("/", guards=WRITE, responses=problems(404, 409))
    async def add(self, uow: UoW, data: JSONBody[WaitlistCreate]) -> WaitlistRead:
        """Add a walk-in party with a quoted wait."""
        return await uow.write(service.add_to_waitlist, data)

    @post("/{entry_id:int}/seat", guards=WRITE, status_code=200, responses=problems(404, 409))
    async def seat(self, uow: UoW, entry_id: PathId, data: JSONBody[WaitlistSeat]) -> WaitlistRead:
        """Seat the party on a free table and open its check."""
        return await uow.write(service.seat_from_waitlist, entry_id, data)

    @post("/{entry_id:int}/cancel", guards=WRITE, status_code=200, responses=problems(404, 409))
    async def cancel(self, uow: UoW, entry_id: PathId) -> WaitlistRead:
        """Take the party off the list."""
        return await uow.write(service.cancel_waitlist, entry_id)


class GuestsController(Controller):
    path = "/api/guests"
    tags = ["reservations"]
    guards = WRITE

    @get("/", responses=problems(404))
    async def find(
        self, uow: UoW, phone: FromQuery[str | None] = None, email: FromQuery[str | None] = None
    ) -> list[GuestRead]:
        """Guest profiles by phone and/or email (normalised), with visit history."""
        return await uow.read(service.find_guests, phone, email)

    @get("/{guest_id:int}", responses=problems(404))
    async def get_guest(self, uow: UoW, guest_id: PathId) -> GuestRead:
        """A guest profile with visit history, tags and notes."""
        return await uow.read(service.get_guest, guest_id)
