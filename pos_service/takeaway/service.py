"""The use cases of takeaway orders: staff take one at the counter or the phone, a guest
places one on the venue's public page; the scheduler fires held orders at pickup minus
prep time; staff mark one collected; the pickup screen's board.

An order is a check without a table (``orders.open_takeaway``) and a ``TakeawayOrder``
row. Lines are added and sent by the same code as a table's (``orders.add_line``,
``kitchen.send``): the send holds a takeaway order's tickets (``pickup.on_send``). The
order number of the business day is taken from the venue's ``pickup:<day>`` counter,
last in the transaction (docs/locking.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core import events, locks, tx
from pos_service.core.auth import Caller, TokenSigner
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, DomainError, Invalid, NotFound
from pos_service.kitchen import service as kitchen
from pos_service.mail import service as mail
from pos_service.menu import schedules
from pos_service.menu import service as menus
from pos_service.orders import service as orders
from pos_service.orders.models import Check
from pos_service.orders.schemas import CheckWrite, LineAdd
from pos_service.payments._load import bill_read, load
from pos_service.takeaway import mails, pickup
from pos_service.takeaway.events import TakeawayPlaced
from pos_service.takeaway.models import Channel, PickupState, TakeawayOrder
from pos_service.takeaway.schemas import (
    OpeningWindow,
    OrderLine,
    PickupBoard,
    PickupEntry,
    PublicCategory,
    PublicGroup,
    PublicItem,
    PublicLine,
    PublicMenu,
    PublicOption,
    PublicOrderCreate,
    PublicOrderRead,
    PublicSchedule,
    PublicWindow,
    Slot,
    SlotList,
    TakeawayCreate,
    TakeawayList,
    TakeawayRead,
    TakeawaySettings,
)
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

DEFAULT_SLOT_MINUTES = 15
DEFAULT_SLOT_CAP = 10
DEFAULT_LEAD_MINUTES = 20
DAYS_AHEAD = 7


# --- the venue's takeaway settings (``venues.settings``)


def slot_minutes(venue: Venue) -> int:
    return int(venue.settings.get("takeaway_slot_minutes") or DEFAULT_SLOT_MINUTES)


def slot_cap(venue: Venue) -> int:
    return int(venue.settings.get("takeaway_slot_cap") or DEFAULT_SLOT_CAP)


def lead_minutes(venue: Venue) -> int:
    """How far ahead of its pickup time the public page takes an order at the least."""
    found = venue.settings.get("takeaway_lead_minutes")
    return DEFAULT_LEAD_MINUTES if found is None else int(found)


def opening_hours(venue: Venue) -> list[PublicWindow]:
    """``settings["opening_hours"]``: ``[{"weekdays": [1..7], "starts": "HH:MM",
    "ends": "HH:MM"}]`` in the venue's timezone; none set: open every day, all day."""
    return [
        PublicWindow(
            weekdays=[int(d) for d in w["weekdays"]],
            starts=dt.time.fromisoformat(str(w["starts"])),
            ends=dt.time.fromisoformat(str(w["ends"])),
        )
        for w in venue.settings.get("opening_hours") or []
    ]


def settings_read(venue: Venue) -> TakeawaySettings:
    return TakeawaySettings(
        online=bool(venue.settings.get("takeaway_online")),
        opening_hours=[
            OpeningWindow(weekdays=w.weekdays, starts=w.starts, ends=w.ends)
            for w in opening_hours(venue)
        ],
        slot_minutes=slot_minutes(venue),
        slot_cap=slot_cap(venue),
        lead_minutes=lead_minutes(venue),
    )


async def get_settings(session: AsyncSession, caller: Caller) -> TakeawaySettings:
    return settings_read(await venues.get(session, caller.venue_id))


async def put_settings(
    session: AsyncSession, caller: Caller, data: TakeawaySettings
) -> TakeawaySettings:
    """Set the venue's takeaway rules (managers; recorded in the audit trail)."""
    venue = await venues.get(session, caller.venue_id)
    venue.settings = {
        **venue.settings,
        "takeaway_online": data.online,
        "opening_hours": msgspec.to_builtins(data.opening_hours),
        "takeaway_slot_minutes": data.slot_minutes,
        "takeaway_slot_cap": data.slot_cap,
        "takeaway_lead_minutes": data.lead_minutes,
    }
    venue.version += 1
    await session.flush()
    await audit.record(
        session, caller, "takeaway.settings_changed", f"venue:{venue.id}", msgspec.to_builtins(data)
    )
    return settings_read(venue)


def slot_of(venue: Venue, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The pickup slot ``at`` falls in (slots start on the venue-local hour)."""
    minutes = slot_minutes(venue)
    local = at.astimezone(ZoneInfo(venue.timezone))
    start = local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
    return start.astimezone(dt.UTC), (start + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)


def _is_open(venue: Venue, at: dt.datetime) -> bool:
    local = at.astimezone(ZoneInfo(venue.timezone))
    return schedules.any_open(opening_hours(venue), local)


async def _open_in_slot(
    session: AsyncSession, venue_id: int, start: dt.datetime, end: dt.datetime
) -> int:
    """Open orders (not collected; paid ones too) picked up within ``[start, end)``."""
    found = await session.scalar(
        select(func.count())
        .select_from(TakeawayOrder)
        .where(
            TakeawayOrder.venue_id == venue_id,
            TakeawayOrder.pickup_at >= start,
            TakeawayOrder.pickup_at < end,
            TakeawayOrder.state != PickupState.COLLECTED,
        )
    )
    return int(found or 0)


async def _claim_slot(session: AsyncSession, venue: Venue, pickup_at: dt.datetime) -> None:
    """Lock the pickup slot (an advisory lock, first in the transaction) and refuse it
    when the venue's cap of open orders in it is reached (409 naming ``pickup_at``)."""
    start, end = slot_of(venue, pickup_at)
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"takeaway-slot:{venue.id}:{start.isoformat()}"},
    )
    if await _open_in_slot(session, venue.id, start, end) >= slot_cap(venue):
        raise Conflict("that pickup time is fully booked; please choose another", field="pickup_at")


def _check_pickup(venue: Venue, pickup_at: dt.datetime, now: dt.datetime, lead: int) -> None:
    if pickup_at < now + dt.timedelta(minutes=lead):
        raise Invalid(
            "the pickup time must be at least {lead} minutes from now", lead=lead, field="pickup_at"
        )
    if pickup_at > now + dt.timedelta(days=DAYS_AHEAD):
        raise Invalid(
            "orders are taken up to {DAYS_AHEAD} days ahead",
            DAYS_AHEAD=DAYS_AHEAD,
            field="pickup_at",
        )
    if not _is_open(venue, pickup_at):
        raise Invalid("the venue is closed at that pickup time", field="pickup_at")


# --- reading


async def _order(session: AsyncSession, venue_id: int, order_id: int) -> TakeawayOrder:
    order = await session.get(TakeawayOrder, (venue_id, order_id))
    if order is None:
        raise NotFound("no takeaway order {order_id}", order_id=order_id, field="order_id")
    return order


async def takeaway_read(session: AsyncSession, order: TakeawayOrder) -> TakeawayRead:
    check = await session.get(Check, (order.venue_id, order.check_id))
    assert check is not None
    return TakeawayRead(
        id=order.id,
        check_id=order.check_id,
        number=order.number,
        business_day=order.business_day,
        channel=order.channel,
        state=order.state,
        customer_name=order.customer_name,
        customer_phone=order.customer_phone,
        customer_email=order.customer_email,
        pickup_at=order.pickup_at,
        fire_at=order.fire_at,
        fired_at=order.fired_at,
        ready_at=order.ready_at,
        collected_at=order.collected_at,
        payment=order.payment,
        check=await orders.check_read(session, check),
    )


async def get_order(session: AsyncSession, caller: Caller, order_id: int) -> TakeawayRead:
    return await takeaway_read(session, await _order(session, caller.venue_id, order_id))


async def _of_day(session: AsyncSession, venue: Venue, day: dt.date) -> Sequence[TakeawayOrder]:
    return (
        (
            await session.execute(
                select(TakeawayOrder)
                .where(TakeawayOrder.venue_id == venue.id, TakeawayOrder.business_day == day)
                .order_by(TakeawayOrder.pickup_at, TakeawayOrder.id)
            )
        )
        .scalars()
        .all()
    )


async def list_orders(
    session: AsyncSession, caller: Caller, day: dt.date | None = None
) -> TakeawayList:
    """The takeaway orders of a business day (today by default), by pickup time."""
    venue = await venues.get(session, caller.venue_id)
    day = day or venues.business_day(venue, now_utc())
    return TakeawayList(
        orders=[await takeaway_read(session, o) for o in await _of_day(session, venue, day)]
    )


async def board(session: AsyncSession, caller: Caller) -> PickupBoard:
    """The pickup screen: the orders of today not yet collected, and any other that is
    cooking or ready; numbers and states only."""
    venue = await venues.get(session, caller.venue_id)
    day = venues.business_day(venue, now_utc())
    shown = (
        await session.execute(
            select(TakeawayOrder)
            .where(
                TakeawayOrder.venue_id == venue.id,
                TakeawayOrder.number.is_not(None),
                TakeawayOrder.state != PickupState.COLLECTED,
                (TakeawayOrder.business_day == day)
                | TakeawayOrder.state.in_([PickupState.PREPARING, PickupState.READY]),
            )
            .order_by(TakeawayOrder.pickup_at, TakeawayOrder.id)
        )
    ).scalars()
    return PickupBoard(
        orders=[
            PickupEntry(order_id=o.id, number=o.number, state=o.state, pickup_at=o.pickup_at)
            for o in shown
        ]
    )


# --- placing an order


async def _add_lines(
    session: AsyncSession,
    caller: Caller,
    check: Check,
    lines: list[OrderLine],
    at: dt.datetime,
) -> None:
    """Add the lines as a waiter would, their availability judged at the pickup time; an
    error names the line (``lines[2].modifiers``) and undoes the whole order."""
    line_tx = await tx.of_session(session)
    for n, line in enumerate(lines):
        data = LineAdd(
            item_id=line.item_id, quantity=line.quantity, modifiers=line.modifiers, note=line.note
        )
        try:
            await orders.add_line(line_tx, caller, check.id, data, available_at=at)
        except DomainError as exc:
            exc.field = f"lines[{n}].{exc.field or 'item_id'}"
            raise


async def _place(
    session: AsyncSession,
    caller: Caller,
    venue: Venue,
    *,
    channel: Channel,
    name: str,
    phone: str | None,
    email: str | None,
    pickup_at: dt.datetime,
    lines: list[OrderLine],
    send: bool,
    payment: str,
    notes: str = "",
    language: str | None = None,
) -> TakeawayOrder:
    check = await orders.open_takeaway(session, caller, notes)
    order = TakeawayOrder(
        venue_id=venue.id,
        check_id=check.id,
        channel=channel,
        business_day=venues.business_day(venue, pickup_at),
        customer_name=name.strip(),
        customer_phone=phone,
        customer_email=email,
        pickup_at=pickup_at,
        payment=payment,
        state=PickupState.HELD,
        language=language,
    )
    session.add(order)
    await session.flush()
    await _add_lines(session, caller, check, lines, pickup_at)
    if send and lines:
        await kitchen.send(await tx.of_session(session), caller, check.id, CheckWrite())
    order.number = await locks.counter(
        session, venue.id, f"pickup:{order.business_day.isoformat()}"
    )
    events.record(
        session,
        venue.id,
        orders.topics(check.id),
        TakeawayPlaced(
            order_id=order.id,
            check_id=check.id,
            number=order.number,
            channel=order.channel,
            pickup_at=pickup_at,
        ),
    )
    pickup.changed(session, order)
    return order


async def create(session: AsyncSession, caller: Caller, data: TakeawayCreate) -> TakeawayRead:
    """A counter or phone order taken by staff (the slot cap applies; the lead time does
    not: staff may take an order for right now)."""
    venue = await venues.get(session, caller.venue_id)
    _check_pickup(venue, data.pickup_at, now_utc() - dt.timedelta(minutes=5), 0)
    await _claim_slot(session, venue, data.pickup_at)
    order = await _place(
        session,
        caller,
        venue,
        channel=Channel(data.channel),
        name=data.name,
        phone=data.phone,
        email=data.email,
        pickup_at=data.pickup_at,
        lines=data.lines,
        send=data.send,
        payment="at_pickup",
        notes=data.notes,
    )
    return await takeaway_read(session, order)


def order_token(signer: TokenSigner, order: TakeawayOrder, ttl: int) -> str:
    """The guest's signed link to this one order (and to paying its check by card)."""
    lasts = int((order.pickup_at - now_utc()).total_seconds()) + ttl
    guest = Caller(kind="guest", venue_id=order.venue_id, check_id=order.check_id)
    return signer.issue(guest, max(ttl, lasts))


async def place_public(
    session: AsyncSession,
    caller: Caller,
    venue: Venue,
    data: PublicOrderCreate,
    signer: TokenSigner,
    ttl: int,
    language: str | None = None,
    base: str = "",
) -> PublicOrderRead:
    """An order from the public page: checked whole (pickup time within the opening
    hours and the lead time, the slot's cap, each item available at pickup: schedules,
    86 and counts, required modifiers), then sent to the kitchen, held to its time.
    ``language`` is the page's: the guest's e-mails (the confirmation, sent here with
    the link to the order under ``base``, and "ready") are written in it."""
    if not data.phone and not data.email:
        raise Invalid("a phone number or an e-mail address is needed", field="email")
    _check_pickup(venue, data.pickup_at, now_utc(), lead_minutes(venue))
    await _claim_slot(session, venue, data.pickup_at)
    order = await _place(
        session,
        caller,
        venue,
        channel=Channel.ONLINE,
        name=data.name,
        phone=data.phone,
        email=data.email,
        pickup_at=data.pickup_at,
        lines=data.lines,
        send=True,
        payment=data.payment,
        language=language,
    )
    read = await public_read(session, order, order_token(signer, order, ttl))
    if order.customer_email:
        placed = mails.placed(order, venue, read, base + read.status_url)
        await mail.enqueue(session, venue.id, placed)
    return read


async def public_read(session: AsyncSession, order: TakeawayOrder, token: str) -> PublicOrderRead:
    venue = await venues.get(session, order.venue_id)
    check = await session.get(Check, (order.venue_id, order.check_id))
    assert check is not None
    bill = bill_read(await load(session, check))
    read = await orders.check_read(session, check)
    return PublicOrderRead(
        venue=venue.name,
        currency=venue.currency,
        timezone=venue.timezone,
        check_id=order.check_id,
        number=order.number,
        state=order.state,
        pickup_at=order.pickup_at,
        payment=order.payment,
        total=bill.total,
        paid=bill.paid,
        lines=[
            PublicLine(
                name=line.name,
                quantity=line.quantity,
                modifiers=[m.name for m in line.modifiers],
                amount=line.amount,
            )
            for line in read.lines
            if line.state != "voided"
        ],
        token=token,
        status_url=f"/order/{venue.slug}/status/{token}",
    )


async def guest_order(session: AsyncSession, caller: Caller, token: str) -> PublicOrderRead:
    """The order a guest's signed link opens (404 if it is not a takeaway order's)."""
    order = None
    if caller.kind == "guest" and caller.check_id is not None:
        order = await pickup.for_check_read(session, caller.venue_id, caller.check_id)
    if order is None:
        raise NotFound("no takeaway order for this link", field="token")
    return await public_read(session, order, token)


async def slots(session: AsyncSession, caller: Caller, venue: Venue, day: dt.date) -> SlotList:
    """The pickup slots of a venue-local day that are open, far enough ahead, and not
    full (with how many orders each still takes)."""
    zone = ZoneInfo(venue.timezone)
    minutes = slot_minutes(venue)
    earliest = now_utc() + dt.timedelta(minutes=lead_minutes(venue))
    start = dt.datetime.combine(day, dt.time(0, 0), zone)
    found: list[Slot] = []
    taken = await _counts(session, venue, start, start + dt.timedelta(days=1))
    at = start
    while at.date() == day:
        utc = at.astimezone(dt.UTC)
        left = slot_cap(venue) - taken.get(utc, 0)
        if utc >= earliest and left > 0 and _is_open(venue, utc):
            found.append(Slot(starts=utc, left=left))
        at = (utc + dt.timedelta(minutes=minutes)).astimezone(zone)
    return SlotList(date=day, slots=found)


async def _counts(
    session: AsyncSession, venue: Venue, start: dt.datetime, end: dt.datetime
) -> dict[dt.datetime, int]:
    rows = (
        await session.execute(
            select(TakeawayOrder.pickup_at).where(
                TakeawayOrder.venue_id == venue.id,
                TakeawayOrder.pickup_at >= start,
                TakeawayOrder.pickup_at < end,
                TakeawayOrder.state != PickupState.COLLECTED,
            )
        )
    ).scalars()
    counts: dict[dt.datetime, int] = {}
    for at in rows:
        slot = slot_of(venue, at)[0]
        counts[slot] = counts.get(slot, 0) + 1
    return counts


# --- after the order


async def collected(session: AsyncSession, caller: Caller, order_id: int) -> TakeawayRead:
    """The guest took the order: it leaves the pickup screen (409 if it was already)."""
    found = await _order(session, caller.venue_id, order_id)
    await locks.row(session, locks.Lock.CHECK, Check, (caller.venue_id, found.check_id))
    order = await pickup.for_check(session, caller.venue_id, found.check_id)
    assert order is not None
    if order.state == PickupState.COLLECTED:
        raise Conflict(
            "order {number} was already collected", number=order.number, field="order_id"
        )
    order.state = PickupState.COLLECTED
    order.collected_at = now_utc()
    pickup.changed(session, order)
    return await takeaway_read(session, order)


async def fire_due(session: AsyncSession, now: dt.datetime) -> int:
    """Scheduled: fire the held takeaway orders whose time has come (pickup minus their
    longest prep), so that they are ready at pickup. Checks are locked in id order; a
    check another process fired meanwhile is skipped."""
    due = (
        await session.execute(
            select(TakeawayOrder.venue_id, TakeawayOrder.check_id)
            .where(TakeawayOrder.fired_at.is_(None), TakeawayOrder.fire_at <= now)
            .order_by(TakeawayOrder.venue_id, TakeawayOrder.check_id)
            .limit(50)
        )
    ).all()
    fired = 0
    for venue_id, check_id in due:
        check = await locks.row(session, locks.Lock.CHECK, Check, (venue_id, check_id))
        order = await pickup.for_check(session, venue_id, check_id)
        if check is None or order is None or order.fired_at is not None:
            continue
        if order.fire_at is None or order.fire_at > now:
            continue
        venue = await venues.get(session, venue_id)
        await kitchen.fire_takeaway(session, venue, check, now)
        pickup.fired(session, order, now)
        fired += 1
    return fired


async def public_menu(session: AsyncSession, caller: Caller, venue: Venue) -> PublicMenu:
    """What the public page shows: the menu without staff data (no stations, counts or
    archived items), each item's availability now (86) and its schedules, the venue's
    opening hours and slot rules."""
    menu = await menus.get_menu(session, caller)
    return PublicMenu(
        venue=venue.name,
        slug=venue.slug,
        currency=venue.currency,
        locale=venue.locale,
        timezone=venue.timezone,
        tax_inclusive=venue.tax_inclusive,
        opening_hours=opening_hours(venue),
        schedules=[
            PublicSchedule(id=s.id, weekdays=s.weekdays, starts=s.starts, ends=s.ends)
            for s in menu.schedules
        ],
        categories=[
            PublicCategory(
                id=c.id,
                name=c.name,
                schedule_ids=c.schedule_ids,
                items=[
                    PublicItem(
                        id=i.id,
                        name=i.name,
                        description=i.description,
                        price=i.price,
                        allergens=i.allergens,
                        available=i.available and (i.remaining is None or i.remaining > 0),
                        schedule_ids=i.schedule_ids,
                        modifier_groups=[
                            PublicGroup(
                                id=g.id,
                                name=g.name,
                                min_choices=g.min_choices,
                                max_choices=g.max_choices,
                                options=[
                                    PublicOption(id=o.id, name=o.name, price_delta=o.price_delta)
                                    for o in g.options
                                ],
                            )
                            for g in i.modifier_groups
                        ],
                    )
                    for i in c.items
                    if not i.gift_card
                ],
            )
            for c in menu.categories
        ],
        slot_minutes=slot_minutes(venue),
        lead_minutes=lead_minutes(venue),
    )
