"""What the kitchen asks of a takeaway order: hold its send until pickup minus prep
time, and turn it ready once every ticket item is bumped (the guest is e-mailed).

A leaf of the kitchen (it imports ``orders``, ``mail``, ``venues`` and the takeaway
e-mails' wording only), so the send and the bump can reach it without importing the
takeaway API.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service import i18n
from pos_service.core import events
from pos_service.kitchen.models import TicketItem
from pos_service.mail import service as mail
from pos_service.orders.models import Check, CheckKind
from pos_service.takeaway import mails
from pos_service.takeaway.events import PickupChanged
from pos_service.takeaway.models import PickupState, TakeawayOrder
from pos_service.venues import service as venues

PICKUP_TOPIC = "pickup"


def topics(order: TakeawayOrder) -> list[str]:
    return [PICKUP_TOPIC, f"check:{order.check_id}"]


def changed(session: AsyncSession, order: TakeawayOrder) -> None:
    """Record ``pickup.changed`` for the order as it now stands."""
    events.record(
        session,
        order.venue_id,
        topics(order),
        PickupChanged(
            order_id=order.id, number=order.number, state=order.state, pickup_at=order.pickup_at
        ),
    )


async def for_check(session: AsyncSession, venue_id: int, check_id: int) -> TakeawayOrder | None:
    """The takeaway order of a check (locked; its check is locked first), or None."""
    return (
        await session.execute(
            select(TakeawayOrder)
            .where(TakeawayOrder.venue_id == venue_id, TakeawayOrder.check_id == check_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def for_check_read(
    session: AsyncSession, venue_id: int, check_id: int
) -> TakeawayOrder | None:
    """The takeaway order of a check, for reading, or None."""
    return (
        await session.execute(
            select(TakeawayOrder).where(
                TakeawayOrder.venue_id == venue_id, TakeawayOrder.check_id == check_id
            )
        )
    ).scalar_one_or_none()


async def label(session: AsyncSession, order: TakeawayOrder) -> str:
    """What a kitchen ticket shows instead of a table: the pickup time and the name, in
    the venue's language (the kitchen's paper and screens speak it)."""
    venue = await venues.get(session, order.venue_id)
    local = order.pickup_at.astimezone(ZoneInfo(venue.timezone))
    text = i18n.gettext(
        i18n.language_of(venue.locale),
        "Pickup {time} {name}",
        time=f"{local:%H:%M}",
        name=order.customer_name,
    )
    return text[:32]


async def _held_prep(session: AsyncSession, order: TakeawayOrder) -> int:
    """The longest prep time of what is already sent and held for the order."""
    held = await session.scalar(
        select(func.max(TicketItem.prep_minutes)).where(
            TicketItem.venue_id == order.venue_id,
            TicketItem.check_id == order.check_id,
            TicketItem.fired_at.is_(None),
            TicketItem.voided_at.is_(None),
        )
    )
    return int(held or 0)


async def on_send(
    session: AsyncSession, order: TakeawayOrder, prep_minutes: int, at: dt.datetime
) -> bool:
    """A send of the order's lines: True to hold them until ``fire_at`` (pickup minus the
    longest prep of what it holds), False to fire now (that time has come, or the order
    is already cooking)."""
    if order.fired_at is not None:
        return False
    longest = max(prep_minutes, await _held_prep(session, order))
    fire_at = order.pickup_at - dt.timedelta(minutes=longest)
    if fire_at > at:
        order.fire_at = fire_at
        order.state = PickupState.HELD
        return True
    order.fire_at = at
    order.fired_at = at
    order.state = PickupState.PREPARING
    changed(session, order)
    return False


def fired(session: AsyncSession, order: TakeawayOrder, now: dt.datetime) -> None:
    """The scheduler fired the order's held tickets."""
    order.fired_at = now
    order.state = PickupState.PREPARING
    changed(session, order)


async def ready_if_done(session: AsyncSession, check: Check, now: dt.datetime) -> None:
    """After a bump or a void: a takeaway order whose fired ticket items are all bumped
    (voided ones aside) and none held is ready; the guest is e-mailed."""
    if check.kind != CheckKind.TAKEAWAY:
        return
    left = await session.scalar(
        select(func.count())
        .select_from(TicketItem)
        .where(
            TicketItem.venue_id == check.venue_id,
            TicketItem.check_id == check.id,
            TicketItem.voided_at.is_(None),
            TicketItem.bumped_at.is_(None),
        )
    )
    if left:
        return
    order = await for_check(session, check.venue_id, check.id)
    if order is None or order.state != PickupState.PREPARING:
        return
    order.state = PickupState.READY
    order.ready_at = now
    changed(session, order)
    if order.customer_email:
        venue = await venues.get(session, check.venue_id)
        await mail.enqueue(session, check.venue_id, mails.ready(order, venue))
