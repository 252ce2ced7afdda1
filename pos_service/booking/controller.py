"""The public booking page and its API: no sign-in; every route is rate limited per
address and per venue. The venue is named by its slug; the guest's own booking by its
signed link. Thin handlers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Template

from pos_service.booking import links, service
from pos_service.booking.schemas import (
    BookingChange,
    BookingCreate,
    BookingRead,
    BookingVenueRead,
    OpenSlots,
)
from pos_service.core.auth import Caller
from pos_service.core.errors import NotFound, problems
from pos_service.core.ratelimit import public_limit
from pos_service.core.uow import UnitOfWork, unit_of_work
from pos_service.public.guard import base_url, guest_language, guest_uow

PartySize = Annotated[int, QueryParameter(ge=1, le=99)]


def _link(request: Request[Any, Any, Any], venue_id: int) -> service.Link:
    secret = request.app.state.settings.secret_key
    base = base_url(request)
    return lambda reservation_id: (
        f"{base}/book/manage/{links.issue(secret, venue_id, reservation_id)}"
    )


async def _venue(request: Request[Any, Any, Any], slug: str) -> UnitOfWork:
    """The guest's unit of work at the venue of ``slug``; an unknown slug is charged to
    the address too."""
    lookup = await unit_of_work(request, Caller(kind="guest", venue_id=0))
    try:
        venue_id = await lookup.read(service.venue_id_of, slug)
    except NotFound:
        public_limit(request, 0)
        raise
    return await guest_uow(request, lambda: venue_id)


class BookingController(Controller):
    path = "/api/book"
    tags = ["booking"]

    @get("/{slug:str}", responses=problems(404, 429))
    async def venue(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> BookingVenueRead:
        """The venue's name, timezone and the largest party booked online."""
        return await (await _venue(request, slug)).read(service.venue_info)

    @get("/{slug:str}/availability", responses=problems(404, 422, 429))
    async def availability(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        date: FromQuery[dt.date],
        party_size: PartySize,
    ) -> OpenSlots:
        """The start times with room for the party on that day."""
        uow = await _venue(request, slug)
        return await uow.read(service.open_slots, date, party_size)

    @post("/{slug:str}/reservations", responses=problems(404, 409, 422, 429))
    async def book(
        self, request: Request[Any, Any, Any], slug: FromPath[str], data: JSONBody[BookingCreate]
    ) -> BookingRead:
        """Book; the confirmation e-mail carries the link to change or cancel, and it and
        the reminder are written in the page's language (``Accept-Language``, or the
        page's language switch)."""
        uow = await _venue(request, slug)
        link = _link(request, uow.caller.venue_id)
        return await uow.write(service.book, data, link, guest_language(request))


class BookingManageController(Controller):
    """The guest's own booking, by the signed link of its confirmation."""

    path = "/api/booking/{booking_token:str}"
    tags = ["booking"]

    @get("/", responses=problems(401, 404, 429))
    async def get_booking(
        self, request: Request[Any, Any, Any], booking_token: FromPath[str]
    ) -> BookingRead:
        """The booking as it stands."""
        uow, reservation_id = await _own(request, booking_token)
        return await uow.read(
            service.get_booking, reservation_id, _link(request, uow.caller.venue_id)
        )

    @post("/cancel", status_code=200, responses=problems(401, 404, 409, 429))
    async def cancel(
        self, request: Request[Any, Any, Any], booking_token: FromPath[str]
    ) -> BookingRead:
        """Cancel the booking."""
        uow, reservation_id = await _own(request, booking_token)
        return await uow.write(service.cancel, reservation_id, _link(request, uow.caller.venue_id))

    @post("/change", status_code=200, responses=problems(401, 404, 409, 422, 429))
    async def change(
        self,
        request: Request[Any, Any, Any],
        booking_token: FromPath[str],
        data: JSONBody[BookingChange],
    ) -> BookingRead:
        """Move the booking to another time or party size (a new link is e-mailed)."""
        uow, reservation_id = await _own(request, booking_token)
        link = _link(request, uow.caller.venue_id)
        return await uow.write(service.change, reservation_id, data, link, guest_language(request))


async def _own(request: Request[Any, Any, Any], token: str) -> tuple[UnitOfWork, int]:
    secret = request.app.state.settings.secret_key
    uow = await guest_uow(request, lambda: links.parse(token)[0])
    _, reservation_id = links.verify(secret, token)
    return uow, reservation_id


class BookingPages(Controller):
    include_in_schema = False

    @get("/book/{slug:str}", sync_to_thread=False)
    def page(self, slug: FromPath[str]) -> Template:
        """The venue's booking page."""
        return Template(template_name="book.html", context={"page": "book", "slug": slug})

    @get("/book/manage/{booking_token:str}", sync_to_thread=False)
    def manage(self, booking_token: FromPath[str]) -> Template:
        """The guest's own booking: change or cancel."""
        return Template(
            template_name="book-manage.html",
            context={"page": "book-manage", "token": booking_token},
        )
