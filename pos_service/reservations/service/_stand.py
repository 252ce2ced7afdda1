"""The host stand's whole state, as a live topic's snapshot."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.reservations.service._booking import list_reservations
from pos_service.reservations.service._waitlist import list_waitlist
from pos_service.venues import service as venues


async def today(session: AsyncSession, caller: Caller) -> dict[str, Any]:
    """Today's reservation book and the waitlist (the ``reservations`` snapshot)."""
    venue = await venues.get(session, caller.venue_id)
    day = venues.business_day(venue, now_utc())
    return {
        "date": day.isoformat(),
        "reservations": await list_reservations(session, caller, day),
        "waitlist": await list_waitlist(session, caller),
    }
