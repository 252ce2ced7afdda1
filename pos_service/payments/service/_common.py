"""What every use case of the bill shares: the topics of its events and the locked load."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.orders import service as orders
from pos_service.payments._load import Loaded, load

PAYMENTS_TOPIC = "payments"


def topics(check_id: int) -> list[str]:
    return [PAYMENTS_TOPIC, "orders", f"check:{check_id}"]


async def locked(session: AsyncSession, caller: Caller, check_id: int) -> Loaded:
    """The open check, locked, with its bill and ledger."""
    return await load(
        session, await orders.load_for_write(session, caller.venue_id, check_id, None)
    )
