"""The venue's settings for what guests do on their own phones, kept at the top of
``Venue.settings`` and set by managers at ``/api/venue/guest-settings`` (audited)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, get, put
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core.auth import Caller, requires
from pos_service.core.errors import NotFound, problems
from pos_service.core.uow import UoW
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

GuestOrdering = Literal["off", "confirm", "direct"]
"""``off``: the table link shows nothing to order; ``confirm``: a guest's order waits on
the check until the waiter sends it; ``direct``: it goes to the kitchen at once."""


class GuestSettings(msgspec.Struct, kw_only=True):
    """What guests may do by themselves, and what is printed for them."""

    guest_ordering: GuestOrdering = "off"
    print_receipt_after_payment: bool = False
    """Print the receipt on the receipt printer when a check is paid in full."""
    booking_max_party: Annotated[int, msgspec.Meta(ge=1, le=99)] = 8
    """The largest party the public booking page takes (larger ones call the venue)."""


_FIELDS = tuple(GuestSettings.__struct_fields__)


def guest_settings(settings: dict[str, Any]) -> GuestSettings:
    """The guest settings of a venue's ``settings``."""
    return msgspec.convert({k: settings[k] for k in _FIELDS if k in settings}, GuestSettings)


async def get_settings(session: AsyncSession, caller: Caller) -> GuestSettings:
    return guest_settings((await venues.get(session, caller.venue_id)).settings)


async def set_settings(session: AsyncSession, caller: Caller, data: GuestSettings) -> GuestSettings:
    """Set how guests order, book and get receipts (managers; audited)."""
    venue = await session.get(Venue, caller.venue_id, with_for_update=True)
    if venue is None:
        raise NotFound("no such venue", field="venue")
    before = guest_settings(venue.settings)
    venue.settings = {**venue.settings, **msgspec.to_builtins(data)}
    venue.version += 1  # a manager's open venue form is stale now
    await audit.record(
        session,
        caller,
        "settings.changed",
        f"venue:{venue.id}",
        {"guest": {"before": msgspec.to_builtins(before), "after": msgspec.to_builtins(data)}},
    )
    return data


class GuestSettingsController(Controller):
    path = "/api/venue/guest-settings"
    tags = ["venue"]
    guards = [requires()]

    @get("/", responses=problems(404))
    async def get_settings(self, uow: UoW) -> GuestSettings:
        """Ordering at the table, the receipt after payment, the booking page's party cap."""
        return await uow.read(get_settings)

    @put("/", responses=problems(404))
    async def set_settings(self, uow: UoW, data: JSONBody[GuestSettings]) -> GuestSettings:
        """Set them (managers; audited)."""
        return await uow.write(set_settings, data)
