"""The table's allergies reaching the tickets the kitchen already has."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.guests import service as guests
from pos_service.guests.schemas import CheckGuestRead, GuestLink
from pos_service.kitchen.events import TicketAllergiesChanged
from pos_service.kitchen.models import KitchenTicket
from pos_service.kitchen.service._common import ACTIVE, station_topics, tickets_with_stations
from pos_service.orders import service as orders
from pos_service.orders.models import Check
from pos_service.orders.schemas import AllergiesSet, CheckRead


async def set_allergies(
    session: AsyncSession, caller: Caller, check_id: int, data: AllergiesSet
) -> CheckRead:
    """Set the table's allergies on the check; the check's tickets still in the kitchen
    show the new band at once, on every station (``ticket.allergies_changed``)."""
    check = await orders.set_allergies(session, caller, check_id, data)
    await _band_to_tickets(session, caller, check)
    return await orders.check_read(session, check)


async def link_guest(
    session: AsyncSession, caller: Caller, check_id: int, data: GuestLink
) -> CheckGuestRead:
    """Say whom the check is for (``guests.link_check``); the guest's allergies join the
    check's, and the tickets the kitchen already has show the new band."""
    read = await guests.link_check(session, caller, check_id, data)
    check = await session.get(Check, (caller.venue_id, check_id))
    assert check is not None
    await _band_to_tickets(session, caller, check)
    return read


async def _band_to_tickets(session: AsyncSession, caller: Caller, check: Check) -> None:
    """The check's band onto its tickets still in the kitchen whose band differs."""
    allergies = orders.band(check.allergens, check.allergy_note)
    changed = (
        await session.execute(
            update(KitchenTicket)
            .where(
                KitchenTicket.venue_id == caller.venue_id,
                KitchenTicket.check_id == check.id,
                KitchenTicket.state.in_(ACTIVE),
                KitchenTicket.allergies != allergies,
            )
            .values(allergies=allergies)
            .returning(KitchenTicket.id)
        )
    ).scalars()
    for ticket, station in await tickets_with_stations(session, caller.venue_id, set(changed)):
        events.record(
            session,
            caller.venue_id,
            station_topics(station),
            TicketAllergiesChanged(
                ticket_id=ticket.id,
                number=ticket.number,
                station=station,
                check_id=check.id,
                allergies=allergies,
            ),
        )
